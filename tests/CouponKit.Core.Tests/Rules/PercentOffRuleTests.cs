using CouponKit.Rules;
using static CouponKit.Core.Tests.Shop;

namespace CouponKit.Core.Tests.Rules;

public sealed class PercentOffRuleTests
{
    [Fact]
    public void Quote_TwelvePercentCappedAtThirty_CapsTheDiscount()
    {
        var rule = new PercentOffRule(12m, cap: Cny(30));

        Assert.Equal(Cny(12), Quote(Cart(Line("a", 100)), Coupon("c1", rule)).TotalDiscount);
        Assert.Equal(Cny(30), Quote(Cart(Line("a", 1000)), Coupon("c1", rule)).TotalDiscount);
    }

    [Theory]
    [InlineData(MidpointRounding.ToEven, 0.12)]
    [InlineData(MidpointRounding.AwayFromZero, 0.13)]
    [InlineData(MidpointRounding.ToZero, 0.12)]
    public void Quote_HalfAMinorUnit_RoundsWithTheConfiguredMode(MidpointRounding mode, decimal expected)
    {
        // 5% of 2.50 is 0.125: exactly halfway between 0.12 and 0.13.
        var engine = new QuoteEngine(new QuoteOptions { Rounding = mode });

        var quote = engine.Quote(Cart(Line("a", 2.50m)), [Coupon("c1", new PercentOffRule(5m))]);

        Assert.Equal(Cny(expected), quote.TotalDiscount);
    }

    [Fact]
    public void Quote_Yen_RoundsToWholeYen()
    {
        var cart = new Cart("u", [new CartLine("a", "sku", Money.Of(999, "JPY"), 1)], Money.Of(0, "JPY"), Now);

        var quote = new QuoteEngine().Quote(cart, [Coupon("c1", new PercentOffRule(15m))]);

        Assert.Equal(Money.Of(150, "JPY"), quote.TotalDiscount); // 149.85 → 150
    }

    [Fact]
    public void Quote_MinimumNotMet_SaysShortfall()
    {
        var quote = Quote(Cart(Line("a", 150)), Coupon("c1", new PercentOffRule(10m, minimum: Threshold.Spend(Cny(199)))));

        Assert.Equal(Cny(49), Assert.Single(quote.Rejected).Shortfall);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(100.01)]
    [InlineData(12.34567)]
    public void Constructor_PercentOutOfRange_ThrowsInvalidCoupon(decimal percent)
    {
        Assert.Throws<InvalidCouponException>(() => new PercentOffRule(percent));
    }

    [Fact]
    public void Constructor_NegativeCap_ThrowsInvalidCoupon()
    {
        Assert.Throws<InvalidCouponException>(() => new PercentOffRule(10m, cap: Cny(-1)));
    }
}
