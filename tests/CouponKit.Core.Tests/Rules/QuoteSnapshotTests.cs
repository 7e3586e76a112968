using CouponKit.Rules;
using Snapshooter.Xunit;
using static CouponKit.Core.Tests.Shop;

namespace CouponKit.Core.Tests.Rules;

/// <summary>Snapshots of whole quotes: a change in any amount, allocation, order or reason shows up as a diff to review.</summary>
public sealed class QuoteSnapshotTests
{
    private static readonly Cart GroceryAndElectronics = CartWithShipping(
        12,
        Line("L1", 89.90m, 2, sku: "RICE-5KG", categories: ["grocery", "staples"], brand: "Golden Field"),
        Line("L2", 12.50m, 4, sku: "MILK-1L", categories: ["grocery", "dairy"], brand: "Mengniu"),
        Line("L3", 399.00m, 1, sku: "EARBUDS", categories: ["electronics", "audio"], brand: "Xiaomi"),
        Line("L4", 59.00m, 1, sku: "TSHIRT", categories: ["apparel"], traits: CartLineTraits.AlreadyDiscounted),
        Line("L5", 200.00m, 1, sku: "GIFTCARD-200", categories: ["giftcard"], traits: CartLineTraits.NotDiscountable),
        Line("L6", 6.80m, 3, sku: "YOGURT", categories: ["grocery", "dairy"], brand: "Yili"));

    [Fact]
    public void Quote_GroceryAndElectronicsWithSevenCoupons_MatchesSnapshot()
    {
        var coupons = new[]
        {
            Coupon("shop-tiers", Tiers((100, 10), (200, 25), (500, 80))),
            Coupon("shop-every100", new RepeatingRebateRule(Threshold.Spend(Cny(100)), Cny(15), 3)),
            Coupon("platform-12pct", new PercentOffRule(12m, cap: Cny(30)), issuer: CouponIssuer.Platform),
            Coupon("dairy-b2g1", new BuyXGetYRule(2, 1), CouponScope.ForCategories("dairy")),
            Coupon("ship-99", new FreeShippingRule(Threshold.Spend(Cny(99)))),
            Coupon("audio-50", new FixedAmountRule(Cny(50), Threshold.Spend(Cny(300))), CouponScope.ForCategories("audio"), StackingPolicy.InGroup("category")),
            new Coupon { Id = "expired-20", Rule = new FixedAmountRule(Cny(20)), ValidUntil = Now.AddDays(-1), Stacking = StackingPolicy.InGroup("old") },
        };

        Snapshot.Match(View(new QuoteEngine().Quote(GroceryAndElectronics, coupons)));
    }

    [Fact]
    public void Quote_ExclusiveVipCouponWins_MatchesSnapshot()
    {
        var coupons = new[]
        {
            Coupon("vip-25pct", new PercentOffRule(25m, cap: Cny(200)), stacking: StackingPolicy.ExclusiveCoupon()),
            Coupon("shop-200-25", Rebate(200, 25)),
            Coupon("platform-5", new FixedAmountRule(Cny(5)), issuer: CouponIssuer.Platform),
            Coupon("mug", new FreeGiftRule("MUG", "Coffee mug", Cny(29), minimum: Threshold.Spend(Cny(299)))),
        };

        Snapshot.Match(View(new QuoteEngine().Quote(GroceryAndElectronics, coupons)));
    }

    [Fact]
    public void Validate_ConflictingAndBelowThresholdChoice_MatchesSnapshot()
    {
        var chosen = new[]
        {
            Coupon("shop-500-80", Rebate(500, 80)),
            Coupon("shop-100-10", Rebate(100, 10)),
            Coupon("audio-b1g1", new BuyXGetYRule(1, 1), CouponScope.ForCategories("audio")),
            Coupon("usd-5", new FixedAmountRule(Money.Of(5, "USD")), stacking: StackingPolicy.InGroup("usd")),
        };

        Snapshot.Match(View(new QuoteEngine().Validate(GroceryAndElectronics, chosen).Quote));
    }

    private static object View(Quote quote) => new
    {
        Subtotal = quote.Subtotal.ToString(),
        Shipping = quote.ShippingFee.ToString(),
        LinesDiscount = quote.LinesDiscount.ToString(),
        ShippingDiscount = quote.ShippingDiscount.ToString(),
        TotalDiscount = quote.TotalDiscount.ToString(),
        Payable = quote.Payable.ToString(),
        quote.IsProvenOptimal,
        Applied = quote.Applied.Select(a => new
        {
            a.Sequence,
            a.CouponId,
            Kind = a.Kind.ToString(),
            Discount = a.Discount.ToString(),
            Shipping = a.ShippingDiscount.ToString(),
            Allocations = a.Allocations.Select(x => $"{x.LineId}: {x.Amount}"),
            Gift = a.Gift is null ? null : $"{a.Gift.Quantity} x {a.Gift.Name} ({a.Gift.Value})",
        }),
        Lines = quote.Lines.Select(l => $"{l.LineId} {l.Sku}: {l.Amount} - {l.Discount} = {l.Payable}"),
        Rejected = quote.Rejected.Select(r => $"{r.CouponId}: {r.Code} — {r.Message}"),
    };
}
