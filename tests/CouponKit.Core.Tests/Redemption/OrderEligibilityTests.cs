using CouponKit.Core.Tests.Issuance;
using CouponKit.InMemory;
using CouponKit.Issuance;
using CouponKit.Redemption;
using CouponKit.Rules;
using Microsoft.Extensions.Options;

namespace CouponKit.Core.Tests.Redemption;

/// <summary>First-order-only and once-per-product coupons at quote (<see cref="CouponCheckout"/>) and at Try (<see cref="CouponRedemptions"/>).</summary>
public class OrderEligibilityTests
{
    private static readonly string[] T1 = ["t1"];

    private readonly TestKit _kit = new();
    private readonly InMemoryOrderHistory _orders = new();
    private readonly InMemoryProductDiscountHistory _products = new();
    private readonly CouponCheckout _checkout;
    private readonly CouponRedemptions _redemptions;

    public OrderEligibilityTests()
    {
        _checkout = new CouponCheckout(_kit.Store, _kit.Store, new QuoteEngine(), _orders, _products);
        _redemptions = new CouponRedemptions(_kit.Store, _kit.Store, _kit.Store, _orders, _products, _kit.Time, Options.Create(_kit.Options));
    }

    [Fact]
    public async Task QuoteAsync_FirstOrderOnlyForAUserWithAPaidOrder_IsNotFirstOrder()
    {
        await _kit.ActiveAsync(TestKit.Draft() with { FirstOrderOnly = true });
        var coupon = await _kit.IssueAsync("t1", "user-1");

        var first = (await _checkout.QuoteAsync(CartOf(("a", "SKU-A", 150m)))).Value!;
        _orders.RecordPaid("user-1");
        var later = (await _checkout.QuoteAsync(CartOf(("a", "SKU-A", 150m)))).Value!;

        Assert.Equal(Shop.Cny(10m), first.TotalDiscount);
        Assert.Equal(Shop.Cny(0m), later.TotalDiscount);
        var rejection = Assert.Single(later.Rejected);
        Assert.Equal((coupon.CouponId, RejectionCode.NotFirstOrder), (rejection.CouponId, rejection.Code));
    }

    [Fact]
    public async Task LockAsync_FirstOrderOnlyForAUserWithAPaidOrder_IsRefusedAndChangesNothing()
    {
        await _kit.ActiveAsync(TestKit.Draft() with { FirstOrderOnly = true });
        var coupon = await _kit.IssueAsync("t1", "user-1");
        _orders.RecordPaid("user-1");
        var before = await _kit.SnapshotAsync(T1, orderIds: ["o1"]);

        var result = await _redemptions.LockAsync("o1", "user-1", [coupon.CouponId]);

        Assert.Equal((RedemptionStatus.Refused, RedemptionRefusal.NotFirstOrder), (result.Status, result.Refusal));
        await _kit.AssertUnchangedAsync(before, T1, orderIds: ["o1"]);
    }

    [Fact]
    public async Task LockAsync_FirstOrderOnlyOnTheFirstOrder_Locks()
    {
        await _kit.ActiveAsync(TestKit.Draft() with { FirstOrderOnly = true });
        var coupon = await _kit.IssueAsync("t1", "user-1");

        var result = await _redemptions.LockAsync("o1", "user-1", [coupon.CouponId]);

        Assert.Equal(RedemptionStatus.Locked, result.Status);
    }

    [Fact]
    public async Task OncePerProduct_AProductDiscountedInAPaidOrder_IsRejectedAtQuoteAndRefusedAtTry()
    {
        await _kit.ActiveAsync(TestKit.Draft() with { OncePerProduct = true, PerUserLimit = 3 });
        var first = await _kit.IssueAsync("t1", "user-1");
        var second = await _kit.IssueAsync("t1", "user-1");
        var cart = CartOf(("a", "SKU-A", 150m));
        Assert.Equal(RedemptionStatus.Locked, (await _redemptions.LockAsync("o1", cart, [first.CouponId])).Status);
        Assert.Equal(RedemptionStatus.Confirmed, (await _redemptions.ConfirmAsync("o1", "user-1")).Status);

        var quote = (await _checkout.QuoteAsync(CartOf(("x", "SKU-A", 200m)), [second.CouponId])).Value!;
        var rejection = Assert.Single(quote.Rejected);
        Assert.Equal((RejectionCode.ProductAlreadyDiscounted, "SKU-A"), (rejection.Code, rejection.Product));

        var before = await _kit.SnapshotAsync(T1, orderIds: ["o2"]);
        var refused = await _redemptions.LockAsync("o2", CartOf(("x", "SKU-A", 200m), ("y", "SKU-B", 50m)), [second.CouponId]);
        Assert.Equal((RedemptionStatus.Refused, RedemptionRefusal.ProductAlreadyDiscounted), (refused.Status, refused.Refusal));
        await _kit.AssertUnchangedAsync(before, T1, orderIds: ["o2"]);
        Assert.Equal(["SKU-A"], await _products.ListDiscountedAsync("user-1", "t1", CancellationToken.None));

        // Another product is fine.
        var other = (await _checkout.QuoteAsync(CartOf(("z", "SKU-C", 200m)), [second.CouponId])).Value!;
        Assert.Equal(Shop.Cny(10m), other.TotalDiscount);
        Assert.Equal(RedemptionStatus.Locked, (await _redemptions.LockAsync("o3", CartOf(("z", "SKU-C", 200m)), [second.CouponId])).Status);
    }

