using CouponKit.Issuance;
using CouponKit.Ports;
using CouponKit.Redemption;
using CouponKit.Rules;
using CouponKit.Statistics;

namespace CouponKit.Core.Tests.Statistics;

public class CouponStatisticsTests
{
    [Fact]
    public async Task GetTemplate_ScriptedLifecycle_CountsEveryState()
    {
        var world = new CouponWorld();
        await world.TemplateForDaysAsync("t1", days: 1);
        await world.TemplateForDaysAsync("other", days: 1);
        var expiring = await world.ClaimAsync("t1", "u1");
        world.Time.Advance(TimeSpan.FromHours(12));
        var usedA = await world.ClaimAsync("t1", "u2");
        var usedB = await world.ClaimAsync("t1", "u3", ClaimChannels.PromoCode);
        var relocked = await world.ClaimAsync("t1", "u4");
        var untouched = await world.ClaimAsync("t1", "u5", ClaimChannels.Push);
        var pushedAndReleased = await world.ClaimAsync("t1", "u6", ClaimChannels.Push);
        await world.UseAsync("other-order", await world.ClaimAsync("other", "u1"), recordedDiscount: 99m);

        await world.UseAsync("o1", usedA, recordedDiscount: 10m);
        await world.UseAsync("o2", usedB, recordedDiscount: 7.5m);
        await world.LockAsync("o3", relocked);
        await world.ReleaseAsync("o3", relocked);
        await world.LockAsync("o4", relocked);
        await world.LockAsync("o5", pushedAndReleased);
        await world.ReleaseAsync("o5", pushedAndReleased);
        var early = await world.Redemptions.ReleaseAsync("o6", untouched.UserId, [untouched.CouponId]); // Cancel before any Try: no lock released
        Assert.Equal(RedemptionStatus.Released, early.Status);
        world.Time.Advance(TimeSpan.FromHours(13));
        Assert.Equal([expiring.CouponId], (await world.Expiry.ExpireDueAsync()).Expired.Select(c => c.CouponId));

        var stats = await world.Statistics.GetTemplateAsync("t1");

        Assert.Equal("t1", stats.TemplateId);
        Assert.Equal(6, stats.Issued);
        Assert.Equal(4, stats.Claimed);
        Assert.Equal(2, stats.Available);
        Assert.Equal(1, stats.Locked);
        Assert.Equal(2, stats.Used);
        Assert.Equal(1, stats.Expired);
        Assert.Equal(stats.Issued, stats.Available + stats.Locked + stats.Used + stats.Expired);
        Assert.Equal(5, stats.LocksTaken);
        Assert.Equal(2, stats.Released);
        Assert.Equal(2, stats.UsedWithRecordedDiscount);
        Assert.Equal([CouponWorld.Cny(17.5m)], stats.DiscountGranted);
    }

    [Fact]
    public async Task GetTemplate_DiscountRecordedForAReleasedOrder_NotGranted()
    {
        var world = new CouponWorld();
        await world.TemplateForDaysAsync("t1", days: 1);
        var coupon = await world.ClaimAsync("t1", "u1");
        await world.LockAsync("o1", coupon);
        await ((ICouponDiscountStore)world.Store).RecordAsync([new CouponDiscount("o1", coupon.CouponId, CouponWorld.Cny(10))], CancellationToken.None);
        await world.ReleaseAsync("o1", coupon);

        var stats = await world.Statistics.GetTemplateAsync("t1");

        Assert.Equal(0, stats.Used);
        Assert.Equal(1, stats.Released);
        Assert.Empty(stats.DiscountGranted);
    }

    [Fact]
    public async Task GetTemplate_NoActivity_AllZero()
    {
        var world = new CouponWorld();
        await world.TemplateForDaysAsync("t1", days: 1);

        var stats = await world.Statistics.GetTemplateAsync("t1");

        Assert.Equal(0, stats.Issued + stats.Claimed + stats.Available + stats.Locked + stats.Used + stats.Expired + stats.LocksTaken + stats.Released);
        Assert.Empty(stats.DiscountGranted);
    }

    [Fact]
    public async Task GetTemplate_UnknownTemplate_Throws()
    {
        var world = new CouponWorld();

        var error = await Assert.ThrowsAsync<TemplateNotFoundException>(() => world.Statistics.GetTemplateAsync("nope"));
        Assert.Equal("nope", error.TemplateId);
    }

    [Fact]
    public async Task RecordDiscounts_FromTheQuote_GrantedOnceUsed()
    {
        var world = new CouponWorld();
        var template = await world.TemplateForDaysAsync("t1", days: 1);
        var coupon = await world.ClaimAsync("t1", "u1");
        var cart = new Cart("u1", [new CartLine("l1", "SKU-1", CouponWorld.Cny(59), 1)], CouponWorld.Cny(0), world.Time.GetUtcNow());
        var quote = new QuoteEngine().Quote(cart, [template.ToCoupon(coupon)]);
        await world.LockAsync("o1", coupon);

        await world.Statistics.RecordDiscountsAsync("o1", quote);
        var beforePayment = await world.Statistics.GetTemplateAsync("t1");
        await world.Redemptions.ConfirmAsync("o1", "u1");
        var afterPayment = await world.Statistics.GetTemplateAsync("t1");

        Assert.Equal([new CouponDiscount("o1", coupon.CouponId, CouponWorld.Cny(10))], await ((ICouponDiscountStore)world.Store).ListByOrderAsync("o1", CancellationToken.None));
        Assert.Empty(beforePayment.DiscountGranted);
        Assert.Equal([CouponWorld.Cny(10)], afterPayment.DiscountGranted);
    }
}
