using CouponKit.Rules;

namespace CouponKit.Core.Tests;

/// <summary>Short builders for carts and coupons in the shop's words.</summary>
internal static class Shop
{
    public static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    public static Money Cny(decimal amount) => Money.Of(amount, "CNY");

    public static CartLine Line(string id, decimal unitPrice, int quantity = 1, string? sku = null, string[]? categories = null, string? brand = null, CartLineTraits traits = CartLineTraits.None) =>
        new(id, sku ?? "SKU-" + id, Cny(unitPrice), quantity, categories, brand, traits);

    public static Cart Cart(params CartLine[] lines) => new("user-1", lines, Cny(0), Now);

    public static Cart CartWithShipping(decimal shipping, params CartLine[] lines) => new("user-1", lines, Cny(shipping), Now);

    public static Coupon Coupon(string id, DiscountRule rule, CouponScope? scope = null, StackingPolicy? stacking = null, CouponIssuer issuer = CouponIssuer.Shop) =>
        new() { Id = id, Rule = rule, Scope = scope ?? CouponScope.Storewide, Stacking = stacking ?? StackingPolicy.Default, Issuer = issuer };

    public static ThresholdRebateRule Rebate(decimal spend, decimal off) => new(Threshold.Spend(Cny(spend)), Cny(off));

    public static ThresholdRebateRule Tiers(params (decimal Spend, decimal Off)[] tiers) =>
        new(tiers.Select(t => new RebateTier(Threshold.Spend(Cny(t.Spend)), Cny(t.Off))));

    public static Quote Quote(Cart cart, params Coupon[] coupons) => new QuoteEngine().Quote(cart, coupons);
}
