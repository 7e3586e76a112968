using CouponKit.Rules;
using static CouponKit.Core.Tests.Shop;

namespace CouponKit.Core.Tests.Rules;

public sealed class BuyXGetYRuleTests
{
    [Fact]
    public void Quote_BuyTwoGetOneFree_CheapestUnitIsFree()
    {
        var cart = Cart(Line("a", 30), Line("b", 20), Line("c", 10));

        var quote = Quote(cart, Coupon("c1", new BuyXGetYRule(2, 1)));

        Assert.Equal(Cny(10), quote.TotalDiscount);
        Assert.Equal(("c", Cny(10)), Assert.Single(Assert.Single(quote.Applied).Allocations) is var a ? (a.LineId, a.Amount) : default);
    }

    [Fact]
    public void Quote_BuyTwoGetOneFree_SixUnitsGiveTwoFree()
    {
        var quote = Quote(Cart(Line("a", 30, quantity: 3), Line("b", 5, quantity: 3)), Coupon("c1", new BuyXGetYRule(2, 1)));

        Assert.Equal(Cny(10), quote.TotalDiscount);
    }

    [Fact]
    public void Quote_SecondAtHalfPrice_DiscountsHalfOfCheapest()
    {
        var quote = Quote(Cart(Line("a", 40), Line("b", 25)), Coupon("c1", new BuyXGetYRule(1, 1, rewardPercent: 50m)));

        Assert.Equal(Cny(12.50m), quote.TotalDiscount);
    }

    [Fact]
    public void Quote_TooFewItems_SaysHowManyToAdd()
    {
        var rejection = Assert.Single(Quote(Cart(Line("a", 40)), Coupon("c1", new BuyXGetYRule(2, 1))).Rejected);

        Assert.Equal(RejectionCode.BelowThreshold, rejection.Code);
        Assert.Equal(2, rejection.MissingItems);
    }

    [Fact]
    public void Quote_RewardSku_GivesThatItemFree()
    {
        var cart = Cart(Line("shampoo", 30, quantity: 2, sku: "SHAMPOO"), Line("conditioner", 18, sku: "COND"));
        var coupon = Coupon("c1", new BuyXGetYRule(2, 1, rewardSku: "COND"), CouponScope.ForSkus("SHAMPOO"));

        var quote = Quote(cart, coupon);

        Assert.Equal(Cny(18), quote.TotalDiscount);
        Assert.Equal("conditioner", Assert.Single(Assert.Single(quote.Applied).Allocations).LineId);
    }

    [Fact]
    public void Quote_RewardSkuMissing_SaysRewardItemMissing()
    {
        var cart = Cart(Line("shampoo", 30, quantity: 2, sku: "SHAMPOO"));
        var coupon = Coupon("c1", new BuyXGetYRule(2, 1, rewardSku: "COND"), CouponScope.ForSkus("SHAMPOO"));

        var rejection = Assert.Single(Quote(cart, coupon).Rejected);

        Assert.Equal(RejectionCode.RewardItemMissing, rejection.Code);
        Assert.Contains("COND", rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Quote_MaxApplications_LimitsFreeUnits()
    {
        var quote = Quote(Cart(Line("a", 10, quantity: 9)), Coupon("c1", new BuyXGetYRule(2, 1, maxApplications: 1)));

        Assert.Equal(Cny(10), quote.TotalDiscount);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 0)]
    [InlineData(1001, 1)]
    public void Constructor_OutOfRange_ThrowsInvalidCoupon(int buy, int get)
    {
        Assert.Throws<InvalidCouponException>(() => new BuyXGetYRule(buy, get));
    }
}
