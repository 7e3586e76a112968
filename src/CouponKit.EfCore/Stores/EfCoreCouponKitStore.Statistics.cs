using CouponKit.EfCore.Model;
using CouponKit.Issuance;
using CouponKit.Ports;
using CouponKit.Redemption;
using CouponKit.Statistics;
using Microsoft.EntityFrameworkCore;

namespace CouponKit.EfCore.Stores;

/// <content><see cref="ICouponDiscountStore"/>, <see cref="IStatisticsStore"/> and <see cref="IReconciliationStore"/>.</content>
internal sealed partial class EfCoreCouponKitStore<TContext> : ICouponDiscountStore, IStatisticsStore, IReconciliationStore
{
    /// <inheritdoc />
    public Task RecordAsync(IReadOnlyList<CouponDiscount> discounts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(discounts);
        foreach (var discount in discounts)
        {
            ArgumentNullException.ThrowIfNull(discount, nameof(discounts));
            ArgumentException.ThrowIfNullOrWhiteSpace(discount.OrderId, nameof(discounts));
            ArgumentException.ThrowIfNullOrWhiteSpace(discount.CouponId, nameof(discounts));
        }

        if (discounts.Count == 0)
        {
            return Task.CompletedTask;
        }

        return WriteAsync(
            nameof(ICouponDiscountStore.RecordAsync),
            async (db, ct) =>
            {
                // The last amount for an (order, coupon) wins: update, else insert (a concurrent insert fails on the key and retries).
                var latest = new Dictionary<(string, string), CouponDiscount>();
                foreach (var discount in discounts)
                {
                    latest[(discount.OrderId, discount.CouponId)] = discount;
                }

                foreach (var discount in latest.Values)
                {
                    var amount = discount.Amount.Amount;
                    var currency = discount.Amount.Currency.Code;
                    var updated = await db.Set<DiscountRow>()
                        .Where(d => d.OrderId == discount.OrderId && d.CouponId == discount.CouponId)
                        .ExecuteUpdateAsync(s => s.SetProperty(d => d.Amount, amount).SetProperty(d => d.Currency, currency), ct)
                        .ConfigureAwait(false);
                    if (updated == 0)
                    {
                        db.Set<DiscountRow>().Add(new DiscountRow { OrderId = discount.OrderId, CouponId = discount.CouponId, Amount = amount, Currency = currency });
                    }
                }

                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<CouponDiscount>> ListByOrderAsync(string orderId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<CouponDiscount>>(
            nameof(ICouponDiscountStore.ListByOrderAsync),
            async (db, ct) =>
            {
                var rows = await db.Set<DiscountRow>().AsNoTracking().Where(d => d.OrderId == orderId).OrderBy(d => d.CouponId).ToListAsync(ct).ConfigureAwait(false);
                return rows.Select(ToDiscount).ToArray();
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<TemplateStatistics?> GetTemplateStatisticsAsync(string templateId, CancellationToken cancellationToken) =>
        WriteAsync(
            nameof(IStatisticsStore.GetTemplateStatisticsAsync),
            async (db, ct) =>
            {
                // In a transaction, so that the counts are one snapshot.
                if (!await db.Set<TemplateRow>().AnyAsync(t => t.Id == templateId, ct).ConfigureAwait(false))
                {
                    return (TemplateStatistics?)null;
                }

                var coupons = db.Set<CouponRow>().Where(c => c.TemplateId == templateId);
                var push = (int)ClaimChannels.Push;
                var byState = await coupons.GroupBy(c => c.State).Select(g => new { State = g.Key, Count = g.Count() }).ToListAsync(ct).ConfigureAwait(false);
                var pushed = await coupons.CountAsync(c => c.Channel == push, ct).ConfigureAwait(false);
                int Count(CouponState state) => byState.Where(s => s.State == (int)state).Sum(s => s.Count);

                var tryPhase = (int)TccPhase.Try;
                var cancelPhase = (int)TccPhase.Cancel;
                var ops = db.Set<OperationRow>();
                var tries = from o in ops
                            join c in coupons on o.CouponId equals c.CouponId
                            where o.Phase == tryPhase && o.Origin == tryPhase
                            select o;
                var locks = await tries.CountAsync(ct).ConfigureAwait(false);
                var released = await tries.CountAsync(t => ops.Any(x => x.OrderId == t.OrderId && x.CouponId == t.CouponId && x.Phase == cancelPhase), ct).ConfigureAwait(false);

                var used = (int)CouponState.Used;
                var amounts = await (from c in coupons
                                     join d in db.Set<DiscountRow>() on new { OrderId = c.OrderId!, c.CouponId } equals new { d.OrderId, d.CouponId }
                                     where c.State == used
                                     select new { d.Amount, d.Currency }).ToListAsync(ct).ConfigureAwait(false);
                var granted = amounts
                    .GroupBy(a => a.Currency, StringComparer.Ordinal)
                    .OrderBy(g => g.Key, StringComparer.Ordinal)
                    .Select(g => g.Select(a => Money.Of(a.Amount, a.Currency)).Aggregate((x, y) => x + y))
                    .ToArray();

                var issued = byState.Sum(s => s.Count);
                return new TemplateStatistics
                {
                    TemplateId = templateId,
                    Issued = issued,
                    Claimed = issued - pushed,
                    Available = Count(CouponState.Available),
                    Locked = Count(CouponState.Locked),
                    Used = Count(CouponState.Used),
                    Expired = Count(CouponState.Expired),
                    LocksTaken = locks,
                    Released = released,
                    UsedWithRecordedDiscount = amounts.Count,
                    DiscountGranted = granted,
                };
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<UsedCoupon>> ListUsedAsync(DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<UsedCoupon>>(
            nameof(IReconciliationStore.ListUsedAsync),
            async (db, ct) =>
            {
                var confirm = (int)TccPhase.Confirm;
                var used = (int)CouponState.Used;
                var rows = await (from o in db.Set<OperationRow>()
                                  join c in db.Set<CouponRow>() on o.CouponId equals c.CouponId
                                  where o.Phase == confirm && o.At >= @from && o.At < until && c.State == used && c.OrderId == o.OrderId
                                  select new { Coupon = c, o.At }).AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
                var keys = rows.Select(r => r.Coupon.CouponId).Distinct(StringComparer.Ordinal).ToList();
                var discounts = (await db.Set<DiscountRow>().AsNoTracking().Where(d => keys.Contains(d.CouponId)).ToListAsync(ct).ConfigureAwait(false))
                    .ToDictionary(d => (d.OrderId, d.CouponId));
                return rows
                    .Select(r => new UsedCoupon(
                        ToCoupon(r.Coupon),
                        r.At,
                        discounts.TryGetValue((r.Coupon.OrderId!, r.Coupon.CouponId), out var d) ? ToDiscount(d).Amount : null))
                    .OrderBy(u => u.ConfirmedAt)
                    .ThenBy(u => u.Coupon.CouponId, StringComparer.Ordinal)
                    .ToArray();
            },
            cancellationToken);

    private static CouponDiscount ToDiscount(DiscountRow row) => new(row.OrderId, row.CouponId, Money.Of(row.Amount, row.Currency));
}
