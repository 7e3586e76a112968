using CouponKit.Core.Tests.Issuance;
using CouponKit.Issuance;
using CouponKit.Redemption;
using CouponKit.Rules;
using CouponKit.Security;
using Microsoft.Extensions.Options;

namespace CouponKit.Core.Tests.Security;

/// <summary>
/// Issue 11, ownership everywhere: user B can neither quote, validate, lock, confirm nor cancel user A's coupon or order; a
/// foreign id is refused exactly like an unknown one, nothing changes, and the refusal is counted without ids as tags.
/// </summary>
public sealed class OwnershipTests : IDisposable
{
    private static readonly string[] Orders = ["o1", "o9", "ob"];
    private static readonly string[] Users = ["alice", "bob"];

    private readonly SecurityMetrics _metrics = new();
    private readonly TestKit _kit = new();
    private readonly CouponRedemptions _redemptions;
    private readonly CouponCheckout _checkout;

    public OwnershipTests()
    {
        _redemptions = new CouponRedemptions(_kit.Store, _kit.Time, Options.Create(_kit.Options), _metrics);
        _checkout = new CouponCheckout(_kit.Store, _kit.Store, new QuoteEngine(), _metrics);
    }

    public void Dispose() => _metrics.Dispose();

    [Fact]
    public async Task LockAsync_OtherUsersCoupon_RefusedLikeAnUnknownOneAndChangesNothing()
    {
        var (alices, _) = await GivenCouponsAsync();
        var before = await _kit.SnapshotAsync(["t1"], Users, Orders);

        var foreign = await _redemptions.LockAsync("ob", "bob", [alices]);
        var unknown = await _redemptions.LockAsync("ob", "bob", ["no-such-coupon"]);

        Assert.Equal((RedemptionStatus.Refused, RedemptionRefusal.CouponNotFound), (foreign.Status, foreign.Refusal));
        Assert.Equal((unknown.Status, unknown.Refusal), (foreign.Status, foreign.Refusal));
        Assert.Equal(unknown.Message.Replace("no-such-coupon", "ID", StringComparison.Ordinal), foreign.Message.Replace(alices, "ID", StringComparison.Ordinal));
        Assert.Empty(foreign.Coupons);
        await _kit.AssertUnchangedAsync(before, ["t1"], Users, Orders);
        Assert.Equal(2, _metrics.Count(SecurityReasons.CouponNotFound, SecurityReasons.OperationLock));
        _metrics.AssertNoTagContains(alices, "ob", "bob", "alice");
    }

    [Fact]
    public async Task ConfirmAsync_OtherUsersOrder_RefusedOrderNotFoundAndChangesNothing()
    {
        var (alices, _) = await GivenCouponsAsync();
        Assert.Equal(RedemptionStatus.Locked, (await _redemptions.LockAsync("o1", "alice", [alices])).Status);
        var before = await _kit.SnapshotAsync(["t1"], Users, Orders);

        var confirm = await _redemptions.ConfirmAsync("o1", "bob");

        Assert.Equal((RedemptionStatus.Refused, RedemptionRefusal.OrderNotFound), (confirm.Status, confirm.Refusal));
        Assert.Empty(confirm.Coupons);
        await _kit.AssertUnchangedAsync(before, ["t1"], Users, Orders);
        Assert.Equal(CouponState.Locked, _kit.Coupon(alices).State);
        Assert.Equal(1, _metrics.Count(SecurityReasons.OrderNotFound, SecurityReasons.OperationConfirm));
        Assert.Equal(RedemptionStatus.Confirmed, (await _redemptions.ConfirmAsync("o1", "alice")).Status); // the owner still can
    }

    [Fact]
    public async Task ReleaseAsync_OtherUsersOrder_RefusedOrderNotFoundWithOrWithoutIdsAndChangesNothing()
    {
        var (alices, _) = await GivenCouponsAsync();
        await _redemptions.LockAsync("o1", "alice", [alices]);
        var before = await _kit.SnapshotAsync(["t1"], Users, Orders);

        var whole = await _redemptions.ReleaseAsync("o1", "bob");
        var named = await _redemptions.ReleaseAsync("o1", "bob", [alices]);

        Assert.Equal((RedemptionStatus.Refused, RedemptionRefusal.OrderNotFound), (whole.Status, whole.Refusal));
        Assert.Equal((RedemptionStatus.Refused, RedemptionRefusal.OrderNotFound), (named.Status, named.Refusal));
        await _kit.AssertUnchangedAsync(before, ["t1"], Users, Orders);
        Assert.Equal(2, _metrics.Count(SecurityReasons.OrderNotFound, SecurityReasons.OperationCancel));
    }

    [Fact]
    public async Task ReleaseAsync_BeforeTryNamingOtherUsersCoupon_RefusedLikeAnUnknownOneAndWritesNoBarrier()
    {
        var (alices, _) = await GivenCouponsAsync();
        var before = await _kit.SnapshotAsync(["t1"], Users, Orders);

        var foreign = await _redemptions.ReleaseAsync("o9", "bob", [alices]);
        var unknown = await _redemptions.ReleaseAsync("o9", "bob", ["no-such-coupon"]);

        Assert.Equal((RedemptionStatus.Refused, RedemptionRefusal.CouponNotFound), (foreign.Status, foreign.Refusal));
        Assert.Equal((RedemptionStatus.Refused, RedemptionRefusal.CouponNotFound), (unknown.Status, unknown.Refusal));
        await _kit.AssertUnchangedAsync(before, ["t1"], Users, Orders);
        Assert.Equal(RedemptionStatus.Locked, (await _redemptions.LockAsync("o9", "alice", [alices])).Status); // no barrier blocks alice
    }

