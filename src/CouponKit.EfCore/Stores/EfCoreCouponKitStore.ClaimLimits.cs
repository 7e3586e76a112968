using CouponKit.EfCore.Model;
using CouponKit.Issuance;
using CouponKit.Ports;
using CouponKit.Redemption;
using Microsoft.EntityFrameworkCore;

namespace CouponKit.EfCore.Stores;

/// <content>
/// The per-user (and per-identity) limit of a claim, read inside the claim's transaction. Each count is one statement (one
/// snapshot) that reads both the coupons that count (every coupon, or only the active ones) and all the coupons of the user or
/// identity: the new coupon takes the next sequence after all of them, so two concurrent claims that read the same coupons
/// insert the same (template, user, sequence) or (template, identity key, identity sequence), one fails on the unique index and
/// runs again, and then sees the other. So the limit holds under concurrency whatever is counted.
/// </content>
internal sealed partial class EfCoreCouponKitStore<TContext>
{
    /// <summary>
    /// The sequences the claim's coupon takes, for the user and (when the command limits the identity key) the identity, or
    /// <see langword="null"/> when the user or identity already holds as many counted coupons as the limit.
    /// </summary>
    private static async Task<(int User, int? Identity)?> ClaimSequencesAsync(TContext db, IssueCommand command, CancellationToken cancellationToken)
    {
        var coupon = command.Coupon;
        var coupons = db.Set<CouponRow>();
        var user = await CountAsync(coupons.Where(c => c.TemplateId == coupon.TemplateId && c.UserId == coupon.UserId), command, cancellationToken).ConfigureAwait(false);
        if (user.Counted >= command.PerUserLimit)
        {
            return null;
        }

        if (!command.LimitsIdentityKey)
        {
            return (user.All + 1, null);
        }

        var key = coupon.IdentityKey ?? throw new ArgumentException("A claim limited per identity key needs a coupon with an identity key.", nameof(command));
        var identity = await CountAsync(coupons.Where(c => c.TemplateId == coupon.TemplateId && c.IdentityKey == key), command, cancellationToken).ConfigureAwait(false);
        return identity.Counted >= command.PerUserLimit ? null : (user.All + 1, identity.All + 1);
    }

    /// <summary>Counts, in one statement, all the coupons and those that count against the limit at the claim's time.</summary>
    private static async Task<(int All, int Counted)> CountAsync(IQueryable<CouponRow> held, IssueCommand command, CancellationToken cancellationToken)
    {
        if (command.LimitCounts == PerUserLimitCounts.EveryClaim)
        {
            var all = await held.CountAsync(cancellationToken).ConfigureAwait(false);
            return (all, all);
        }

        var now = command.Coupon.ClaimedAt;
        const int available = (int)CouponState.Available;
        const int locked = (int)CouponState.Locked;
        var counts = await held
            .GroupBy(_ => 1)
            .Select(g => new { All = g.Count(), Active = g.Count(c => (c.State == available || c.State == locked) && c.ValidUntil > now) })
            .FirstOrDefaultAsync(cancellationToken)
            .ConfigureAwait(false);
        return counts is null ? (0, 0) : (counts.All, counts.Active);
    }

    private static CouponRow ToRow(IssuedCoupon coupon, int sequence, int? identitySequence, string claimKey)
    {
        var row = ToRow(coupon, sequence, claimKey);
        row.IdentitySequence = identitySequence;
        return row;
    }
}
