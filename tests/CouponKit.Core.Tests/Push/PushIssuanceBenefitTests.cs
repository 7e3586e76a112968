using CouponKit.Benefits;
using CouponKit.Issuance;
using CouponKit.Ports;

namespace CouponKit.Core.Tests.Push;

/// <summary>Pushed coupons get their template's benefit as claimed ones do.</summary>
public class PushIssuanceBenefitTests
{
    private static readonly UniformDraw ThreeToTwenty = LuckyDraw.Uniform(Shop.Cny(3m), Shop.Cny(20m));

    // Invariant: every pushed lucky coupon carries a draw within the table's range that replays from its seed.
    [Fact]
    public async Task StartAsync_LuckyCoupon_EachPushedCouponHasAReplayableDraw()
    {
        var shop = new PushHarness().WithUsers(250);
        var template = await shop.ActiveAsync(new LuckyCouponBenefit(ThreeToTwenty), inventory: 1_000);

        var job = await shop.Sut.StartAsync(PushHarness.Request(template.Id, chunkSize: 100));

        Assert.Equal((PushJobState.Completed, 250L), (job.State, job.Issued));
        var coupons = shop.Store.Coupons.Where(c => c.TemplateId == template.Id).ToArray();
        Assert.Equal(250, coupons.Length);
        Assert.All(coupons, c =>
        {
            var draw = Assert.IsType<BenefitDraw>(c.Draw);
            Assert.True(draw.Value.CompareTo(Shop.Cny(3m)) >= 0 && draw.Value.CompareTo(Shop.Cny(20m)) <= 0, $"{draw.Value} is outside 3..20");
            Assert.True(LuckyDraws.Replay(ThreeToTwenty, draw));
        });
    }

    // Invariant: a push of 60 users into a split red envelope of 50 shares issues 50 coupons holding sequences 0..49 once each,
    // writes one credit command per coupon, and stops as sold out.
    [Fact]
    public async Task StartAsync_SplitRedEnvelope_AssignsEachShareOnceAndWritesItsCredit()
    {
        var shop = new PushHarness().WithUsers(60);
        var template = await shop.ActiveAsync(new SplitRedEnvelopeBenefit(Shop.Cny(100m)), inventory: 50);

        var job = await shop.Sut.StartAsync(PushHarness.Request(template.Id, chunkSize: 20));

        Assert.Equal((PushJobState.SoldOut, 50L), (job.State, job.Issued));
        var coupons = shop.Store.Coupons.Where(c => c.TemplateId == template.Id).ToArray();
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long?)i), coupons.Select(c => c.IssueSequence).Order());
        Assert.Equal(
            coupons.Select(c => c.CouponId).Order(StringComparer.Ordinal),
            shop.Store.OutboxEntries.Where(e => e.Message.Tag == BenefitIssuance.CreditTag).Select(e => e.Message.Key).Order(StringComparer.Ordinal));
    }
}