    [Fact]
    public async Task LockAsync_OnOtherUsersOrderWithTheSameCoupons_RefusedAndShowsNoCoupon()
    {
        var (alices, _) = await GivenCouponsAsync();
        await _redemptions.LockAsync("o1", "alice", [alices]);
        var before = await _kit.SnapshotAsync(["t1"], Users, Orders);

        var replay = await _redemptions.LockAsync("o1", "bob", [alices]);

        Assert.Equal((RedemptionStatus.Refused, RedemptionRefusal.OrderNotFound), (replay.Status, replay.Refusal));
        Assert.Empty(replay.Coupons); // before the fix an "already done" answer listed alice's locked coupon
        await _kit.AssertUnchangedAsync(before, ["t1"], Users, Orders);
    }

    [Fact]
    public async Task ConfirmAndRelease_OwnOrder_StillWork()
    {
        var (alices, _) = await GivenCouponsAsync();
        Assert.Equal(RedemptionStatus.Locked, (await _redemptions.LockAsync("o1", "alice", [alices])).Status);
        Assert.Equal(RedemptionStatus.Released, (await _redemptions.ReleaseAsync("o1", "alice")).Status);
        Assert.Equal(CouponState.Available, _kit.Coupon(alices).State);
        Assert.Empty(_metrics.Refusals);
    }

    [Fact]
    public async Task QuoteAsync_OtherUsersCoupon_RefusedLikeAnUnknownOne()
    {
        var (alices, bobs) = await GivenCouponsAsync();
        var before = await _kit.SnapshotAsync(["t1"], Users, Orders);
        var cart = BobsCart();

        var foreign = await _checkout.QuoteAsync(cart, [bobs, alices]);
        var unknown = await _checkout.QuoteAsync(cart, [bobs, "no-such-coupon"]);
        var own = await _checkout.QuoteAsync(cart, [bobs]);
        var wallet = await _checkout.QuoteAsync(cart);

        Assert.False(foreign.Succeeded);
        Assert.Null(foreign.Value);
        Assert.Equal(CouponAccessReason.NotFound, foreign.Refusal!.Reason);
        Assert.Equal(unknown.Refusal!.Reason, foreign.Refusal.Reason);
        Assert.Equal(unknown.Refusal.Message.Replace("no-such-coupon", "ID", StringComparison.Ordinal), foreign.Refusal.Message.Replace(alices, "ID", StringComparison.Ordinal));
        Assert.Equal(Shop.Cny(10), own.Value!.TotalDiscount);
        Assert.Equal([bobs], wallet.Value!.Applied.Select(a => a.CouponId));
        await _kit.AssertUnchangedAsync(before, ["t1"], Users, Orders);
        Assert.Equal(2, _metrics.Count(SecurityReasons.CouponNotFound, SecurityReasons.OperationQuote));
        _metrics.AssertNoTagContains(alices, bobs, "bob", "alice");
    }

    [Fact]
    public async Task ValidateAsync_OtherUsersOrOwnUsedCoupon_Refused()
    {
        var (alices, bobs) = await GivenCouponsAsync();
        await _redemptions.LockAsync("ob", "bob", [bobs]);
        await _redemptions.ConfirmAsync("ob", "bob");

        var foreign = await _checkout.ValidateAsync(BobsCart(), [alices]);
        var used = await _checkout.ValidateAsync(BobsCart(), [bobs]);

        Assert.Equal(CouponAccessReason.NotFound, foreign.Refusal!.Reason);
        Assert.Equal(CouponAccessReason.NotAvailable, used.Refusal!.Reason);
        Assert.Equal(1, _metrics.Count(SecurityReasons.CouponNotFound, SecurityReasons.OperationValidate));
        Assert.Equal(1, _metrics.Count(SecurityReasons.CouponNotAvailable, SecurityReasons.OperationValidate));
    }

    [Fact]
    public void QuoteEngine_CouponHeldByAnotherUser_NeverApplies()
    {
        var cart = Shop.Cart(Shop.Line("a", 200));
        var foreign = new Coupon { Id = "c1", Rule = Shop.Rebate(100, 10), HolderId = "someone-else" };
        var own = new Coupon { Id = "c2", Rule = Shop.Rebate(100, 5), HolderId = cart.UserId, Issuer = CouponIssuer.Platform };

        var quote = new QuoteEngine().Quote(cart, [foreign, own]);
        var validation = new QuoteEngine().Validate(cart, [foreign]);

        Assert.Equal(["c2"], quote.Applied.Select(a => a.CouponId));
        Assert.Equal(RejectionCode.NotFound, Assert.Single(quote.Rejected).Code);
        Assert.False(validation.IsValid);
        Assert.True(validation.Quote.TotalDiscount.IsZero);
    }

    private static Cart BobsCart() => new("bob", [Shop.Line("a", 200)], Shop.Cny(0), Shop.Now);

    private async Task<(string Alices, string Bobs)> GivenCouponsAsync()
    {
        await _kit.ActiveAsync(TestKit.Draft("t1"));
        var alices = await _kit.IssueAsync("t1", "alice");
        var bobs = await _kit.IssueAsync("t1", "bob");
        return (alices.CouponId, bobs.CouponId);
    }
}
