using CouponKit.Rules;
using static CouponKit.Core.Tests.Shop;

namespace CouponKit.Core.Tests.Rules;

public sealed class ThresholdRebateRuleTests
{
    [Fact]
    public void Quote_SpendHundredGetTwenty_DiscountsTwentyAndAllocatesProportionally()
    {
        var quote = Quote(Cart(Line("a", 60), Line("b", 40), Line("c", 20)), Coupon("c1", Rebate(100, 20)));

        Assert.Equal(Cny(20), quote.TotalDiscount);
        Assert.Equal(Cny(100), quote.Payable);
        var applied = Assert.Single(quote.Applied);
        Assert.Equal(
            [("a", Cny(10)), ("b", Cny(6.67m)), ("c", Cny(3.33m))],
            applied.Allocations.Select(x => (x.LineId, x.Amount)));
    }

    [Fact]
    public void Quote_BelowThreshold_SaysHowMuchMoreToSpend()
    {
        var quote = Quote(Cart(Line("a", 87.70m)), Coupon("c1", Rebate(100, 20)));

        var rejection = Assert.Single(quote.Rejected);
        Assert.Equal(RejectionCode.BelowThreshold, rejection.Code);
        Assert.Equal(Cny(12.30m), rejection.Shortfall);
        Assert.Contains("spend CNY 12.30 more", rejection.Message, StringComparison.Ordinal);
        Assert.Equal(Cny(87.70m), quote.Payable);
    }

    [Theory]
    [InlineData(99.99, 0)]
    [InlineData(100, 10)]
    [InlineData(199.99, 10)]
    [InlineData(200, 25)]
    [InlineData(499, 25)]
    [InlineData(500, 80)]
    [InlineData(5000, 80)]
    public void Quote_Tiers_HighestTierReachedApplies(decimal spend, decimal expectedOff)
    {
        var quote = Quote(Cart(Line("a", spend)), Coupon("c1", Tiers((100, 10), (200, 25), (500, 80))));

        Assert.Equal(Cny(expectedOff), quote.TotalDiscount);
    }

    [Fact]
    public void Quote_ThresholdMeasuredOnInScopeLinesOnly()
    {
        var cart = Cart(Line("shoe", 80, categories: ["shoes"]), Line("tv", 900, categories: ["electronics"]));
        var coupon = Coupon("c1", Rebate(100, 20), CouponScope.ForCategories("shoes"));

        var quote = Quote(cart, coupon);

        Assert.Equal(Cny(20), Assert.Single(quote.Rejected).Shortfall);
    }

    [Fact]
    public void Quote_ItemCountThreshold_CountsInScopeUnits()
    {
        var rule = new ThresholdRebateRule(Threshold.ItemCount(3), Cny(15));

        var met = Quote(Cart(Line("a", 10, quantity: 2), Line("b", 10)), Coupon("c1", rule));
        var notMet = Quote(Cart(Line("a", 10, quantity: 2)), Coupon("c1", rule));

        Assert.Equal(Cny(15), met.TotalDiscount);
        var rejection = Assert.Single(notMet.Rejected);
        Assert.Equal(1, rejection.MissingItems);
        Assert.Contains("add 1 more eligible item", rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Quote_RebateLargerThanInScopeAmount_IsCappedAtTheAmount()
    {
        var quote = Quote(Cart(Line("a", 10, quantity: 1), Line("b", 100, categories: ["x"])), Coupon("c1", new ThresholdRebateRule(Threshold.ItemCount(1), Cny(50)), CouponScope.ForSkus("SKU-a")));

        Assert.Equal(Cny(10), quote.TotalDiscount);
        Assert.Equal(Cny(100), quote.Payable);
    }

    [Fact]
    public void Constructor_TiersNotIncreasing_ThrowsInvalidCoupon()
    {
        var ex = Assert.Throws<InvalidCouponException>(() => Tiers((200, 25), (100, 10)));
        Assert.Contains("strictly increasing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_HigherTierGivesLess_ThrowsInvalidCoupon()
    {
        Assert.Throws<InvalidCouponException>(() => Tiers((100, 30), (200, 25)));
    }

    [Fact]
    public void Constructor_MixedBasis_ThrowsInvalidCoupon()
    {
        Assert.Throws<InvalidCouponException>(() => new ThresholdRebateRule(
            [new RebateTier(Threshold.Spend(Cny(100)), Cny(10)), new RebateTier(Threshold.ItemCount(200), Cny(20))]));
    }

    [Fact]
    public void Constructor_NoTiers_ThrowsInvalidCoupon()
    {
        Assert.Throws<InvalidCouponException>(() => new ThresholdRebateRule(Array.Empty<RebateTier>()));
    }

    [Fact]
    public void Constructor_MixedCurrencies_ThrowsInvalidCoupon()
    {
        Assert.Throws<InvalidCouponException>(() => new ThresholdRebateRule(Threshold.Spend(Money.Of(100, "USD")), Cny(10)));
    }
}
