using CouponKit.Rules;
using static CouponKit.Core.Tests.Shop;

namespace CouponKit.Core.Tests.Rules;

public sealed class FixedAmountRuleTests
{
    [Fact]
    public void Quote_TenOffNoThreshold_AppliesToAnyCart()
    {
        Assert.Equal(Cny(10), Quote(Cart(Line("a", 15)), Coupon("c1", new FixedAmountRule(Cny(10)))).TotalDiscount);
    }

    [Fact]
    public void Quote_AmountAboveCart_NeverMakesPayableNegative()
    {
        var quote = Quote(CartWithShipping(8, Line("a", 6)), Coupon("c1", new FixedAmountRule(Cny(10))));

        Assert.Equal(Cny(6), quote.TotalDiscount);
        Assert.Equal(Cny(8), quote.Payable);
    }

    [Fact]
    public void Constructor_ZeroAmount_ThrowsInvalidCoupon()
    {
        Assert.Throws<InvalidCouponException>(() => new FixedAmountRule(Cny(0)));
    }

    [Fact]
    public void Constructor_SubMinorAmount_ThrowsInvalidCoupon()
    {
        Assert.Throws<InvalidCouponException>(() => new FixedAmountRule(Cny(1.005m)));
    }
}
