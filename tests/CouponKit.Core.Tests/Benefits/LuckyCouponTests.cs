using CouponKit.Benefits;
using CouponKit.Rules;

namespace CouponKit.Core.Tests.Benefits;

public class LuckyCouponTests
{
    private const decimal PinnedUniform42 = 10.44m;

    private static readonly UniformDraw ThreeToTwenty = LuckyDraw.Uniform(Shop.Cny(3m), Shop.Cny(20m));

    [Fact]
    public async Task ClaimAsync_UniformLuckyCoupon_RecordsAReplayableDrawInsideTheRange()
    {
        var kit = new BenefitKit();
        var template = await kit.ActiveAsync(BenefitKit.Draft(new LuckyCouponBenefit(ThreeToTwenty, Threshold.Spend(Shop.Cny(50m)))));

        var coupon = await kit.IssueAsync(template.Id, "u1");

        var draw = Assert.IsType<BenefitDraw>(coupon.Draw);
        Assert.Equal(LuckyDraws.UniformAlgorithm, draw.Algorithm);
        Assert.InRange(draw.Value.Amount, 3m, 20m);
        Assert.True(draw.Value.IsWholeMinorUnits);
        Assert.True(LuckyDraws.Replay(ThreeToTwenty, draw));
        Assert.Equal(LuckyDraws.Draw(ThreeToTwenty, draw.Seed), draw);
        var rule = Assert.IsType<FixedAmountRule>(template.ToCoupon(coupon).Rule);
        Assert.Equal(draw.Value, rule.Off);
        Assert.Equal(BenefitKind.LuckyCoupon, BenefitGrant.Of(template, coupon).Kind);
        Assert.Equal(draw.Value, BenefitGrant.Of(template, coupon).FaceValue);
    }

    [Fact]
    public async Task ClaimAsync_SameKeyAgain_ReturnsTheSameDrawAndIssuesNothingMore()
    {
        var kit = new BenefitKit();
        var template = await kit.ActiveAsync(BenefitKit.Draft(new LuckyCouponBenefit(ThreeToTwenty)));

        var first = await kit.ClaimAsync(template.Id, "u1", "k1");
        var again = await kit.ClaimAsync(template.Id, "u1", "k1");
        var second = await kit.ClaimAsync(template.Id, "u1", "k2");

        Assert.True(again.IsReplay);
        Assert.Equal(first.Coupon!.Draw, again.Coupon!.Draw);
        Assert.Equal(CouponKit.Issuance.ClaimRejection.LimitReached, second.Rejection);
        Assert.Single(kit.Store.Coupons);
    }

    [Fact]
    public async Task ClaimAsync_WeightedLuckyCoupon_DrawsAPrizeOfTheTable()
    {
        var kit = new BenefitKit();
        var table = LuckyDraw.Weighted(new(Shop.Cny(50m), 1), new(Shop.Cny(10m), 20), new(Shop.Cny(3m), 79));
        var template = await kit.ActiveAsync(BenefitKit.Draft(new LuckyCouponBenefit(table), inventory: 200));

        for (var i = 0; i < 200; i++)
        {
            await kit.IssueAsync(template.Id, $"u{i}");
        }

        Assert.All(kit.Store.Coupons, c =>
        {
            var draw = c.Draw!;
            Assert.Equal(table.Prizes[draw.PrizeIndex!.Value].Value, draw.Value);
            Assert.True(LuckyDraws.Replay(table, draw));
        });
        var distribution = await kit.Statistics.GetDistributionAsync(template.Id);
        Assert.Equal(200, distribution.Issued);
        Assert.Equal(0, distribution.AuditFailures);
        Assert.Equal(200, distribution.Buckets.Sum(b => b.IssuedCount));
        Assert.Equal([0.01, 0.2, 0.79], distribution.Buckets.Select(b => b.ConfiguredProbability));
        Assert.Equal(2, distribution.DegreesOfFreedom);
        Assert.Equal(Shop.Cny((50m * 1 + 10m * 20 + 3m * 79) / 100m), distribution.ConfiguredMean);
    }

    [Fact]
    public void Draw_WeightedTableWithZeroWeight_NeverDrawsThatPrize()
    {
        var table = LuckyDraw.Weighted(new(Shop.Cny(50m), 0), new(Shop.Cny(3m), 1));

        for (ulong seed = 0; seed < 2_000; seed++)
        {
            Assert.Equal(1, LuckyDraws.Draw(table, seed).PrizeIndex);
        }

        Assert.Equal(Shop.Cny(3m), table.Highest);
    }

    [Fact]
    public void Draw_SameSeed_GivesTheSameValueForever()
    {
        // Pinned values: a change of generator or of the way it is used must take a new algorithm name, never change these.
        Assert.Equal(LuckyDraws.Draw(ThreeToTwenty, 42UL), LuckyDraws.Draw(ThreeToTwenty, 42UL));
        Assert.Equal(Shop.Cny(PinnedUniform42), LuckyDraws.Draw(ThreeToTwenty, 42UL).Value);
        Assert.Equal(42UL, LuckyDraws.Draw(ThreeToTwenty, 42UL).Seed);
        Assert.True(Enumerable.Range(0, 50).Select(s => LuckyDraws.Draw(ThreeToTwenty, (ulong)s).Value).Distinct().Count() > 40, "different seeds give different values");
    }

    [Fact]
    public async Task GetDistributionAsync_UniformDraws_ReportsRangesAndMeans()
    {
        var kit = new BenefitKit();
        var template = await kit.ActiveAsync(BenefitKit.Draft(new LuckyCouponBenefit(ThreeToTwenty), inventory: 500));
        for (var i = 0; i < 500; i++)
        {
            await kit.IssueAsync(template.Id, $"u{i}");
        }

        var distribution = await kit.Statistics.GetDistributionAsync(template.Id);

        Assert.Equal(BenefitStatistics.RangeBuckets, distribution.Buckets.Count);
        Assert.Equal(Shop.Cny(3m), distribution.Buckets[0].From);
        Assert.Equal(Shop.Cny(20m), distribution.Buckets[^1].To);
        Assert.Equal(1d, distribution.Buckets.Sum(b => b.ConfiguredProbability), 9);
        Assert.Equal(500, distribution.Buckets.Sum(b => b.IssuedCount));
        Assert.Equal(Shop.Cny(11.5m), distribution.ConfiguredMean);
        Assert.Equal(kit.Store.Coupons.Sum(c => c.Draw!.Value.Amount), distribution.IssuedTotal!.Value.Amount);
        Assert.Equal(0, distribution.AuditFailures);
    }
}
