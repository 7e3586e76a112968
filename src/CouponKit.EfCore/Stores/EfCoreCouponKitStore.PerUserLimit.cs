using CouponKit.EfCore.Model;
using CouponKit.Ports;
using Microsoft.EntityFrameworkCore;

namespace CouponKit.EfCore.Stores;

/// <content>
/// The per-user limit of a claim (<see cref="IssueCommand.PerUserLimit"/>) when it counts every coupon of the account
/// (<see cref="Issuance.PerUserLimitCounts.EveryClaim"/>), for the claim batch and the read that answers a claim without a
/// transaction: which coupons count toward it, and how many a user holds. The single claim, which also serves the other ways
/// of counting (active coupons only, per identity key), counts in <c>ClaimSequencesAsync</c>. A coupon
/// row carries the user's sequence (held + 1, unique per template and user), so that two concurrent claims of one user that read
/// the same count cannot both insert: the second fails on the unique index and runs again from fresh reads.
/// </content>
internal sealed partial class EfCoreCouponKitStore<TContext>
{
    /// <summary>
    /// The coupons of <paramref name="templateId"/> that count toward its users' per-user limit: every coupon issued. On
    /// PostgreSQL the claim batch counts with its own statement (<c>ClaimBatchSql.HeldBy</c>, one probe per user), which must
    /// count the same coupons.
    /// </summary>
    private static IQueryable<CouponRow> CountedTowardLimit(TContext db, string templateId) =>
        db.Set<CouponRow>().Where(c => c.TemplateId == templateId);

    /// <summary>How many coupons each (template, user) of the claims holds toward the limit (absent: none); one query per template.</summary>
    private async Task<Dictionary<(string TemplateId, string UserId), int>> HeldByAsync(TContext db, IEnumerable<IssueCommand> claims, CancellationToken cancellationToken)
    {
        var held = new Dictionary<(string TemplateId, string UserId), int>();
        foreach (var template in claims.GroupBy(c => c.Coupon.TemplateId, StringComparer.Ordinal))
        {
            var users = template.Select(c => c.Coupon.UserId).Distinct(StringComparer.Ordinal).ToArray();
            if (IsPostgres(db))
            {
                await HeldOnPostgresAsync(db, template.Key, users, held, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var holders = await CountedTowardLimit(db, template.Key)
                .Where(c => EF.Parameter(users).Contains(c.UserId))
                .Select(c => c.UserId)
                .ToListAsync(cancellationToken)
                .ConfigureAwait(false);
            foreach (var user in holders)
            {
                held[(template.Key, user)] = held.GetValueOrDefault((template.Key, user)) + 1;
            }
        }

        return held;
    }

    /// <summary>The sequence of a user's next coupon of a template, from what the user holds.</summary>
    private static int NextSequence(int held) => held + 1;
}
