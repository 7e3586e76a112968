using CouponKit.Core.Tests.Issuance;
using CouponKit.Issuance;
using CouponKit.Redemption;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CouponKit.Core.Tests.Properties;

/// <summary>Invariants of the per-user limit when it counts only active coupons, per account or per identity key.</summary>
public class ClaimLimitProperties
{
    private const int Users = 4;

    // For any interleaving of claims, clock advances (past coupons' ends), uses (lock then confirm) and expiry sweeps, on a
    // template whose limit counts only active coupons (per account, or per identity key shared by two accounts): after every
    // step no user and no identity holds more active coupons than the limit; a claim is issued exactly when the user (and the
    // identity) held fewer active coupons than the limit just before it; and the stock spent equals the coupons issued.
    [Property(MaxTest = 200)]
    public Property ActiveOnly_AnyInterleaving_NeverMoreActiveThanTheLimitAndRefusesOnlyAtIt() =>
        Prop.ForAll(Scenario.ToArbitrary(), s => Run(s.Limit, s.ByIdentity, s.Steps));

    // The same with the default counting: however coupons lapse or are used, a user never gets more than the limit, ever.
    [Property(MaxTest = 100)]
    public Property EveryClaim_AnyInterleaving_NeverMoreCouponsThanTheLimitEver() =>
        Prop.ForAll(Scenario.ToArbitrary(), s =>
        {
            var kit = new TestKit(new CouponKitOptions { ClaimsPerUser = 1000 });
            kit.ActiveAsync(TestKit.Draft() with { PerUserLimit = s.Limit, Validity = CouponValidity.ForDaysAfterClaim(1) }).GetAwaiter().GetResult();
            var order = 0;
            foreach (var step in s.Steps)
            {
                Apply(kit, step, ref order, byIdentity: false);
            }

            return kit.Store.Coupons.GroupBy(c => c.UserId).All(g => g.Count() <= s.Limit);
        });

    private static Gen<(int Limit, bool ByIdentity, ClaimStep[] Steps)> Scenario { get; } =
        from limit in Gen.Choose(1, 3)
        from byIdentity in Gen.Elements(false, true)
        from steps in Gen.ArrayOf(Step, 40)
        select (limit, byIdentity, steps);

    private static Gen<ClaimStep> Step { get; } = Gen.Frequency(
        (10, Gen.Choose(0, Users - 1).Select(u => new ClaimStep(ClaimStepKind.Claim, u))),
        (4, Gen.Elements(1, 6, 12, 25).Select(h => new ClaimStep(ClaimStepKind.Advance, h))),
        (3, Gen.Choose(0, Users - 1).Select(u => new ClaimStep(ClaimStepKind.Use, u))),
        (2, Gen.Constant(new ClaimStep(ClaimStepKind.Sweep, 0))));

    private static bool Run(int limit, bool byIdentity, ClaimStep[] steps)
    {
        var kit = new TestKit(new CouponKitOptions { ClaimsPerUser = 1000 });
        kit.ActiveAsync(TestKit.Draft() with
        {
            PerUserLimit = limit,
            Validity = CouponValidity.ForDaysAfterClaim(1),
            PerUserLimitCounts = PerUserLimitCounts.ActiveOnly,
            PerUserLimitKey = byIdentity ? PerUserLimitKey.IdentityKey : PerUserLimitKey.Account,
            Channels = ClaimChannels.Grab,
        }).GetAwaiter().GetResult();
        var order = 0;
        foreach (var step in steps)
        {
            var now = kit.Now;
            var before = kit.Store.Coupons;
            var user = "u" + step.Value;
            var userActive = before.Count(c => c.UserId == user && IsActive(c, now));
            var identityActive = before.Count(c => c.IdentityKey == IdentityOf(step.Value) && IsActive(c, now));
            var result = Apply(kit, step, ref order, byIdentity);
            if (result is not null)
            {
                var expected = userActive < limit && (!byIdentity || identityActive < limit);
                if (result.IsIssued != expected || (!expected && result.Rejection != ClaimRejection.LimitReached))
                {
                    return false;
                }
            }

            var after = kit.Store.Coupons;
            var at = kit.Now;
            if (after.GroupBy(c => c.UserId).Any(g => g.Count(c => IsActive(c, at)) > limit)
                || (byIdentity && after.GroupBy(c => c.IdentityKey).Any(g => g.Count(c => IsActive(c, at)) > limit)))
            {
                return false;
            }
        }

        var stock = kit.Templates.GetStockAsync("t1").GetAwaiter().GetResult();
        return stock!.Issued == kit.Store.Coupons.Count;
    }

    private static ClaimResult? Apply(TestKit kit, ClaimStep step, ref int order, bool byIdentity)
    {
        switch (step.Kind)
        {
            case ClaimStepKind.Claim:
                return kit.Claims.ClaimAsync(new ClaimRequest
                {
                    TemplateId = "t1",
                    User = TestKit.User("u" + step.Value),
                    IdempotencyKey = Guid.NewGuid().ToString("N"),
                    IdentityKey = byIdentity ? IdentityOf(step.Value) : null,
                }).GetAwaiter().GetResult();
            case ClaimStepKind.Advance:
                kit.Time.Advance(TimeSpan.FromHours(step.Value));
                return null;
            case ClaimStepKind.Use:
                var now = kit.Now;
                var coupon = kit.Store.Coupons.FirstOrDefault(c => c.UserId == "u" + step.Value && c.State == CouponState.Available && IsActive(c, now));
                if (coupon is not null)
                {
                    var id = "o" + order++;
                    kit.Redemptions.LockAsync(id, coupon.UserId, [coupon.CouponId]).GetAwaiter().GetResult();
                    kit.Redemptions.ConfirmAsync(id, coupon.UserId).GetAwaiter().GetResult();
                }

                return null;
            default:
                kit.Store.ExpireAsync(kit.Now, 1000, CancellationToken.None).GetAwaiter().GetResult();
                return null;
        }
    }

    /// <summary>Two accounts per person: u0 and u1 are person p0, u2 and u3 person p1.</summary>
    private static string IdentityOf(int user) => "p" + (user / 2);

    private static bool IsActive(IssuedCoupon coupon, DateTimeOffset now) =>
        coupon.State is CouponState.Available or CouponState.Locked && coupon.ValidUntil > now;

    private enum ClaimStepKind
    {
        Claim,
        Advance,
        Use,
        Sweep,
    }

    private sealed record ClaimStep(ClaimStepKind Kind, int Value);
}
