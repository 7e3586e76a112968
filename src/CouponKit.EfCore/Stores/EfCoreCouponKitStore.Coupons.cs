using CouponKit.EfCore.Model;
using CouponKit.EfCore.Telemetry;
using CouponKit.Issuance;
using CouponKit.Ports;
using Microsoft.EntityFrameworkCore;

namespace CouponKit.EfCore.Stores;

/// <content><see cref="ICouponStore"/>: one claim is one transaction (decrement, coupon with its claim key, outbox rows).</content>
internal sealed partial class EfCoreCouponKitStore<TContext> : ICouponStore
{
    /// <inheritdoc />
    public Task<IssueOutcome> IssueAsync(IssueCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(command.Coupon, nameof(command));

        // Group commit (EfCoreCouponKitOptions.ClaimBatchSize): concurrent claims share a transaction; a claim that assigns an
        // issue sequence reads the template's row after its own decrement, and a claim whose limit counts only active coupons or
        // per identity key needs the counts of ClaimSequencesAsync, so those run on their own.
        return _claimBatcher is { } batcher && !command.AssignSequence
            && command.LimitCounts == PerUserLimitCounts.EveryClaim && !command.LimitsIdentityKey
            ? batcher.IssueAsync(command, cancellationToken)
            : IssueOneAsync(command, cancellationToken);
    }

    /// <summary>Issues one claim in a transaction of its own.</summary>
    private Task<IssueOutcome> IssueOneAsync(IssueCommand command, CancellationToken cancellationToken)
    {
        var coupon = command.Coupon;
        return WriteAsync(
            nameof(ICouponStore.IssueAsync),
            (db, ct) => AnswerFromOneReadAsync(db, command, ct), // sold out or at the limit: one read, no transaction
            async (db, ct) =>
            {
                var earlier = await db.Set<CouponRow>().AsNoTracking().FirstOrDefaultAsync(c => c.ClaimKey == command.ClaimKey, ct).ConfigureAwait(false);
                if (earlier is not null)
                {
                    var same = earlier.UserId == coupon.UserId && earlier.TemplateId == coupon.TemplateId;
                    return same ? new IssueOutcome(IssueStatus.Replayed, ToCoupon(earlier)) : new IssueOutcome(IssueStatus.KeyConflict, null);
                }

                var templates = db.Set<TemplateRow>();
                var segments = await templates.Where(t => t.Id == coupon.TemplateId).Select(t => (int?)t.StockSegments).FirstOrDefaultAsync(ct).ConfigureAwait(false)
                    ?? throw new TemplateNotFoundException(coupon.TemplateId);
                if (command.AssignSequence)
                {
                    EnsureSequenceable(coupon.TemplateId, segments);
                }

                var coupons = db.Set<CouponRow>();
                var sequences = await ClaimSequencesAsync(db, command, ct).ConfigureAwait(false);
                if (sequences is null)
                {
                    // Each statement of a READ COMMITTED transaction (PostgreSQL) reads its own snapshot: the count may include a
                    // concurrent claim with this very key that the claim read above missed. Then it is a replay: run again.
                    if (await coupons.AnyAsync(c => c.ClaimKey == command.ClaimKey, ct).ConfigureAwait(false))
                    {
                        throw new StaleReadException($"Claim '{command.ClaimKey}'");
                    }

                    return new IssueOutcome(IssueStatus.LimitReached, null);
                }

                if (await coupons.AnyAsync(c => c.CouponId == coupon.CouponId, ct).ConfigureAwait(false))
                {
                    throw new InvalidOperationException($"Coupon id '{coupon.CouponId}' already exists.");
                }

                // The one conditional decrement: never below zero, never read-modify-write; on the template's row, or on a stock
                // segment (the one the claim key hashes to, then the others in turn) when the inventory is split.
                var taken = segments > 0
                    ? await TakeOneFromSegmentsAsync(db, coupon.TemplateId, segments, command.ClaimKey, ct).ConfigureAwait(false)
                    : await templates
                        .Where(t => t.Id == coupon.TemplateId && t.Remaining > 0)
                        .ExecuteUpdateAsync(s => s.SetProperty(t => t.Remaining, t => t.Remaining - 1), ct)
                        .ConfigureAwait(false) == 1;
                if (!taken)
                {
                    Log.SoldOut(_logger, coupon.TemplateId);
                    return new IssueOutcome(IssueStatus.SoldOut, null);
                }

                // The sequence is read after the decrement in the same transaction, which still holds the template's row.
                if (command.AssignSequence)
                {
                    coupon = coupon with { IssueSequence = await ReadIssueSequenceAsync(db, coupon.TemplateId, ct).ConfigureAwait(false) };
                }

                // (template, user, sequence) is unique: a concurrent claim of the same user fails here, rolls back, and is
                // run again, when it reads the other claim and answers LimitReached (or Replayed for the same key).
                coupons.Add(ToRow(coupon, sequences.Value.User, sequences.Value.Identity, command.ClaimKey));
                await EnqueueAsync(db, command.Events, ct).ConfigureAwait(false);
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                return new IssueOutcome(IssueStatus.Issued, coupon);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IssuedCoupon?> FindByClaimKeyAsync(string claimKey, CancellationToken cancellationToken) =>
        ReadAsync(
            nameof(ICouponStore.FindByClaimKeyAsync),
            async (db, ct) =>
            {
                var row = await db.Set<CouponRow>().AsNoTracking().FirstOrDefaultAsync(c => c.ClaimKey == claimKey, ct).ConfigureAwait(false);
                return row is null ? null : ToCoupon(row);
            },
            cancellationToken);

    /// <inheritdoc />
    Task<IssuedCoupon?> ICouponStore.FindAsync(string couponId, CancellationToken cancellationToken) =>
        ReadAsync(
            nameof(ICouponStore.FindAsync),
            async (db, ct) =>
            {
                var row = await db.Set<CouponRow>().AsNoTracking().FirstOrDefaultAsync(c => c.CouponId == couponId, ct).ConfigureAwait(false);
                return row is null ? null : ToCoupon(row);
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<IssuedCoupon>> ListByUserAsync(string userId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<IssuedCoupon>>(
            nameof(ICouponStore.ListByUserAsync),
            async (db, ct) =>
            {
                var rows = await db.Set<CouponRow>().AsNoTracking()
                    .Where(c => c.UserId == userId)
                    .OrderBy(c => c.ClaimedAt)
                    .ThenBy(c => c.CouponId)
                    .ToListAsync(ct)
                    .ConfigureAwait(false);
                return rows.Select(ToCoupon).ToArray();
            },
            cancellationToken);
}
