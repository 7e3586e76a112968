using CouponKit.Rules;

namespace CouponKit.Benchmarks;

/// <summary>Which set of 20 candidate coupons the benchmark quotes.</summary>
public enum CouponSet
{
    /// <summary>What a shopper holds on a sale day: tiered and repeating rebates, capped percentages, buy 3 get 1, free shipping, one expired and one out of reach.</summary>
    Realistic,

    /// <summary>Adversarial: thresholds and caps set just around the cart so that coupons cut each other off and the stand-alone bound prunes little.</summary>
    Tight,

    /// <summary>Adversarial for the bound: several coupons of the same value in each group (a shopper holding three "300 off 30" from different campaigns), so many combinations tie.</summary>
    Ties,
}

/// <summary>
/// The benchmark's data, built deterministically from a fixed seed: a 50-line cart in CNY and 20 coupons in 4 stacking groups.
/// </summary>
internal static class ShopData
{
    public const int Seed = 20261111;

    public const string ShopRebate = "shop-rebate";
    public const string ShopPercent = "shop-percent";
    public const string PlatformGroup = "platform";
    public const string ShippingGroup = "shipping";

    /// <summary>Singles' Day, 20:00 in Shanghai: the moment the cart is priced at.</summary>
    public static readonly DateTimeOffset At = new(2026, 11, 11, 20, 0, 0, TimeSpan.FromHours(8));

    private static readonly Department[] Catalog =
    [
        new("apparel", "AP", ["tops", "trousers", "outerwear", "socks"], ["Uniqlo", "Semir", "Peacebird", "Bosideng"], 29.9m, 899m, 10),
        new("shoes", "SH", ["running", "sneakers"], ["Li-Ning", "Anta", "Xtep"], 199m, 899m, 5),
        new("beauty", "BE", ["skincare", "makeup"], ["Proya", "Florasis", "Winona"], 39m, 459m, 8),
        new("electronics", "EL", ["accessories", "audio"], ["Xiaomi", "Anker", "Baseus"], 29m, 899m, 6),
        new("home", "HO", ["kitchen", "bedding", "storage"], ["Supor", "Midea", "LockLock"], 19.9m, 599m, 7),
        new("food", "FO", ["snacks", "tea"], ["ThreeSquirrels", "Bestore", "ZhangYiyuan"], 9.9m, 129m, 9),
        new("books", "BK", ["fiction", "business"], ["CITIC", "PeoplesLit"], 19.9m, 89m, 5),
    ];

    /// <summary>Builds the cart: 47 ordinary lines, 2 sale lines (already discounted) and a gift card (not discountable); shipping 12.00.</summary>
    public static Cart CreateCart()
    {
        var random = new Random(Seed);
        var totalWeight = Catalog.Sum(d => d.Weight);
        var lines = new List<CartLine>(50);
        for (var n = 1; n <= 50; n++)
        {
            var lineId = $"L{n:000}";
            if (n == 25)
            {
                lines.Add(new CartLine(lineId, "GC-200", Cny(200m), 1, ["gift-cards"], "CouponKitShop", CartLineTraits.NotDiscountable));
                continue;
            }

            var department = Pick(random, totalWeight);
            var sub = department.Subs[random.Next(department.Subs.Length)];
            var brand = department.Brands[random.Next(department.Brands.Length)];
            var price = ShopPrice(random, department.MinPrice, department.MaxPrice);
            var roll = random.Next(10);
            var quantity = roll < 6 ? 1 : roll < 9 ? 2 : 3;
            var traits = n is 12 or 38 ? CartLineTraits.AlreadyDiscounted : CartLineTraits.None;
            var sku = $"{department.Prefix}-{brand[..2].ToUpperInvariant()}-{1000 + (n * 37 % 900)}";
            lines.Add(new CartLine(lineId, sku, Cny(price), quantity, [department.Name, $"{department.Name}/{sub}"], brand, traits));
        }

        return new Cart("user-8806", lines, Cny(12m), At);
    }

    public static Coupon[] CreateCoupons(CouponSet set, Cart cart) => set switch
    {
        CouponSet.Realistic => Realistic(),
        CouponSet.Tight => Tight(cart),
        CouponSet.Ties => Ties(),
        _ => throw new ArgumentOutOfRangeException(nameof(set), set, null),
    };

    /// <summary>Sums the lines a storewide coupon may discount (not on sale, not a gift card).</summary>
    public static decimal EligibleAmount(Cart cart) =>
        cart.Lines.Where(l => l.Traits == CartLineTraits.None).Sum(l => l.Total.Amount);

