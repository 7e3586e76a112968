using CouponKit.Rules;
using static CouponKit.Core.Tests.Shop;

namespace CouponKit.Core.Tests.Rules;

public sealed class StackingTests
{
    [Fact]
    public void Quote_TwoShopOrderCoupons_DefaultGroupKeepsTheBetterOne()
    {
        var quote = Quote(Cart(Line("a", 300)), Coupon("small", Rebate(100, 10)), Coupon("big", Rebate(200, 30)));

        Assert.Equal("big", Assert.Single(quote.Applied).CouponId);
        var rejection = Assert.Single(quote.Rejected);
        Assert.Equal(RejectionCode.ConflictsWithCoupon, rejection.Code);
        Assert.Equal("big", rejection.ConflictingCouponId);
        Assert.Contains("shop-order", rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Quote_PlatformCoupon_StacksOnShopCouponAndAppliesAfterIt()
    {
        var shop = Coupon("shop", Rebate(200, 30));
        var platform = Coupon("platform", new PercentOffRule(10m), issuer: CouponIssuer.Platform);

        var quote = Quote(Cart(Line("a", 300)), platform, shop);

        Assert.Equal(["shop", "platform"], quote.Applied.Select(a => a.CouponId));
        Assert.Equal(Cny(30), quote.Applied[0].Discount);
        Assert.Equal(Cny(27), quote.Applied[1].Discount); // 10% of the 270 left after the shop coupon
        Assert.Equal(Cny(243), quote.Payable);
    }

    [Fact]
    public void Quote_ExclusiveCouponBetterThanAnyCombination_IsUsedAlone()
    {
        var quote = Quote(
            CartWithShipping(10, Line("a", 300)),
            Coupon("vip", new PercentOffRule(30m), stacking: StackingPolicy.ExclusiveCoupon()),
            Coupon("shop", Rebate(200, 30)),
            Coupon("ship", new FreeShippingRule()));

        Assert.Equal("vip", Assert.Single(quote.Applied).CouponId);
        Assert.All(quote.Rejected, r => Assert.Equal(("vip", RejectionCode.ConflictsWithCoupon), (r.ConflictingCouponId!, r.Code)));
        Assert.Equal(Cny(90), quote.TotalDiscount);
    }

    [Fact]
    public void Quote_ExclusiveCouponWorseThanCombination_IsRejectedAsConflicting()
    {
        var quote = Quote(
            CartWithShipping(10, Line("a", 300)),
            Coupon("vip", new PercentOffRule(10m), stacking: StackingPolicy.ExclusiveCoupon()),
            Coupon("shop", Rebate(200, 30)),
            Coupon("ship", new FreeShippingRule()));

        Assert.Equal(["shop", "ship"], quote.Applied.Select(a => a.CouponId));
        var vip = Assert.Single(quote.Rejected);
        Assert.Equal(RejectionCode.ConflictsWithCoupon, vip.Code);
        Assert.Contains("exclusive", vip.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Quote_SameNamedGroup_NeverCombines()
    {
        var quote = Quote(
            Cart(Line("a", 300)),
            Coupon("a1", new FixedAmountRule(Cny(20)), stacking: StackingPolicy.InGroup("newcomer")),
            Coupon("a2", new FixedAmountRule(Cny(25)), stacking: StackingPolicy.InGroup("newcomer"), issuer: CouponIssuer.Platform));

        Assert.Equal("a2", Assert.Single(quote.Applied).CouponId);
    }

    [Fact]
    public void Quote_DifferentNamedGroups_Combine()
    {
        var quote = Quote(
            Cart(Line("a", 300)),
            Coupon("a1", new FixedAmountRule(Cny(20)), stacking: StackingPolicy.InGroup("g1")),
            Coupon("a2", new FixedAmountRule(Cny(25)), stacking: StackingPolicy.InGroup("g2")));

        Assert.Equal(Cny(45), quote.TotalDiscount);
    }

    [Fact]
    public void Quote_PriorityDecidesOrderWithinAStage()
    {
        // Percent first (priority 10) then the rebate: 10% of 200 = 20, then 180 still reaches 150 → 30 off.
        var percent = Coupon("p", new PercentOffRule(10m), stacking: StackingPolicy.InGroup("g1", priority: 10));
        var rebate = Coupon("r", Rebate(150, 30), stacking: StackingPolicy.InGroup("g2"));

        var quote = Quote(Cart(Line("a", 200)), rebate, percent);

        Assert.Equal(["p", "r"], quote.Applied.Select(a => a.CouponId));
        Assert.Equal(Cny(50), quote.TotalDiscount);
    }

    [Fact]
    public void Quote_ThresholdLostAfterEarlierDiscount_PicksTheBetterSingleCoupon()
    {
        // Rebate first: 200 → 170; the percent coupon's minimum of 180 is then not met.
        // The engine must compare {rebate} = 30 against {percent} = 40 and take the percent coupon, not the first it meets.
        var rebate = Coupon("r", Rebate(200, 30), stacking: StackingPolicy.InGroup("g1"));
        var percent = Coupon("p", new PercentOffRule(20m, minimum: Threshold.Spend(Cny(180))), stacking: StackingPolicy.InGroup("g2"));

        var quote = Quote(Cart(Line("a", 200)), rebate, percent);

        Assert.Equal("p", Assert.Single(quote.Applied).CouponId);
        var r = Assert.Single(quote.Rejected);
        Assert.Equal(RejectionCode.NotBeneficial, r.Code);
    }

    [Fact]
    public void Quote_CompatibleCouponThatLosesItsThresholdInCombination_SaysSoWithShortfall()
    {
        var rebate = Coupon("r", Rebate(100, 50), stacking: StackingPolicy.InGroup("g1"));
        var percent = Coupon("p", new PercentOffRule(10m, minimum: Threshold.Spend(Cny(100))), stacking: StackingPolicy.InGroup("g2"));

        var quote = Quote(Cart(Line("a", 120)), rebate, percent);

        // Alone: rebate 50, percent 12. Together: rebate 50 leaves 70, below the percent's minimum.
        Assert.Equal("r", Assert.Single(quote.Applied).CouponId);
        var rejection = Assert.Single(quote.Rejected);
        Assert.Equal(RejectionCode.BelowThreshold, rejection.Code);
        Assert.Equal(Cny(30), rejection.Shortfall);
        Assert.Contains("after the discounts applied before it", rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Quote_EqualDiscounts_TieBrokenByFewerCouponsThenSmallerId()
    {
        var quote = Quote(
            Cart(Line("a", 100)),
            Coupon("b", new FixedAmountRule(Cny(20)), stacking: StackingPolicy.InGroup("g1")),
            Coupon("a", new FixedAmountRule(Cny(20)), stacking: StackingPolicy.InGroup("g1")),
            Coupon("c", new FixedAmountRule(Cny(10)), stacking: StackingPolicy.InGroup("g2")),
            Coupon("d", new FixedAmountRule(Cny(10)), stacking: StackingPolicy.InGroup("g3")));

        // {a or b} + c + d = 40 ; no way to reach 40 with fewer coupons, so the smaller ids win.
        Assert.Equal(["a", "c", "d"], quote.Applied.Select(x => x.CouponId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Quote_NoCoupons_PayableIsSubtotalPlusShipping()
    {
        var quote = Quote(CartWithShipping(5, Line("a", 10)));

        Assert.Equal(Cny(15), quote.Payable);
        Assert.Empty(quote.Applied);
        Assert.Empty(quote.Rejected);
        Assert.True(quote.IsProvenOptimal);
    }

    [Fact]
    public void Quote_SearchBudgetTooSmall_ReturnsValidQuoteFlaggedNotProvenOptimal()
    {
        var coupons = Enumerable.Range(0, 12)
            .Select(i => Coupon($"c{i:00}", new PercentOffRule(1m + i, minimum: Threshold.Spend(Cny(50 + (i * 7)))), stacking: StackingPolicy.InGroup($"g{i}")))
            .ToArray();
        var engine = new QuoteEngine(new QuoteOptions { MaxSearchNodes = 5 });

        var quote = engine.Quote(Cart(Line("a", 200), Line("b", 100)), coupons);

        Assert.False(quote.IsProvenOptimal);
        Assert.True(engine.Validate(Cart(Line("a", 200), Line("b", 100)), coupons.Where(c => quote.Applied.Any(a => a.CouponId == c.Id))).IsValid);
        Assert.Equal(coupons.Length, quote.Applied.Count + quote.Rejected.Count);
    }
}
