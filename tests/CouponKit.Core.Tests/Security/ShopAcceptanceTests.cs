using CouponKit.Core.Tests.Issuance;
using CouponKit.Issuance;
using CouponKit.Redemption;
using CouponKit.Rules;
using CouponKit.Security;

namespace CouponKit.Core.Tests.Security;

/// <summary>
/// Issue 11, the order's shop may accept the coupon: when the cart names its shop, quote, validate and lock refuse the user's
/// own coupon of another merchant's template (a typed refusal that names no merchant, nothing changes, counted as
/// <c>coupon_wrong_shop</c>); platform templates are accepted by every shop; a cart without a shop accepts every coupon.
/// </summary>
public sealed class ShopAcceptanceTests : IDisposable
{
    private static readonly MerchantActor ShopA = new("shop-a", "staff@shop-a");
    private static readonly MerchantActor ShopB = new("shop-b", "staff@shop-b");
    private static readonly string[] Templates = ["ta", "tb", "tp"];
    private static readonly string[] Users = ["alice", "bob"];
    private static readonly string[] Orders = ["o1"];

    private readonly SecurityMetrics _metrics = new();
    private readonly TestKit _kit = new();
    private readonly CouponCheckout _checkout;

    public ShopAcceptanceTests()
    {
        _checkout = new CouponCheckout(_kit.Store, _kit.Store, new QuoteEngine(), _kit.Redemptions, _metrics);
    }

    public void Dispose() => _metrics.Dispose();

    [Fact]
    public async Task QuoteValidateLock_CouponOfAnotherMerchant_RefusedNotAcceptedAndChangeNothing()
    {
        var (_, ofB, _) = await GivenAlicesCouponsAsync();
        var before = await _kit.SnapshotAsync(Templates, Users, Orders);

        var quote = await _checkout.QuoteAsync(Cart("shop-a"), [ofB]);
        var validation = await _checkout.ValidateAsync(Cart("shop-a"), [ofB]);
        var locked = await _checkout.LockAsync(Cart("shop-a"), "o1", [ofB]);

        foreach (var refusal in new[] { quote.Refusal, validation.Refusal, locked.Refusal })
        {
            Assert.NotNull(refusal);
            Assert.Equal(CouponAccessReason.NotAcceptedByShop, refusal.Reason);
            Assert.Equal(ofB, refusal.CouponId);
            Assert.DoesNotContain("shop-b", refusal.Message, StringComparison.Ordinal);
        }

        Assert.Null(quote.Value);
        Assert.Null(locked.Value);
        await _kit.AssertUnchangedAsync(before, Templates, Users, Orders);
        Assert.Equal(1, _metrics.Count(SecurityReasons.CouponWrongShop, SecurityReasons.OperationQuote));
        Assert.Equal(1, _metrics.Count(SecurityReasons.CouponWrongShop, SecurityReasons.OperationValidate));
        Assert.Equal(1, _metrics.Count(SecurityReasons.CouponWrongShop, SecurityReasons.OperationLock));
        _metrics.AssertNoTagContains(ofB, "alice", "shop-a", "shop-b", "o1");
    }

    [Fact]
    public async Task LockAsync_OwnShopsAndPlatformCoupons_AreLocked_AndAReplayIsAlreadyDone()
    {
        var (ofA, _, ofPlatform) = await GivenAlicesCouponsAsync();

        var locked = await _checkout.LockAsync(Cart("shop-a"), "o1", [ofA, ofPlatform]);
        var replay = await _checkout.LockAsync(Cart("shop-a"), "o1", [ofA, ofPlatform]);

        Assert.True(locked.Succeeded);
        Assert.Equal(RedemptionStatus.Locked, locked.Value!.Status);
        Assert.Equal(RedemptionStatus.AlreadyDone, replay.Value!.Status);
        Assert.Equal(CouponState.Locked, _kit.Coupon(ofA).State);
        Assert.Equal(CouponState.Locked, _kit.Coupon(ofPlatform).State);
        Assert.Empty(_metrics.Refusals);
    }

