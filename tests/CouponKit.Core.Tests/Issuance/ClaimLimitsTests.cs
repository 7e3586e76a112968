using CouponKit.Benefits;
using CouponKit.Issuance;
using CouponKit.Redemption;
using CouponKit.Rules;

namespace CouponKit.Core.Tests.Issuance;

/// <summary>Re-claim after expiry (<see cref="PerUserLimitCounts"/>) and limits per identity key (<see cref="PerUserLimitKey"/>) through <see cref="CouponClaims"/>.</summary>
public class ClaimLimitsTests
{
    private static readonly string[] T1 = ["t1"];

    private readonly TestKit _kit = new();

    [Fact]
    public void TemplateDraft_Defaults_AreTheBackwardCompatibleOnes()
    {
        var draft = TestKit.Draft();

        Assert.Equal(PerUserLimitCounts.EveryClaim, draft.PerUserLimitCounts);
        Assert.Equal(PerUserLimitKey.Account, draft.PerUserLimitKey);
        Assert.False(draft.FirstOrderOnly);
        Assert.False(draft.OncePerProduct);
    }

    [Fact]
    public async Task ClaimAsync_EveryClaim_AnExpiredCouponStillCounts()
    {
        await _kit.ActiveAsync(TestKit.Draft() with { Validity = CouponValidity.ForDaysAfterClaim(1) });
        await _kit.IssueAsync("t1", "u1");
        _kit.Time.Advance(TimeSpan.FromDays(2));

        var again = await _kit.ClaimAsync("t1", "u1", "k2");

        Assert.Equal(ClaimRejection.LimitReached, again.Rejection);
    }

    [Fact]
    public async Task ClaimAsync_ActiveOnly_ClaimsAgainOnceTheCouponLapsedButNotBefore()
    {
        await _kit.ActiveAsync(TestKit.Draft() with { Validity = CouponValidity.ForDaysAfterClaim(1), PerUserLimitCounts = PerUserLimitCounts.ActiveOnly });
        var first = await _kit.IssueAsync("t1", "u1");
        _kit.Time.Advance(TimeSpan.FromHours(23));
        var before = await _kit.SnapshotAsync(T1);

        var tooEarly = await _kit.ClaimAsync("t1", "u1", "k2");

        Assert.Equal(ClaimRejection.LimitReached, tooEarly.Rejection);
        Assert.Contains("unused, unexpired", tooEarly.Message, StringComparison.Ordinal);
        await _kit.AssertUnchangedAsync(before, T1);

        _kit.Time.Advance(TimeSpan.FromHours(1));
        var lapsed = await _kit.ClaimAsync("t1", "u1", "k3");

        Assert.True(lapsed.IsIssued, lapsed.ToString());
        Assert.NotEqual(first.CouponId, lapsed.Coupon!.CouponId);
        Assert.Equal(new(100, 2), await _kit.Templates.GetStockAsync("t1"));
    }

    [Fact]
    public async Task ClaimAsync_ActiveOnly_ClaimsAgainOnceTheCouponWasUsed()
    {
        await _kit.ActiveAsync(TestKit.Draft() with { PerUserLimitCounts = PerUserLimitCounts.ActiveOnly });
        var first = await _kit.IssueAsync("t1", "u1");
        await _kit.Redemptions.LockAsync("o1", "u1", [first.CouponId]);

        Assert.Equal(ClaimRejection.LimitReached, (await _kit.ClaimAsync("t1", "u1", "k-locked")).Rejection);

        await _kit.Redemptions.ConfirmAsync("o1", "u1");
        var afterUse = await _kit.ClaimAsync("t1", "u1", "k-used");

        Assert.True(afterUse.IsIssued, afterUse.ToString());
    }

    [Fact]
    public async Task ClaimAsync_IdentityKeyTemplateWithoutKey_IsRefusedTypedAndChangesNothing()
    {
        await _kit.ActiveAsync(TestKit.Draft() with { PerUserLimitKey = PerUserLimitKey.IdentityKey, Channels = ClaimChannels.Grab });
        var before = await _kit.SnapshotAsync(T1);

        var result = await _kit.ClaimAsync("t1", "u1", "k1");

        Assert.Equal(ClaimRejection.IdentityKeyRequired, result.Rejection);
        await _kit.AssertUnchangedAsync(before, T1);
    }

