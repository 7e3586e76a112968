using CouponKit.Rules;
using static CouponKit.Core.Tests.Shop;

namespace CouponKit.Core.Tests.Rules;

public sealed class FreeShippingAndGiftRuleTests
{
    [Fact]
    public void Quote_FreeShippingOverMinimum_WaivesTheFee()
    {
        var quote = Quote(CartWithShipping(12, Line("a", 120)), Coupon("s1", new FreeShippingRule(Threshold.Spend(Cny(99)))));

        Assert.Equal(Cny(12), quote.ShippingDiscount);
        Assert.Equal(Cny(0), quote.LinesDiscount);
        Assert.Equal(Cny(120), quote.Payable);
    }

    [Fact]
    public void Quote_FreeShippingWithCap_WaivesUpToTheCap()
    {
        var quote = Quote(CartWithShipping(25, Line("a", 50)), Coupon("s1", new FreeShippingRule(cap: Cny(10))));

        Assert.Equal(Cny(10), quote.ShippingDiscount);
    }

    [Fact]
    public void Quote_NoShippingFee_SaysNothingToDiscount()
    {
        var rejection = Assert.Single(Quote(CartWithShipping(0, Line("a", 50)), Coupon("s1", new FreeShippingRule())).Rejected);

        Assert.Equal(RejectionCode.NothingToDiscount, rejection.Code);
    }

    [Fact]
    public void Quote_GiftOverMinimum_AddsGiftWithoutChangingPayable()
    {
        var quote = Quote(Cart(Line("a", 300)), Coupon("g1", new FreeGiftRule("MUG", "Coffee mug", Cny(29), minimum: Threshold.Spend(Cny(299)))));

        var gift = Assert.Single(quote.Gifts);
        Assert.Equal(("MUG", 1, Cny(29)), (gift.Sku, gift.Quantity, gift.Value));
        Assert.Equal(Cny(300), quote.Payable);
        Assert.Single(quote.Applied);
    }

    [Fact]
    public void Quote_GiftBelowMinimum_SaysShortfall()
    {
        var quote = Quote(Cart(Line("a", 250)), Coupon("g1", new FreeGiftRule("MUG", "Coffee mug", Cny(29), minimum: Threshold.Spend(Cny(299)))));

        Assert.Equal(Cny(49), Assert.Single(quote.Rejected).Shortfall);
        Assert.Empty(quote.Gifts);
    }
}