    private static Coupon[] Realistic()
    {
        var noElectronics = new CouponScope { ExcludedCategories = ["electronics"] };
        return
        [
            // shop-rebate: one shop rebate per order.
            Shop("S-TIER-STORE", ShopRebate, Tiers((199, 20), (399, 50), (999, 130), (2999, 400), (5999, 880))),
            Shop("S-TIER-APPAREL", ShopRebate, Tiers((300, 40), (600, 100), (1200, 220)), CouponScope.ForCategories("apparel", "shoes")),
            Shop("S-EVERY-300", ShopRebate, new RepeatingRebateRule(Threshold.Spend(Cny(300m)), Cny(30m), maxTimes: 10), noElectronics),
            Shop("S-BEAUTY-2PCS", ShopRebate, new RepeatingRebateRule(Threshold.ItemCount(2), Cny(25m), maxTimes: 4), CouponScope.ForCategories("beauty")),
            Shop("S-HOME-60", ShopRebate, new FixedAmountRule(Cny(60m), Threshold.Spend(Cny(500m))), CouponScope.ForCategories("home")),
            Shop("S-VIP-30000", ShopRebate, new ThresholdRebateRule(Threshold.Spend(Cny(30000m)), Cny(3000m))),

            // shop-percent: one shop percentage or item deal per order.
            Shop("S-PCT-10", ShopPercent, new PercentOffRule(10m, Cny(150m)), new CouponScope { ExcludedCategories = ["electronics", "food"] }),
            Shop("S-PCT-BEAUTY-15", ShopPercent, new PercentOffRule(15m, Cny(120m), Threshold.Spend(Cny(300m))), CouponScope.ForCategories("beauty")),
            Shop("S-PCT-SPORT-20", ShopPercent, new PercentOffRule(20m, Cny(100m)), CouponScope.ForBrands("Li-Ning", "Anta")),
            Shop("S-SNACKS-B3G1", ShopPercent, new BuyXGetYRule(3, 1, maxApplications: 2), CouponScope.ForCategories("food/snacks", "food/tea")),
            Shop("S-PCT-APPAREL-8", ShopPercent, new PercentOffRule(8m), new CouponScope { Categories = ["apparel"], IncludeDiscountedItems = true }),

            // platform: one platform coupon per order, on top of the shop's.
            Platform("P-TIER", PlatformGroup, Tiers((300, 30), (600, 70), (1000, 120), (2000, 260)), new CouponScope { ExcludedCategories = ["books"] }),
            Platform("P-EVERY-1000", PlatformGroup, new RepeatingRebateRule(Threshold.Spend(Cny(1000m)), Cny(100m), maxTimes: 3)),
            Platform("P-PCT-5", PlatformGroup, new PercentOffRule(5m, Cny(200m))),
            Platform("P-NEWUSER-20", PlatformGroup, new FixedAmountRule(Cny(20m))),
            Platform("P-ELEC-12", PlatformGroup, new PercentOffRule(12m, Cny(150m), Threshold.Spend(Cny(500m))), CouponScope.ForCategories("electronics")),

            // shipping: one shipping coupon per order.
            Shop("S-SHIP-99", ShippingGroup, new FreeShippingRule(Threshold.Spend(Cny(99m)))),
            Shop("S-SHIP-8", ShippingGroup, new FreeShippingRule(cap: Cny(8m))),
            Platform("P-SHIP-299", ShippingGroup, new FreeShippingRule(Threshold.Spend(Cny(299m)))),
            new Coupon
            {
                Id = "S-SHIP-OCT",
                Rule = new FreeShippingRule(),
                Stacking = StackingPolicy.InGroup(ShippingGroup),
                ValidFrom = At.AddDays(-41),
                ValidUntil = At.AddDays(-10),
            },
        ];
    }

