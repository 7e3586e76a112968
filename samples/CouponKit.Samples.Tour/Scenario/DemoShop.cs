using CouponKit.Rules;

namespace CouponKit.Samples.Scenario;

/// <summary>
/// The tour's data: one shopper's cart at Harbour Market on the evening of 11.11 and the coupons in their wallet.
/// Everything is fixed (prices, quantities, the moment the cart is priced at), so every run prints the same quote.
/// </summary>
public static class DemoShop
{
    /// <summary>The shop's name, as printed.</summary>
    public const string Name = "Harbour Market";

    /// <summary>The shopper.</summary>
    public const string UserId = "u-10024";

    /// <summary>The moment the cart is priced at. Fixed, so the tour never reads the clock.</summary>
    public static readonly DateTimeOffset PricedAt = new(2026, 11, 11, 20, 30, 0, TimeSpan.FromHours(8));

    /// <summary>The coupons the shopper picks first at checkout: two that cannot be combined and one below its threshold.</summary>
    public static readonly IReadOnlyList<string> RefusedPick = ["SHOP-TIERED", "SHOP-EVERY100", "SONIC-40"];

    /// <summary>The coupons the shopper picks next: a valid combination, though not the best one.</summary>
    public static readonly IReadOnlyList<string> AcceptedPick = ["SNACKS-B2G1", "SHOP-TIERED", "PLAT-12PCT", "SHIP-FREE99"];

    private static readonly Product[] Products =
    [
        new("L1", "RICE-5KG", "Jasmine rice 5 kg", 59.90m, 1, ["grocery", "staples"]),
        new("L2", "OATMILK-1L", "Oat milk 1 L", 16.80m, 3, ["grocery", "drinks"]),
        new("L3", "CRISPS-SEASALT", "Sea-salt crisps 150 g", 12.50m, 2, ["grocery", "snacks"]),
        new("L4", "CHOC-DARK85", "Dark chocolate 85%", 18.90m, 1, ["grocery", "snacks"]),
        new("L5", "COFFEE-500G", "Coffee beans 500 g", 58.00m, 1, ["grocery", "drinks"]),
        new("L6", "EARBUDS-X2", "Sonic X2 wireless earbuds", 299.00m, 1, ["electronics", "audio"], "Sonic"),
        new("L7", "CHARGER-65W", "65 W USB-C charger", 129.00m, 1, ["electronics"], "Voltix", CartLineTraits.AlreadyDiscounted),
        new("L8", "GIFTCARD-200", "Gift card, CNY 200", 200.00m, 1, ["gift-cards"], Traits: CartLineTraits.NotDiscountable),
    ];

    /// <summary>Gets the shipping fee of the cart.</summary>
    public static Money ShippingFee => Money.Of(12.00m, "CNY");

    /// <summary>Creates the shopper's cart.</summary>
    /// <returns>The cart, priced at <see cref="PricedAt"/>.</returns>
    public static Cart CreateCart() => new(
        UserId,
        Products.Select(p => new CartLine(p.LineId, p.Sku, Cny(p.UnitPrice), p.Quantity, p.Categories, p.Brand, p.Traits)),
        ShippingFee,
        PricedAt);

    /// <summary>Returns the product name of a cart line, for display: the engine only knows line ids and SKUs.</summary>
    /// <param name="lineId">The line id.</param>
    /// <returns>The product name.</returns>
    public static string ProductName(string lineId) => Products.Single(p => p.LineId == lineId).Name;

    /// <summary>Creates the coupons in the shopper's wallet.</summary>
    /// <returns>The coupons.</returns>
    public static IReadOnlyList<Coupon> CreateCoupons() =>
    [
        new()
        {
            Id = "SHOP-TIERED",
            Name = "11.11 tiered rebate",
            Rule = new ThresholdRebateRule(
            [
                new RebateTier(Threshold.Spend(Cny(100)), Cny(10)),
                new RebateTier(Threshold.Spend(Cny(200)), Cny(25)),
                new RebateTier(Threshold.Spend(Cny(500)), Cny(80)),
            ]),
            ValidUntil = new DateTimeOffset(2026, 11, 12, 0, 0, 0, TimeSpan.FromHours(8)),
        },
        new()
        {
            Id = "SHOP-EVERY100",
            Name = "Every 100 saves 15",
            Rule = new RepeatingRebateRule(Threshold.Spend(Cny(100)), Cny(15), maxTimes: 3),
        },
        new()
        {
            Id = "PLAT-12PCT",
            Name = "Platform 12% off",
            Rule = new PercentOffRule(12m, cap: Cny(30)),
            Issuer = CouponIssuer.Platform,
        },
        new()
        {
            Id = "SNACKS-B2G1",
            Name = "Snacks: buy 2 get 1 free",
            Rule = new BuyXGetYRule(buy: 2, get: 1),
            Scope = CouponScope.ForCategories("snacks"),
        },
        new()
        {
            Id = "SHIP-FREE99",
            Name = "Free shipping over 99",
            Rule = new FreeShippingRule(Threshold.Spend(Cny(99))),
            Issuer = CouponIssuer.Platform,
        },
        new()
        {
            Id = "VIP-NIGHT",
            Name = "VIP night, exclusive",
            Rule = new FixedAmountRule(Cny(120), Threshold.Spend(Cny(400))),
            Stacking = StackingPolicy.ExclusiveCoupon(),
        },
        new()
        {
            Id = "WARMUP-50",
            Name = "Warm-up week",
            Rule = new ThresholdRebateRule(Threshold.Spend(Cny(300)), Cny(50)),
            ValidUntil = new DateTimeOffset(2026, 11, 11, 0, 0, 0, TimeSpan.FromHours(8)),
        },
        new()
        {
            Id = "HOME-15PCT",
            Name = "Home appliances 15% off",
            Rule = new PercentOffRule(15m),
            Scope = CouponScope.ForCategories("home-appliances"),
        },
        new()
        {
            Id = "SONIC-40",
            Name = "Sonic audio days",
            Rule = new ThresholdRebateRule(Threshold.Spend(Cny(399)), Cny(40)),
            Scope = CouponScope.ForBrands("Sonic"),
        },
    ];

    private static Money Cny(decimal amount) => Money.Of(amount, "CNY");

    private sealed record Product(
        string LineId,
        string Sku,
        string Name,
        decimal UnitPrice,
        int Quantity,
        string[] Categories,
        string? Brand = null,
        CartLineTraits Traits = CartLineTraits.None);
}
