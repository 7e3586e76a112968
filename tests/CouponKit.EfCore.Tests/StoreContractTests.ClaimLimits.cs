using CouponKit.Issuance;
using CouponKit.Ports;
using CouponKit.Redemption;
using CouponKit.Rules;

namespace CouponKit.EfCore.Tests;

/// <summary>
/// The claim limits of issue 10 (re-claim after expiry, limits per identity key) and the eligibility options' stored form, on
/// every store.
/// </summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task AddAsync_EligibilityOptions_RoundTripTheDefinition()
    {
        var draft = new TemplateDraft
        {
            Id = "t-eligibility",
            Name = "First order, once per product",
            Rule = new ThresholdRebateRule(Threshold.Spend(Money.Of(100m, "CNY")), Money.Of(10m, "CNY")),
            TotalInventory = 10,
            Validity = CouponValidity.ForDaysAfterClaim(7),
            PerUserLimit = 2,
            PerUserLimitCounts = PerUserLimitCounts.ActiveOnly,
            PerUserLimitKey = PerUserLimitKey.IdentityKey,
            FirstOrderOnly = true,
            OncePerProduct = true,
            Channels = ClaimChannels.Grab,
        };
        await Store.Templates.AddAsync(CouponTemplate.Restore(draft.Id!, draft, TemplateState.Active, 1, T0, T0), [], default);
        await Store.Templates.AddAsync(Template("t-plain"), [], default);

        var found = await Store.Templates.FindAsync("t-eligibility", default);
        var plain = await Store.Templates.FindAsync("t-plain", default);

        Assert.Equal(PerUserLimitCounts.ActiveOnly, found!.PerUserLimitCounts);
        Assert.Equal(PerUserLimitKey.IdentityKey, found.PerUserLimitKey);
        Assert.True(found.FirstOrderOnly);
        Assert.True(found.OncePerProduct);
        Assert.Equal(PerUserLimitCounts.EveryClaim, plain!.PerUserLimitCounts);
        Assert.Equal(PerUserLimitKey.Account, plain.PerUserLimitKey);
        Assert.False(plain.FirstOrderOnly);
        Assert.False(plain.OncePerProduct);
    }

    [Fact]
    public async Task IssueAsync_ActiveOnly_ACouponPastItsEndNoLongerCounts()
    {
        await Store.Templates.AddAsync(Template("t1", inventory: 10), [], default);
        Assert.Equal(IssueStatus.Issued, (await Store.Coupons.IssueAsync(ActiveOnly("k1", CouponAt("c1", "t1", "u1", T0, days: 1)), default)).Status);

        var early = await Store.Coupons.IssueAsync(ActiveOnly("k2", CouponAt("c2", "t1", "u1", T0.AddHours(23), days: 1)), default);
        var everyClaim = await Store.Coupons.IssueAsync(new IssueCommand("k3", CouponAt("c3", "t1", "u1", T0.AddDays(2), days: 1), 1, []), default);
        var lapsed = await Store.Coupons.IssueAsync(ActiveOnly("k4", CouponAt("c4", "t1", "u1", T0.AddDays(1), days: 1)), default);

        Assert.Equal(IssueStatus.LimitReached, early.Status);
        Assert.Equal(IssueStatus.LimitReached, everyClaim.Status);
        Assert.Equal(IssueStatus.Issued, lapsed.Status);
        Assert.Equal(new TemplateStock(10, 2), await Store.Templates.GetStockAsync("t1", default));
        Assert.Equal(["c1", "c4"], (await Store.Coupons.ListByUserAsync("u1", default)).Select(c => c.CouponId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task IssueAsync_ActiveOnly_UsedAndExpiredCouponsNoLongerCountButLockedOnesDo()
    {
        await Store.Templates.AddAsync(Template("t1", inventory: 10), [], default);
        await Store.Coupons.IssueAsync(ActiveOnly("k1", CouponAt("c1", "t1", "u1", T0, days: 30)), default);
        await Store.Redemptions.ExecuteAsync(Try("o1", "u1", "c1"), default);

        var whileLocked = await Store.Coupons.IssueAsync(ActiveOnly("k2", CouponAt("c2", "t1", "u1", T0.AddHours(2), days: 30)), default);
        await Store.Redemptions.ExecuteAsync(Step(TccPhase.Confirm, "o1", "u1"), default);
        var afterUse = await Store.Coupons.IssueAsync(ActiveOnly("k3", CouponAt("c3", "t1", "u1", T0.AddHours(3), days: 1)), default);

        // c3 is expired by state (the expiry sweep) at a time it would still be valid on a clock that lags: state counts too.
        await Store.Expiry.ExpireAsync(T0.AddDays(2), 10, default);
        var afterExpiry = await Store.Coupons.IssueAsync(ActiveOnly("k4", CouponAt("c4", "t1", "u1", T0.AddHours(4), days: 30)), default);
        var atLimitAgain = await Store.Coupons.IssueAsync(ActiveOnly("k5", CouponAt("c5", "t1", "u1", T0.AddHours(5), days: 30)), default);

        Assert.Equal(IssueStatus.LimitReached, whileLocked.Status);
        Assert.Equal(IssueStatus.Issued, afterUse.Status);
        Assert.Equal(IssueStatus.Issued, afterExpiry.Status);
        Assert.Equal(IssueStatus.LimitReached, atLimitAgain.Status);
        Assert.Equal(new TemplateStock(10, 3), await Store.Templates.GetStockAsync("t1", default));
    }

    [Fact]
    public async Task IssueAsync_IdentityKey_LimitsThePersonAcrossAccounts()
    {
        await Store.Templates.AddAsync(Template("t1", inventory: 10), [], default);

        var first = await Store.Coupons.IssueAsync(ByIdentity("k1", Coupon("c1", "t1", "u1") with { IdentityKey = "person-1" }), default);
        var otherAccount = await Store.Coupons.IssueAsync(ByIdentity("k2", Coupon("c2", "t1", "u2") with { IdentityKey = "person-1" }), default);
        var otherPerson = await Store.Coupons.IssueAsync(ByIdentity("k3", Coupon("c3", "t1", "u3") with { IdentityKey = "person-2" }), default);
        var sameAccountOtherKey = await Store.Coupons.IssueAsync(ByIdentity("k4", Coupon("c4", "t1", "u1") with { IdentityKey = "person-3" }), default);

        Assert.Equal(IssueStatus.Issued, first.Status);
        Assert.Equal("person-1", first.Coupon!.IdentityKey);
        Assert.Equal(IssueStatus.LimitReached, otherAccount.Status);
        Assert.Equal(IssueStatus.Issued, otherPerson.Status);
        Assert.Equal(IssueStatus.LimitReached, sameAccountOtherKey.Status);
        Assert.Equal("person-1", (await Store.Coupons.FindAsync("c1", default))!.IdentityKey);
        Assert.Equal(new TemplateStock(10, 2), await Store.Templates.GetStockAsync("t1", default));
        Assert.Empty(await Store.Coupons.ListByUserAsync("u2", default));
    }

    [Fact]
    public async Task IssueAsync_64ConcurrentClaimsOfAccountsSharingOneIdentity_IssueExactlyTheLimit()
    {
        await Store.Templates.AddAsync(Template("t1", inventory: 1000), [], default);

        // 16 accounts of one person, 4 claims each, all at once; the person may hold 3.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() =>
            Store.Coupons.IssueAsync(ByIdentity($"k{i}", Coupon($"c{i}", "t1", $"u{i % 16}") with { IdentityKey = "person-1" }, limit: 3), default))));

        Assert.Equal(3, outcomes.Count(o => o.Status == IssueStatus.Issued));
        Assert.Equal(61, outcomes.Count(o => o.Status == IssueStatus.LimitReached));
        Assert.Equal(new TemplateStock(1000, 3), await Store.Templates.GetStockAsync("t1", default));
        var held = 0;
        for (var u = 0; u < 16; u++)
        {
            held += (await Store.Coupons.ListByUserAsync($"u{u}", default)).Count;
        }

        Assert.Equal(3, held);
    }

    [Fact]
    public async Task IssueAsync_64ConcurrentReClaimsAfterExpiry_NeverMoreThanTheLimitActiveAtOnce()
    {
        await Store.Templates.AddAsync(Template("t1", inventory: 1000), [], default);
        const int limit = 2;

        // 4 users, 16 claims each, made at 4 moments 2 days apart with coupons valid for 1 day, all at once in any order.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() =>
        {
            var at = T0.AddDays(2 * (i / 4 % 4));
            return Store.Coupons.IssueAsync(ActiveOnly($"k{i}", CouponAt($"c{i}", "t1", $"u{i % 4}", at, days: 1), limit), default);
        })));

        var issued = outcomes.Count(o => o.Status == IssueStatus.Issued);
        Assert.Equal(64, issued + outcomes.Count(o => o.Status == IssueStatus.LimitReached));
        Assert.Equal(new TemplateStock(1000, issued), await Store.Templates.GetStockAsync("t1", default));
        for (var u = 0; u < 4; u++)
        {
            var coupons = await Store.Coupons.ListByUserAsync($"u{u}", default);
            Assert.InRange(coupons.Count, limit, 4 * limit);

            // At every moment a coupon starts, the coupons of the user valid at that moment are at most the limit.
            foreach (var start in coupons.Select(c => c.ValidFrom))
            {
                Assert.InRange(coupons.Count(c => c.ValidFrom <= start && start < c.ValidUntil), 1, limit);
            }
        }
    }

    private static IssueCommand ActiveOnly(string key, IssuedCoupon coupon, int limit = 1) =>
        new(key, coupon, limit, []) { LimitCounts = PerUserLimitCounts.ActiveOnly };

    private static IssueCommand ByIdentity(string key, IssuedCoupon coupon, int limit = 1) =>
        new(key, coupon, limit, []) { LimitsIdentityKey = true };

    private static IssuedCoupon CouponAt(string id, string templateId, string userId, DateTimeOffset at, int days) =>
        new(id, templateId, userId, CouponState.Available, at, at.AddDays(days), at, ClaimChannels.Grab, null, 1);
}
