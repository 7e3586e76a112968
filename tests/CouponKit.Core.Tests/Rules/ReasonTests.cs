using CouponKit.Rules;
using static CouponKit.Core.Tests.Shop;

namespace CouponKit.Core.Tests.Rules;

public sealed class ReasonTests
{
    [Fact]
    public void Quote_CouponNotStarted_IsRejectedAsNotStarted()
    {
        var coupon = new Coupon { Id = "c1", Rule = new FixedAmountRule(Cny(5)), ValidFrom = Now.AddHours(1) };

        var rejection = Assert.Single(Quote(Cart(Line("a", 50)), coupon).Rejected);

        Assert.Equal(RejectionCode.NotStarted, rejection.Code);
    }

    [Fact]
    public void Quote_CouponExpired_IsRejectedAsExpired()
    {
        var coupon = new Coupon { Id = "c1", Rule = new FixedAmountRule(Cny(5)), ValidFrom = Now.AddDays(-30), ValidUntil = Now };

        var rejection = Assert.Single(Quote(Cart(Line("a", 50)), coupon).Rejected);

        Assert.Equal(RejectionCode.Expired, rejection.Code);
    }

    [Fact]
    public void Quote_CouponValidUntilLater_Applies()
    {
        var coupon = new Coupon { Id = "c1", Rule = new FixedAmountRule(Cny(5)), ValidFrom = Now, ValidUntil = Now.AddTicks(1) };

        Assert.Single(Quote(Cart(Line("a", 50)), coupon).Applied);
    }

    [Fact]
    public void Quote_CouponInAnotherCurrency_IsRejectedAsCurrencyMismatch()
    {
        var rejection = Assert.Single(Quote(Cart(Line("a", 50)), Coupon("c1", new FixedAmountRule(Money.Of(5, "USD")))).Rejected);

        Assert.Equal(RejectionCode.CurrencyMismatch, rejection.Code);
        Assert.Contains("USD", rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Quote_PercentCouponWithoutAmounts_AppliesInAnyCurrency()
    {
        var cart = new Cart("u", [new CartLine("a", "s", Money.Of(100, "EUR"), 1)], Money.Of(0, "EUR"), Now);

        Assert.Equal(Money.Of(10, "EUR"), new QuoteEngine().Quote(cart, [Coupon("c1", new PercentOffRule(10m))]).TotalDiscount);
    }

    [Fact]
    public void Quote_NoLineInScope_IsRejectedAsOutOfScope()
    {
        var rejection = Assert.Single(Quote(Cart(Line("a", 50, categories: ["food"])), Coupon("c1", new FixedAmountRule(Cny(5)), CouponScope.ForCategories("toys"))).Rejected);

        Assert.Equal(RejectionCode.OutOfScope, rejection.Code);
    }

    [Fact]
    public void Quote_ExcludedSkuWithinIncludedCategory_IsNotDiscounted()
    {
        var cart = Cart(Line("a", 50, sku: "IPHONE", categories: ["phones"]), Line("b", 30, sku: "CASE", categories: ["phones"]));
        var scope = new CouponScope { Categories = ["phones"], ExcludedSkus = ["IPHONE"] };

        var quote = Quote(cart, Coupon("c1", new PercentOffRule(10m), scope));

        Assert.Equal("b", Assert.Single(Assert.Single(quote.Applied).Allocations).LineId);
        Assert.Equal(Cny(3), quote.TotalDiscount);
    }

    [Fact]
    public void Quote_ExcludedBrandAndCategory_AreNotDiscounted()
    {
        var cart = Cart(Line("a", 50, brand: "Apple"), Line("b", 30, categories: ["tobacco"]), Line("c", 20));
        var scope = new CouponScope { ExcludedBrands = ["Apple"], ExcludedCategories = ["tobacco"] };

        var quote = Quote(cart, Coupon("c1", new PercentOffRule(10m), scope));

        Assert.Equal(Cny(2), quote.TotalDiscount);
    }

    [Fact]
    public void Quote_BrandScope_CoversOnlyThatBrand()
    {
        var cart = Cart(Line("a", 50, brand: "Apple"), Line("b", 30, brand: "Xiaomi"));

        var quote = Quote(cart, Coupon("c1", new PercentOffRule(10m), CouponScope.ForBrands("Xiaomi")));

        Assert.Equal(Cny(3), quote.TotalDiscount);
    }

    [Fact]
    public void Quote_AlreadyDiscountedLine_SkippedUnlessScopeIncludesIt()
    {
        var cart = Cart(Line("sale", 100, traits: CartLineTraits.AlreadyDiscounted), Line("b", 50));

        var skipped = Quote(cart, Coupon("c1", new PercentOffRule(10m)));
        var included = Quote(cart, Coupon("c1", new PercentOffRule(10m), new CouponScope { IncludeDiscountedItems = true }));

        Assert.Equal(Cny(5), skipped.TotalDiscount);
        Assert.Equal(Cny(15), included.TotalDiscount);
    }

    [Fact]
    public void Quote_GiftCardLine_NeverDiscountedNorCountedTowardThreshold()
    {
        var cart = Cart(Line("giftcard", 500, traits: CartLineTraits.NotDiscountable), Line("b", 50));

        var quote = Quote(cart, Coupon("c1", Rebate(100, 20), new CouponScope { IncludeDiscountedItems = true }));

        Assert.Equal(Cny(50), Assert.Single(quote.Rejected).Shortfall);
    }

    [Fact]
    public void Quote_SecondShippingCouponAfterFirstWaivedAll_NothingLeft()
    {
        var first = Coupon("s1", new FreeShippingRule(), stacking: StackingPolicy.InGroup("ship-a"));
        var second = Coupon("s2", new FreeShippingRule(), stacking: StackingPolicy.InGroup("ship-b"));

        var quote = Quote(CartWithShipping(10, Line("a", 50)), first, second);

        Assert.Equal("s1", Assert.Single(quote.Applied).CouponId);
        var rejection = Assert.Single(quote.Rejected);
        Assert.Equal(RejectionCode.NothingToDiscount, rejection.Code);
    }

    [Fact]
    public void Validate_ConflictingChoice_IsInvalidWithReason()
    {
        var engine = new QuoteEngine();
        var cart = Cart(Line("a", 300));

        var result = engine.Validate(cart, [Coupon("a", Rebate(100, 10)), Coupon("b", Rebate(200, 30))]);

        Assert.False(result.IsValid);
        Assert.Equal(RejectionCode.ConflictsWithCoupon, Assert.Single(result.Quote.Rejected).Code);
        Assert.Single(result.Quote.Applied);
    }

    [Fact]
    public void Validate_CouponBelowThreshold_IsInvalid()
    {
        var result = new QuoteEngine().Validate(Cart(Line("a", 80)), [Coupon("a", Rebate(100, 10))]);

        Assert.False(result.IsValid);
        Assert.Equal(Cny(20), Assert.Single(result.Quote.Rejected).Shortfall);
        Assert.Equal(Cny(80), result.Quote.Payable);
    }

    [Fact]
    public void Validate_ValidChoice_MatchesTheQuote()
    {
        var engine = new QuoteEngine();
        var cart = CartWithShipping(10, Line("a", 300), Line("b", 45));
        Coupon[] coupons = [Coupon("shop", Rebate(200, 30)), Coupon("platform", new PercentOffRule(5m), issuer: CouponIssuer.Platform), Coupon("ship", new FreeShippingRule())];

        var best = engine.Quote(cart, coupons);
        var validation = engine.Validate(cart, coupons);

        Assert.True(validation.IsValid);
        Assert.Equal(best.Payable, validation.Quote.Payable);
    }
}