    /// <summary>
    /// Coupons whose thresholds sit just under what remains after the coupons applied before them, and whose stand-alone values
    /// are close, so that many combinations look promising to the bound and then fail or fall short when applied.
    /// </summary>
    private static Coupon[] Tight(Cart cart)
    {
        var e = EligibleAmount(cart);
        var coupons = new List<Coupon>(20);
        for (var k = 0; k < 5; k++)
        {
            // Rebates: the later (in application order) the larger, so the search keeps improving on its first finds.
            var off = Whole(e * (0.040m + (0.004m * k)));
            coupons.Add(Shop($"T-REB-{k}", ShopRebate, new ThresholdRebateRule(Threshold.Spend(Cny(Whole(e * (0.90m - (0.01m * k))))), Cny(off))));
        }

        for (var k = 0; k < 5; k++)
        {
            // Percentages whose minimum holds only after a small enough rebate: the larger the percentage, the smaller the rebate it tolerates.
            var tolerated = e * (0.040m + (0.004m * (4 - k))) + 1m;
            coupons.Add(Shop($"T-PCT-{k}", ShopPercent, new PercentOffRule(5m + k, Cny(Whole(e * 0.09m)), Threshold.Spend(Cny(Whole(e - tolerated))))));
        }

        for (var k = 0; k < 5; k++)
        {
            // Platform rebates measured after both shop coupons: thresholds around 88–92% of the eligible amount.
            var off = Whole(e * (0.030m + (0.003m * k)));
            coupons.Add(Platform($"T-PLT-{k}", PlatformGroup, new ThresholdRebateRule(Threshold.Spend(Cny(Whole(e * (0.92m - (0.01m * k))))), Cny(off))));
        }

        for (var k = 0; k < 5; k++)
        {
            // Free shipping from a minimum just under what is left after the order coupons, capped a little differently each.
            coupons.Add(Shop($"T-SHP-{k}", ShippingGroup, new FreeShippingRule(Threshold.Spend(Cny(Whole(e * (0.86m - (0.01m * k))))), Cny(8m + k))));
        }

        return [.. coupons];
    }

    /// <summary>
    /// Five coupons per group that give the same amount, each from a different campaign with its own threshold and scope
    /// wide enough to reach it: every full combination gives the same discount and only the tie-break on ids tells them apart.
    /// </summary>
    private static Coupon[] Ties()
    {
        var coupons = new List<Coupon>(20);
        for (var k = 0; k < 5; k++)
        {
            coupons.Add(Shop($"Q-REB-{k}", ShopRebate, new ThresholdRebateRule(Threshold.Spend(Cny(300m + (100m * k))), Cny(30m))));
            coupons.Add(Shop($"Q-PCT-{k}", ShopPercent, new PercentOffRule(5m + k, Cny(80m))));
            coupons.Add(Platform($"Q-PLT-{k}", PlatformGroup, new FixedAmountRule(Cny(50m), Threshold.Spend(Cny(1000m + (500m * k))))));
            coupons.Add(Shop($"Q-SHP-{k}", ShippingGroup, new FreeShippingRule(Threshold.Spend(Cny(99m + (50m * k))))));
        }

        return [.. coupons];
    }

    private static Coupon Shop(string id, string group, DiscountRule rule, CouponScope? scope = null) =>
        new() { Id = id, Rule = rule, Scope = scope ?? CouponScope.Storewide, Stacking = StackingPolicy.InGroup(group), Issuer = CouponIssuer.Shop };

    private static Coupon Platform(string id, string group, DiscountRule rule, CouponScope? scope = null) =>
        new() { Id = id, Rule = rule, Scope = scope ?? CouponScope.Storewide, Stacking = StackingPolicy.InGroup(group), Issuer = CouponIssuer.Platform };

    private static ThresholdRebateRule Tiers(params (int Spend, int Off)[] tiers) =>
        new(tiers.Select(t => new RebateTier(Threshold.Spend(Cny(t.Spend)), Cny(t.Off))));

    private static Money Cny(decimal amount) => new(amount, Currency.CNY);

    private static decimal Whole(decimal amount) => decimal.Floor(amount);

    private static Department Pick(Random random, int totalWeight)
    {
        var roll = random.Next(totalWeight);
        foreach (var department in Catalog)
        {
            if (roll < department.Weight)
            {
                return department;
            }

            roll -= department.Weight;
        }

        return Catalog[^1];
    }

    /// <summary>A price as a shop writes it: under 100 ending in .90 (39.90), from 100 ending in 9 (199.00); 9.90 to 899.00.</summary>
    private static decimal ShopPrice(Random random, decimal min, decimal max)
    {
        var logMin = Math.Log((double)min);
        var logMax = Math.Log((double)max);
        var raw = (decimal)Math.Exp(logMin + (random.NextDouble() * (logMax - logMin)));
        var price = raw < 100m ? decimal.Floor(raw) + 0.9m : (decimal.Ceiling(raw / 10m) * 10m) - 1m;
        return Math.Clamp(price, 9.9m, 899m);
    }

    private sealed record Department(string Name, string Prefix, string[] Subs, string[] Brands, decimal MinPrice, decimal MaxPrice, int Weight);
}
