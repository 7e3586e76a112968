using CouponKit.EfCore.Model;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Redemption;
using CouponKit.Rewards;
using Microsoft.EntityFrameworkCore;

namespace CouponKit.EfCore.Stores;

/// <content>
/// Order rewards: <see cref="ICouponRevocationStore"/> (one conditional update of the coupon row, Available → Revoked, with the
/// outbox rows, in one transaction) and <see cref="IRewardLedger"/> (tables <c>reward_refunds</c> and <c>reward_losses</c>,
/// insert-if-absent on their primary keys).
/// </content>
internal sealed partial class EfCoreCouponKitStore<TContext> : ICouponRevocationStore, IRewardLedger
{
    /// <inheritdoc />
    public Task<IssuedCoupon?> TryRevokeAsync(string couponId, IReadOnlyList<OutboxMessage> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(couponId);
        ArgumentNullException.ThrowIfNull(events);
        var available = (int)CouponState.Available;
        var revoked = (int)CouponState.Revoked;
        return WriteAsync<IssuedCoupon?>(
            nameof(ICouponRevocationStore.TryRevokeAsync),
            async (db, ct) =>
            {
                // Never read-modify-write: only a row still available moves, so a concurrent lock wins or loses cleanly.
                var moved = await db.Set<CouponRow>()
                    .Where(c => c.CouponId == couponId && c.State == available)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.State, revoked).SetProperty(c => c.Version, c => c.Version + 1), ct)
                    .ConfigureAwait(false);
                if (moved != 1)
                {
                    return null;
                }

                await EnqueueAsync(db, events, ct).ConfigureAwait(false);
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                var row = await db.Set<CouponRow>().AsNoTracking().FirstAsync(c => c.CouponId == couponId, ct).ConfigureAwait(false);
                return ToCoupon(row);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> MarkRefundedAsync(string orderId, DateTimeOffset refundedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orderId);

        // Two first refunds racing meet the primary key; the loser runs again and finds the row.
        return WriteAsync(
            nameof(IRewardLedger.MarkRefundedAsync),
            async (db, ct) =>
            {
                var refunds = db.Set<RewardRefundRow>();
                if (await refunds.AnyAsync(r => r.OrderId == orderId, ct).ConfigureAwait(false))
                {
                    return false;
                }

                refunds.Add(new RewardRefundRow { OrderId = orderId, RefundedAt = refundedAt });
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> IsRefundedAsync(string orderId, CancellationToken cancellationToken) =>
        ReadAsync(
            nameof(IRewardLedger.IsRefundedAsync),
            (db, ct) => db.Set<RewardRefundRow>().AnyAsync(r => r.OrderId == orderId, ct),
            cancellationToken);

    /// <inheritdoc />
    public Task<bool> AddLossAsync(RewardLoss loss, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(loss);
        return WriteAsync(
            nameof(IRewardLedger.AddLossAsync),
            async (db, ct) =>
            {
                var losses = db.Set<RewardLossRow>();
                if (await losses.AnyAsync(l => l.RuleId == loss.RuleId && l.OrderId == loss.OrderId, ct).ConfigureAwait(false))
                {
                    return false;
                }

                losses.Add(new RewardLossRow
                {
                    RuleId = loss.RuleId,
                    OrderId = loss.OrderId,
                    CouponId = loss.CouponId,
                    TemplateId = loss.TemplateId,
                    UserId = loss.UserId,
                    UsedByOrderId = loss.UsedByOrderId,
                    DiscountAmount = loss.Discount?.Amount,
                    DiscountCurrency = loss.Discount?.Currency.Code,
                    RecordedAt = loss.RecordedAt,
                });
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<RewardLoss>> ListLossesAsync(DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<RewardLoss>>(
            nameof(IRewardLedger.ListLossesAsync),
            async (db, ct) =>
            {
                var rows = await db.Set<RewardLossRow>().AsNoTracking()
                    .Where(l => l.RecordedAt >= from && l.RecordedAt < until)
                    .OrderBy(l => l.RecordedAt)
                    .ThenBy(l => l.OrderId)
                    .ThenBy(l => l.RuleId)
                    .ToListAsync(ct)
                    .ConfigureAwait(false);
                return rows.Select(l => new RewardLoss(
                    l.RuleId,
                    l.OrderId,
                    l.CouponId,
                    l.TemplateId,
                    l.UserId,
                    l.UsedByOrderId,
                    l.DiscountAmount is { } amount && l.DiscountCurrency is { } currency ? Money.Of(amount, currency) : null,
                    l.RecordedAt)).ToArray();
            },
            cancellationToken);
}
