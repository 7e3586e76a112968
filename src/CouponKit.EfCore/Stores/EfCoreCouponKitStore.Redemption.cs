using CouponKit.EfCore.Model;
using CouponKit.Issuance;
using CouponKit.Ports;
using CouponKit.Redemption;
using Microsoft.EntityFrameworkCore;

namespace CouponKit.EfCore.Stores;

/// <content><see cref="IRedemptionStore"/> and <see cref="IExpiryStore"/>: the pure planners' decisions, written atomically.</content>
internal sealed partial class EfCoreCouponKitStore<TContext> : IRedemptionStore, IExpiryStore
{
    /// <inheritdoc />
    public Task<RedemptionResult> ExecuteAsync(RedemptionCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);

        // One snapshot: the plan reads the order's records, then its coupons; on PostgreSQL's READ COMMITTED the second read could
        // see a concurrent step of the same order that the first did not, and refuse a replay as "coupon not available".
        return SnapshotWriteAsync(
            nameof(IRedemptionStore.ExecuteAsync),
            async (db, ct) =>
            {
                var records = (await db.Set<OperationRow>().AsNoTracking()
                    .Where(o => o.OrderId == command.OrderId)
                    .OrderBy(o => o.Id)
                    .ToListAsync(ct)
                    .ConfigureAwait(false)).Select(ToRecord).ToArray();
                var ids = RedemptionPlanner.CouponIdsOf(command, records).ToList();
                var coupons = (await db.Set<CouponRow>().AsNoTracking()
                    .Where(c => ids.Contains(c.CouponId))
                    .ToListAsync(ct)
                    .ConfigureAwait(false)).ToDictionary(c => c.CouponId, ToCoupon, StringComparer.Ordinal);
                var plan = RedemptionPlanner.Plan(command, coupons, records);
                foreach (var update in plan.CouponUpdates)
                {
                    await WriteCouponAsync(db, update, ct).ConfigureAwait(false);
                }

                // (order, coupon, phase) is unique: a concurrent step of the same order fails here, rolls back, and is planned
                // again from the rows the other step wrote (already done, or refused).
                foreach (var record in plan.NewRecords)
                {
                    db.Set<OperationRow>().Add(new OperationRow
                    {
                        OrderId = record.OrderId,
                        CouponId = record.CouponId,
                        Phase = (int)record.Phase,
                        Origin = (int)record.Origin,
                        At = record.At,
                        UserId = record.UserId,
                    });
                }

                await EnqueueAsync(db, plan.Messages, ct).ConfigureAwait(false);
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                return plan.Result;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<OperationRecord>> ListRecordsAsync(string orderId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<OperationRecord>>(
            nameof(IRedemptionStore.ListRecordsAsync),
            async (db, ct) =>
            {
                var rows = await db.Set<OperationRow>().AsNoTracking()
                    .Where(o => o.OrderId == orderId)
                    .OrderBy(o => o.Id)
                    .ToListAsync(ct)
                    .ConfigureAwait(false);
                return rows.Select(ToRecord).ToArray();
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<IssuedCoupon>> ExpireAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        var available = (int)CouponState.Available;
        return WriteAsync(
            nameof(IExpiryStore.ExpireAsync),
            async (db, ct) =>
            {
                var candidates = await db.Set<CouponRow>().AsNoTracking()
                    .Where(c => c.State == available && c.ValidUntil <= now)
                    .OrderBy(c => c.ValidUntil)
                    .ThenBy(c => c.CouponId)
                    .Take(max)
                    .ToListAsync(ct)
                    .ConfigureAwait(false);
                var plan = ExpiryPlanner.Plan(candidates.Select(ToCoupon), now);
                foreach (var update in plan.CouponUpdates)
                {
                    await WriteCouponAsync(db, update, ct).ConfigureAwait(false);
                }

                await EnqueueAsync(db, plan.Messages, ct).ConfigureAwait(false);
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                return plan.CouponUpdates;
            },
            cancellationToken);
    }
}