    [Fact]
    public async Task QuoteAsync_AllAvailable_ConsidersOnlyTheCouponsTheShopAccepts()
    {
        var (ofA, ofB, ofPlatform) = await GivenAlicesCouponsAsync();

        var atA = await _checkout.QuoteAsync(Cart("shop-a"));
        var atB = await _checkout.QuoteAsync(Cart("shop-b"));
        var atC = await _checkout.QuoteAsync(Cart("shop-c"));

        Assert.DoesNotContain(ofB, atA.Value!.Applied.Select(a => a.CouponId));
        Assert.Contains(ofA, atA.Value.Applied.Select(a => a.CouponId));
        Assert.DoesNotContain(ofA, atB.Value!.Applied.Select(a => a.CouponId));
        Assert.Equal([ofPlatform], atC.Value!.Applied.Select(a => a.CouponId));
        Assert.Empty(_metrics.Refusals); // leaving out what a shop does not accept is no refusal
    }

    [Fact]
    public async Task CartWithoutShop_AcceptsEveryCoupon()
    {
        var (ofA, ofB, ofPlatform) = await GivenAlicesCouponsAsync();

        var validation = await _checkout.ValidateAsync(Cart(null), [ofA, ofB]);
        var locked = await _checkout.LockAsync(Cart(null), "o1", [ofA, ofB, ofPlatform]);

        Assert.True(validation.Succeeded);
        Assert.Equal(RedemptionStatus.Locked, locked.Value!.Status);
    }

    [Fact]
    public async Task OtherUsersCouponOfAnotherShop_IsNotFound_NotTheShopRefusal()
    {
        await GivenAlicesCouponsAsync();
        var bobs = await _kit.IssueAsync("tb", "bob");

        var quote = await _checkout.QuoteAsync(Cart("shop-a"), [bobs.CouponId]);
        var unknown = await _checkout.QuoteAsync(Cart("shop-a"), ["no-such-coupon"]);

        Assert.Equal(CouponAccessReason.NotFound, quote.Refusal!.Reason);
        Assert.Equal(unknown.Refusal!.Message.Replace("no-such-coupon", "ID", StringComparison.Ordinal), quote.Refusal.Message.Replace(bobs.CouponId, "ID", StringComparison.Ordinal));
        Assert.Equal(0, _metrics.Count(SecurityReasons.CouponWrongShop, SecurityReasons.OperationQuote));
    }

    [Fact]
    public void Cart_ShopIdThatNamesNoValidOwner_Throws()
    {
        Assert.Throws<ArgumentException>(() => Cart("@evil"));
        Assert.Throws<ArgumentException>(() => Cart(" "));
        Assert.Throws<ArgumentException>(() => Cart(new string('s', 129)));
        Assert.Equal(CouponOwner.Platform, Cart(CouponOwner.Platform).ShopId);
    }

    private static Cart Cart(string? shopId) =>
        new("alice", [Shop.Line("a", 300)], Shop.Cny(0), Shop.Now) { ShopId = shopId };

    /// <summary>Alice holds one coupon of shop A's template, one of shop B's, and one of a platform template.</summary>
    private async Task<(string OfA, string OfB, string OfPlatform)> GivenAlicesCouponsAsync()
    {
        await _kit.Templates.CreateAsync(ShopA, TestKit.Draft("ta") with { Stacking = StackingPolicy.InGroup("g-a") });
        await _kit.Templates.ActivateAsync(ShopA, "ta");
        await _kit.Templates.CreateAsync(ShopB, TestKit.Draft("tb") with { Stacking = StackingPolicy.InGroup("g-b") });
        await _kit.Templates.ActivateAsync(ShopB, "tb");
        await _kit.ActiveAsync(TestKit.Draft("tp") with { Stacking = StackingPolicy.InGroup("g-p") });
        return ((await _kit.IssueAsync("ta", "alice")).CouponId, (await _kit.IssueAsync("tb", "alice")).CouponId, (await _kit.IssueAsync("tp", "alice")).CouponId);
    }
}
