using CouponKit.Rules;
using static CouponKit.Core.Tests.Shop;

namespace CouponKit.Core.Tests.Properties;

/// <summary>The smallest examples of the bugs the properties found, kept as example tests.</summary>
public class Regressions
{
    // Found by Quote_IsTheBestOfEveryValidSubset. Buy X get Y rewards the cheapest units of the lines that still have an
    // amount, so it can give more after an earlier item-level coupon than alone: X1 makes the 0.01 apple free, and then X2
    // (buy 2 get 1 cheapest) rewards a 1.00 unit instead of the apple. The search bounded X2 by what it gives alone (0.01),
    // found Y + X2 (0.51) first and cut the branch X1 + X2 (1.01), yet said the quote was proven optimal.
    [Fact]
    public void Quote_EarlierItemCouponEmptiesTheCheapestLine_FindsTheBestCombination()
    {
        var cart = Cart(Line("a", 0.01m, sku: "apple"), Line("b", 1m, sku: "bread"), Line("c", 1m, sku: "cheese"), Line("d", 1m, sku: "dates"));
        var y = Coupon("Y", new BuyXGetYRule(1, 1, 50m, rewardSku: "cheese"), CouponScope.ForSkus("dates"), new StackingPolicy { Priority = 1 });
        var x1 = Coupon("X1", new BuyXGetYRule(1, 1, rewardSku: "apple"), CouponScope.ForSkus("bread"));
        var x2 = Coupon("X2", new BuyXGetYRule(2, 1), issuer: CouponIssuer.Platform);

        var quote = Quote(cart, y, x1, x2);

        Assert.Equal(["X1", "X2"], quote.Applied.Select(a => a.CouponId));
        Assert.Equal([Cny(0.01m), Cny(1.00m)], quote.Applied.Select(a => a.Discount));
        Assert.Equal(Cny(1.01m), quote.TotalDiscount);
        Assert.True(quote.IsProvenOptimal);
        var rejection = Assert.Single(quote.Rejected);
        Assert.Equal(("Y", RejectionCode.ConflictsWithCoupon, "X1"), (rejection.CouponId, rejection.Code, rejection.ConflictingCouponId));
    }

    // The same with a reward SKU: X1 makes the 0.01 apple free, so X2 (buy a bread, get an apple) rewards the 5.00 apple.
    [Fact]
    public void Quote_EarlierItemCouponEmptiesTheCheapestRewardLine_FindsTheBestCombination()
    {
        var cart = Cart(Line("a", 0.01m, sku: "apple"), Line("b", 1m, sku: "bread"), Line("c", 1m, sku: "cheese"), Line("e", 5m, sku: "apple"));
        var y = Coupon("Y", new BuyXGetYRule(1, 1, 50m, rewardSku: "cheese"), CouponScope.ForSkus("bread"), new StackingPolicy { Priority = 1 });
        var x1 = Coupon("X1", new BuyXGetYRule(1, 1), CouponScope.ForSkus("apple"));
        var x2 = Coupon("X2", new BuyXGetYRule(1, 1, rewardSku: "apple"), CouponScope.ForSkus("bread"), issuer: CouponIssuer.Platform);

        var quote = Quote(cart, y, x1, x2);

        Assert.Equal(["X1", "X2"], quote.Applied.Select(a => a.CouponId));
        Assert.Equal([Cny(0.01m), Cny(5.00m)], quote.Applied.Select(a => a.Discount));
        Assert.Equal(Cny(5.01m), quote.TotalDiscount);
        Assert.True(new QuoteEngine().Validate(cart, [x1, x2]).IsValid);
    }
}
