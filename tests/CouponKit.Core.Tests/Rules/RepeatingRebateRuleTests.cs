using CouponKit.Rules;
using static CouponKit.Core.Tests.Shop;

namespace CouponKit.Core.Tests.Rules;

public sealed class RepeatingRebateRuleTests
{
    private static readonly RepeatingRebateRule EveryHundredFifteenAtMostThree = new(Threshold.Spend(Cny(100)), Cny(15), maxTimes: 3);

    [Theory]
    [InlineData(99, 0)]
    [InlineData(100, 15)]
    [InlineData(250, 30)]
    [InlineData(300, 45)]
    [InlineData(1000, 45)]
    public void Quote_EveryFullHundred_GivesFifteenUpToThreeTimes(decimal spend, decimal expected)
    {
        var quote = Quote(Cart(Line("a", spend)), Coupon("c1", EveryHundredFifteenAtMostThree));

        Assert.Equal(Cny(expected), quote.TotalDiscount);
    }

    [Fact]
    public void Quote_NoLimit_RepeatsForEveryStep()
    {
        var quote = Quote(Cart(Line("a", 1000)), Coupon("c1", new RepeatingRebateRule(Threshold.Spend(Cny(100)), Cny(15))));

        Assert.Equal(Cny(150), quote.TotalDiscount);
    }

    [Fact]
    public void Quote_BelowFirstStep_SaysShortfall()
    {
        var quote = Quote(Cart(Line("a", 40)), Coupon("c1", EveryHundredFifteenAtMostThree));

        Assert.Equal(Cny(60), Assert.Single(quote.Rejected).Shortfall);
    }

    [Fact]
    public void Constructor_ZeroTimes_ThrowsInvalidCoupon()
    {
        Assert.Throws<InvalidCouponException>(() => new RepeatingRebateRule(Threshold.Spend(Cny(100)), Cny(15), maxTimes: 0));
    }
}