    [Fact]
    public async Task ClaimAsync_IdentityKey_OnePersonWithSeveralAccountsGetsTheLimitOnly()
    {
        await _kit.ActiveAsync(TestKit.Draft() with { PerUserLimit = 2, PerUserLimitKey = PerUserLimitKey.IdentityKey, Channels = ClaimChannels.Grab });

        var results = new List<ClaimResult>();
        foreach (var account in new[] { "u1", "u2", "u3" })
        {
            results.Add(await ClaimWithIdentityAsync(account, "k-" + account, "person-1"));
        }

        var otherPerson = await ClaimWithIdentityAsync("u4", "k-u4", "person-2");

        Assert.Equal([true, true, false], results.Select(r => r.IsIssued));
        Assert.Equal(ClaimRejection.LimitReached, results[2].Rejection);
        Assert.Contains("per person", results[2].Message, StringComparison.Ordinal);
        Assert.Equal("person-1", results[0].Coupon!.IdentityKey);
        Assert.True(otherPerson.IsIssued);
    }

    [Fact]
    public async Task ClaimAsync_IdentityKeyOnAnAccountTemplate_IsStoredButDoesNotLimit()
    {
        await _kit.ActiveAsync(TestKit.Draft());

        var first = await ClaimWithIdentityAsync("u1", "k1", "person-1");
        var second = await ClaimWithIdentityAsync("u2", "k2", "person-1");

        Assert.True(first.IsIssued && second.IsIssued);
        Assert.Equal("person-1", _kit.Coupon(second.Coupon!.CouponId).IdentityKey);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("x129")]
    public async Task ClaimAsync_BadIdentityKey_ThrowsAndChangesNothing(string key)
    {
        await _kit.ActiveAsync(TestKit.Draft() with { PerUserLimitKey = PerUserLimitKey.IdentityKey, Channels = ClaimChannels.Grab });
        var identity = key == "x129" ? new string('x', 129) : key;
        var before = await _kit.SnapshotAsync(T1);

        await Assert.ThrowsAsync<ArgumentException>(() => ClaimWithIdentityAsync("u1", "k1", identity));

        await _kit.AssertUnchangedAsync(before, T1);
    }

    public static TheoryData<string, TemplateDraft> BadDrafts() => new()
    {
        { "perUserLimitCounts", TestKit.Draft() with { PerUserLimitCounts = (PerUserLimitCounts)7 } },
        { "perUserLimitKey", TestKit.Draft() with { PerUserLimitKey = (PerUserLimitKey)7 } },
        { "perUserLimitKey", TestKit.Draft() with { PerUserLimitKey = PerUserLimitKey.IdentityKey } }, // every channel, push included
        { "firstOrderOnly", TestKit.Draft() with { FirstOrderOnly = true, Benefit = new PointsBenefit(100) } },
        { "oncePerProduct", TestKit.Draft() with { OncePerProduct = true, Benefit = new RedEnvelopeBenefit(Shop.Cny(5m), CreditTiming.OnClaim) } },
        { "oncePerProduct", TestKit.Draft() with { OncePerProduct = true, Rule = new FreeShippingRule(null, null) } },
        { "oncePerProduct", TestKit.Draft() with { OncePerProduct = true, Rule = new FreeGiftRule("gift", "Mug", Shop.Cny(10m), 1, null) } },
    };

    [Theory]
    [MemberData(nameof(BadDrafts))]
    public async Task CreateAsync_BadEligibilityCombination_ThrowsTypedAndCreatesNothing(string field, TemplateDraft draft)
    {
        var ex = await Assert.ThrowsAsync<InvalidTemplateException>(() => _kit.Templates.CreateAsync(draft));

        Assert.Equal(field, ex.Field);
        Assert.Null(await _kit.Store.FindAsync("t1", CancellationToken.None));
    }

    [Fact]
    public async Task CreateAsync_EligibilityOptions_AreKeptByTheTemplateAndItsDraft()
    {
        var draft = TestKit.Draft() with
        {
            PerUserLimitCounts = PerUserLimitCounts.ActiveOnly,
            PerUserLimitKey = PerUserLimitKey.IdentityKey,
            Channels = ClaimChannels.Grab | ClaimChannels.PromoCode,
            FirstOrderOnly = true,
            OncePerProduct = true,
        };

        var template = await _kit.Templates.CreateAsync(draft);

        Assert.Equal(
            (PerUserLimitCounts.ActiveOnly, PerUserLimitKey.IdentityKey, true, true),
            (template.PerUserLimitCounts, template.PerUserLimitKey, template.FirstOrderOnly, template.OncePerProduct));
        var back = template.ToDraft();
        Assert.Equal(
            (PerUserLimitCounts.ActiveOnly, PerUserLimitKey.IdentityKey, true, true),
            (back.PerUserLimitCounts, back.PerUserLimitKey, back.FirstOrderOnly, back.OncePerProduct));
    }

    private Task<ClaimResult> ClaimWithIdentityAsync(string userId, string key, string identityKey) =>
        _kit.Claims.ClaimAsync(new ClaimRequest { TemplateId = "t1", User = TestKit.User(userId), IdempotencyKey = key, IdentityKey = identityKey });
}
