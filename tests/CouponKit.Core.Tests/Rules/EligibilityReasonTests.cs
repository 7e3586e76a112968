using CouponKit.Rules;
using static CouponKit.Core.Tests.Shop;

namespace CouponKit.Core.Tests.Rules;

/// <summary>The rule engine's reasons from <see cref="CouponEligibility"/>: data read before the quote, the engine stays pure.</summary>
public class EligibilityReasonTests
{
    [Fact]
    public void Quote_FirstOrderOnlyWithAPaidOrder_IsNotFirstOrder()
    {
        var coupon = WithEligibility(Coupon("c1", Rebate(100m, 10m)), new CouponEligibility { FirstOrderOnly = true, HolderHasPaidOrder = true });

        var quote = Quote(Cart(Line("a", 150m)), coupon);

        Assert.Equal(Cny(0m), quote.TotalDiscount);
        Assert.Equal(RejectionCode.NotFirstOrder, Assert.Single(quote.Rejected).Code);
    }

    [Fact]
    public void Quote_FirstOrderOnlyWithoutAPaidOrder_Applies()
    {
        var coupon = WithEligibility(Coupon("c1", Rebate(100m, 10m)), new CouponEligibility { FirstOrderOnly = true, HolderHasPaidOrder = false });

        Assert.Equal(Cny(10m), Quote(Cart(Line("a", 150m)), coupon).TotalDiscount);
    }

    [Fact]
    public void Quote_OncePerProductWithAnInScopeProductDiscountedBefore_IsProductAlreadyDiscountedNamingIt()
    {
        var coupon = WithEligibility(
            Coupon("c1", Rebate(100m, 10m), new CouponScope { Categories = ["shoes"] }),
            new CouponEligibility { OncePerProduct = true, DiscountedProducts = ["SKU-b", "SKU-z"] });

        var quote = Quote(Cart(Line("a", 150m, categories: ["shoes"]), Line("b", 60m, categories: ["shoes"])), coupon);

        var rejection = Assert.Single(quote.Rejected);
        Assert.Equal((RejectionCode.ProductAlreadyDiscounted, "SKU-b"), (rejection.Code, rejection.Product));
    }

    [Fact]
    public void Quote_OncePerProductWithTheDiscountedProductOutOfScope_Applies()
    {
        var coupon = WithEligibility(
            Coupon("c1", Rebate(100m, 10m), new CouponScope { Categories = ["shoes"] }),
            new CouponEligibility { OncePerProduct = true, DiscountedProducts = ["SKU-b"] });

        var quote = Quote(Cart(Line("a", 150m, categories: ["shoes"]), Line("b", 60m, categories: ["hats"])), coupon);

        Assert.Equal(Cny(10m), quote.TotalDiscount);
    }

    [Fact]
    public void Validate_ChosenFirstOrderCouponAfterAPaidOrder_IsInvalidWithTheReason()
    {
        var coupon = WithEligibility(Coupon("c1", Rebate(100m, 10m)), new CouponEligibility { FirstOrderOnly = true, HolderHasPaidOrder = true });

        var validation = new QuoteEngine().Validate(Cart(Line("a", 150m)), [coupon]);

        Assert.False(validation.IsValid);
        Assert.Equal(RejectionCode.NotFirstOrder, Assert.Single(validation.Quote.Rejected).Code);
    }

    [Fact]
    public void Quote_NullEligibility_ThrowsInvalidCoupon()
    {
        var coupon = WithEligibility(Coupon("c1", Rebate(100m, 10m)), null!);

        Assert.Throws<InvalidCouponException>(() => Quote(Cart(Line("a", 150m)), coupon));
    }

    private static Coupon WithEligibility(Coupon coupon, CouponEligibility eligibility) => new()
    {
        Id = coupon.Id,
        Rule = coupon.Rule,
        Scope = coupon.Scope,
        Stacking = coupon.Stacking,
        Issuer = coupon.Issuer,
        Eligibility = eligibility,
    };
}