    [Fact]
    public async Task OncePerProduct_TwoUnpaidOrdersOnOneProduct_OnlyTheFirstLocksUntilItIsReleased()
    {
        await _kit.ActiveAsync(TestKit.Draft() with { OncePerProduct = true, PerUserLimit = 2 });
        var first = await _kit.IssueAsync("t1", "user-1");
        var second = await _kit.IssueAsync("t1", "user-1");
        var cart = CartOf(("a", "SKU-A", 150m));

        Assert.Equal(RedemptionStatus.Locked, (await _redemptions.LockAsync("o1", cart, [first.CouponId])).Status);
        Assert.Equal(RedemptionRefusal.ProductAlreadyDiscounted, (await _redemptions.LockAsync("o2", cart, [second.CouponId])).Refusal);
        Assert.Equal(RedemptionStatus.AlreadyDone, (await _redemptions.LockAsync("o1", cart, [first.CouponId])).Status);

        Assert.Equal(RedemptionStatus.Released, (await _redemptions.ReleaseAsync("o1", "user-1")).Status);

        Assert.Empty(await _products.ListDiscountedAsync("user-1", "t1", CancellationToken.None));
        Assert.Equal(RedemptionStatus.Locked, (await _redemptions.LockAsync("o2", cart, [second.CouponId])).Status);
    }

    [Fact]
    public async Task OncePerProduct_ATryTheStoreRefuses_GivesTheProductsBack()
    {
        await _kit.ActiveAsync(TestKit.Draft() with { OncePerProduct = true });
        var coupon = await _kit.IssueAsync("t1", "user-1");
        await _redemptions.ReleaseAsync("o1", "user-1", [coupon.CouponId]); // a Cancel before its Try: the late Try is refused

        var late = await _redemptions.LockAsync("o1", CartOf(("a", "SKU-A", 150m)), [coupon.CouponId]);

        Assert.Equal(RedemptionRefusal.OrderCancelled, late.Refusal);
        Assert.Empty(await _products.ListDiscountedAsync("user-1", "t1", CancellationToken.None));
    }

    [Fact]
    public async Task LockAsync_OncePerProductWithoutTheCart_IsCartRequiredAndChangesNothing()
    {
        await _kit.ActiveAsync(TestKit.Draft() with { OncePerProduct = true });
        var coupon = await _kit.IssueAsync("t1", "user-1");
        var before = await _kit.SnapshotAsync(T1, orderIds: ["o1"]);

        var result = await _redemptions.LockAsync("o1", "user-1", [coupon.CouponId]);

        Assert.Equal(RedemptionRefusal.CartRequired, result.Refusal);
        await _kit.AssertUnchangedAsync(before, T1, orderIds: ["o1"]);
    }

    [Fact]
    public async Task LockAsync_AnotherUsersRestrictedCoupon_IsNotFoundAndReadsNoHistory()
    {
        await _kit.ActiveAsync(TestKit.Draft() with { FirstOrderOnly = true });
        var coupon = await _kit.IssueAsync("t1", "user-1");
        _orders.RecordPaid("user-2");

        var result = await _redemptions.LockAsync("o1", "user-2", [coupon.CouponId]);

        Assert.Equal(RedemptionRefusal.CouponNotFound, result.Refusal);
    }

    private static Cart CartOf(params (string Line, string Sku, decimal Price)[] lines) =>
        new("user-1", lines.Select(l => Shop.Line(l.Line, l.Price, sku: l.Sku)), Shop.Cny(0), Shop.Now.AddMinutes(1));
}
