using CouponKit.Rules;
using FsCheck;
using FsCheck.Fluent;

namespace CouponKit.Core.Tests.Properties;

/// <summary>
/// FsCheck generators of carts and coupons for the rule engine, built on the public API only.
/// </summary>
/// <remarks>
/// <para>Carts: 1 to 12 lines in CNY from a small catalog (so SKUs, categories and brands repeat and scopes match), unit
/// prices from 0.01 to 3,000.00 in whole fen, quantities 1 to 5, about one line in five already discounted or not
/// discountable, shipping 0 to 20.00. Line ids are drawn in random order, so the cart order is not the canonical order.</para>
/// <para>Coupons: 0 to 10, unique ids in random order, every rule kind (tiered and not, amount and item-count thresholds),
/// thresholds drawn relative to the cart so that about half are met, scopes storewide or by SKU, category or brand, with
/// exclusions, default and named stacking groups, a few exclusive, priorities, shop and platform issuers, and some not started,
/// expired or in another currency.</para>
/// </remarks>
internal static class RuleGen
{
    public static readonly DateTimeOffset At = Shop.Now;

    public const string UserId = "user-1";

    public static readonly string[] Skus = ["apple", "bread", "cheese", "dates", "espresso", "flour", "gin", "honey", "ink"];

    public static readonly string[] Categories = ["fresh", "fruit", "bakery", "dairy", "imported", "drinks", "pantry"];

    public static readonly string[] Brands = ["orchard", "alpine", "nova"];

    /// <summary>Line ids, more than a cart ever has, so that new lines can be added to a generated cart.</summary>
    public static readonly string[] LineIds = Enumerable.Range(0, 20).Select(i => "L" + (char)('a' + i)).ToArray();

    public static readonly string[] CouponIds = Enumerable.Range(0, 16).Select(i => "C" + (char)('a' + i)).ToArray();

    private static readonly Product[] Catalog =
    [
        new("apple", ["fresh", "fruit"], "orchard"),
        new("bread", ["bakery"], null),
        new("cheese", ["dairy", "fresh"], "alpine"),
        new("dates", ["fruit", "imported"], "orchard"),
        new("espresso", ["drinks", "imported"], "nova"),
        new("flour", ["pantry", "bakery"], null),
        new("gin", ["drinks"], "nova"),
        new("honey", [], "alpine"),
        new("ink", [], null),
    ];

    /// <summary>Gets unit prices in fen: cheap (0.01 to 1.00), ordinary (1.00 to 200.00) and expensive (200.00 to 3,000.00).</summary>
    public static Gen<long> UnitPriceFen { get; } = Gen.Frequency(
        (3, Gen.Choose(1, 100)),
        (6, Gen.Choose(100, 20_000)),
        (2, Gen.Choose(20_000, 300_000))).Select(fen => (long)fen);

    /// <summary>Gets line traits: mostly none, sometimes already discounted, not discountable, or both.</summary>
    public static Gen<CartLineTraits> Traits { get; } = Gen.Frequency(
        (16, Gen.Constant(CartLineTraits.None)),
        (2, Gen.Constant(CartLineTraits.AlreadyDiscounted)),
        (2, Gen.Constant(CartLineTraits.NotDiscountable)),
        (1, Gen.Constant(CartLineTraits.AlreadyDiscounted | CartLineTraits.NotDiscountable)));

    /// <summary>Gets shipping fees in fen: often free, often whole yuan up to 20.00, sometimes any amount up to 20.00.</summary>
    public static Gen<long> ShippingFen { get; } = Gen.Frequency(
        (3, Gen.Constant(0)),
        (5, Gen.Choose(1, 20).Select(yuan => yuan * 100)),
        (2, Gen.Choose(1, 2000))).Select(fen => (long)fen);

    /// <summary>Gets carts of 1 to 12 lines.</summary>
    public static Gen<Cart> Cart { get; } =
        from count in Gen.Choose(1, 12)
        from ids in Gen.Shuffle(LineIds)
        from makers in Gen.ArrayOf(LineMaker, count)
        from shipping in ShippingFen
        select new Cart(UserId, makers.Select((make, i) => make(ids[i])), Fen(shipping), At);

    /// <summary>
    /// Gets a cart with 0 to 10 candidate coupons: three times in four any mix of rule kinds, once in four mostly buy X get Y
    /// coupons, so that several item-level coupons (each one changing which units are the cheapest for the next) often stack.
    /// </summary>
    public static Gen<QuoteScenario> Scenario { get; } =
        from cart in Cart
        from itemHeavy in Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true)))
        from coupons in Coupons(cart, 0, 10, itemHeavy)
        select new QuoteScenario(cart, coupons);

    /// <summary>Gets a scenario, and the same scenario with its lines and its coupons in other orders.</summary>
    public static Gen<(QuoteScenario Original, QuoteScenario Shuffled)> ShuffledScenario { get; } =
        from scenario in Scenario
        from lines in Gen.Shuffle(scenario.Cart.Lines.ToArray())
        from coupons in Gen.Shuffle(scenario.Coupons.ToArray())
        select (scenario, new QuoteScenario(new Cart(scenario.Cart.UserId, lines, scenario.Cart.ShippingFee, scenario.Cart.At), coupons));

    /// <summary>
    /// Gets a cart, one valid coupon with a threshold (a spend or item minimum, tiers, a step, or buy X get Y) that applies alone
    /// to it, and the cart with more of what the coupon counts: a higher quantity on an in-scope line, or one more in-scope line.
    /// </summary>
    public static Gen<RaisedCart> RaisedCart { get; } =
        (from cart in Cart
         from make in ThresholdedCouponMaker(cart)
         let coupon = make(CouponIds[0])
         where Applies(cart, coupon)
         select (cart, coupon))
        .SelectMany(t => Raise(t.cart, t.coupon), (t, raised) => new RaisedCart(t.cart, t.coupon, raised.Cart, raised.Change));

    public static Money Fen(long fen) => Money.FromMinorUnits(fen, Currency.CNY);

    /// <summary><paramref name="min"/> to <paramref name="max"/> coupons with unique ids, drawn relative to the cart.</summary>
    public static Gen<Coupon[]> Coupons(Cart cart, int min, int max, bool itemHeavy = false) =>
        from count in Gen.Choose(min, max)
        from ids in Gen.Shuffle(CouponIds)
        from makers in Gen.ArrayOf(CouponMaker(cart, itemHeavy), count)
        select makers.Select((make, i) => make(ids[i])).ToArray();

    /// <summary>A coupon of any rule kind (mostly buy X get Y when <paramref name="itemHeavy"/>), scope, stacking, issuer and validity, waiting for its id.</summary>
    public static Gen<Func<string, Coupon>> CouponMaker(Cart cart, bool itemHeavy = false) =>
        from rule in itemHeavy ? ItemHeavyRule(new CartFacts(cart)) : Rule(new CartFacts(cart))
        from scope in Scope(cart)
        from stacking in Stacking
        from issuer in Issuer
        from validity in Validity
        from template in Gen.Elements<string?>(null, "T-spring", "T-vip")
        select (Func<string, Coupon>)(id => new Coupon
        {
            Id = id,
            Rule = rule,
            Scope = scope,
            Stacking = stacking,
            Issuer = issuer,
            ValidFrom = validity.From,
            ValidUntil = validity.Until,
            TemplateId = template,
        });

    private static Gen<Func<string, CartLine>> LineMaker { get; } =
        from product in Gen.Elements(Catalog)
        from price in UnitPriceFen
        from quantity in Gen.Choose(1, 5)
        from traits in Traits
        select (Func<string, CartLine>)(id => new CartLine(id, product.Sku, Fen(price), quantity, product.Categories, product.Brand, traits));

    private static Gen<CouponIssuer> Issuer { get; } = Gen.Frequency(
        (7, Gen.Constant(CouponIssuer.Shop)),
        (3, Gen.Constant(CouponIssuer.Platform)));

    private static Gen<StackingPolicy> Stacking { get; } = Gen.Frequency(
        (10, Gen.Constant(StackingPolicy.Default)),
        (3, Gen.Choose(-1, 2).Select(priority => new StackingPolicy { Priority = priority })),
        (4, Gen.Elements("g1", "g2", "g3").SelectMany(_ => Gen.Choose(-1, 2), (group, priority) => StackingPolicy.InGroup(group, priority))),
        (2, Gen.Constant(StackingPolicy.ExclusiveCoupon())),
        (1, Gen.Elements("g1", "g2").Select(group => new StackingPolicy { Exclusive = true, Group = group, Priority = 1 })));

    /// <summary>Gets validity windows relative to the cart's time: mostly open, some not started, some expired (also exactly at the cart's time).</summary>
    private static Gen<(DateTimeOffset? From, DateTimeOffset? Until)> Validity { get; } = Gen.Frequency(
        (14, Gen.Constant<(DateTimeOffset?, DateTimeOffset?)>((null, null))),
        (2, Gen.Choose(0, 600).Select(s => ((DateTimeOffset?)At.AddSeconds(-s), (DateTimeOffset?)At.AddDays(1)))),
        (1, Gen.Choose(1, 600).Select(s => ((DateTimeOffset?)At.AddSeconds(s), (DateTimeOffset?)null))),
        (1, Gen.Choose(0, 600).Select(s => ((DateTimeOffset?)null, (DateTimeOffset?)At.AddSeconds(-s)))),
        (1, Gen.Choose(1, 600).Select(s => ((DateTimeOffset?)At.AddDays(-1), (DateTimeOffset?)At.AddSeconds(s)))));

    /// <summary>Coupons whose rule has a threshold, valid at the cart's time, with default stacking.</summary>
    private static Gen<Func<string, Coupon>> ThresholdedCouponMaker(Cart cart) =>
        from rule in ThresholdedRule(new CartFacts(cart))
        from scope in Scope(cart)
        from issuer in Issuer
        select (Func<string, Coupon>)(id => new Coupon { Id = id, Rule = rule, Scope = scope, Issuer = issuer });

    private static Gen<DiscountRule> Rule(CartFacts cart) => Gen.Frequency(
        (3, SingleRebate(cart)),
        (2, TieredRebate(cart)),
        (2, RepeatingRebate(cart)),
        (2, FixedAmount(cart, Minimum(cart))),
        (3, PercentOff(cart, Minimum(cart))),
        (3, BuyXGetY(cart)),
        (2, FreeShipping(cart, Minimum(cart))),
        (2, FreeGift(cart, Minimum(cart))),
        (1, OtherCurrency));

    private static Gen<DiscountRule> ItemHeavyRule(CartFacts cart) => Gen.Frequency(
        (8, BuyXGetY(cart)),
        (1, SingleRebate(cart)),
        (1, PercentOff(cart, Minimum(cart))),
        (1, FreeShipping(cart, Minimum(cart))));

    private static Gen<DiscountRule> ThresholdedRule(CartFacts cart)
    {
        var minimum = AnyThreshold(cart).Select(t => (Threshold?)t);
        return Gen.OneOf(
            SingleRebate(cart),
            TieredRebate(cart),
            RepeatingRebate(cart),
            FixedAmount(cart, minimum),
            PercentOff(cart, minimum),
            BuyXGetY(cart),
            FreeShipping(cart, minimum),
            FreeGift(cart, minimum));
    }

    private static Gen<DiscountRule> SingleRebate(CartFacts cart) =>
        from threshold in AnyThreshold(cart)
        from off in Off(threshold, cart)
        select (DiscountRule)new ThresholdRebateRule(threshold, off);

    private static Gen<DiscountRule> TieredRebate(CartFacts cart) =>
        from count in Gen.Choose(2, 4)
        from basis in Basis
        from thresholds in Gen.ArrayOf(basis == ThresholdBasis.Amount ? SpendFen(cart) : ItemCount(cart), count)
        from offs in Gen.ArrayOf(OffFen(thresholds.Max(), basis, cart), count)
        select (DiscountRule)new ThresholdRebateRule(Tiers(basis, thresholds, offs));

    private static Gen<DiscountRule> RepeatingRebate(CartFacts cart) =>
        from basis in Basis
        from step in basis == ThresholdBasis.Amount
            ? Gen.Choose(3, 80).Select(p => Math.Max(1, cart.SubtotalFen * p / 100))
            : Gen.Choose(1, 4).Select(n => (long)n)
        from off in OffFen(step, basis, cart)
        from maxTimes in Gen.Elements<int?>(null, null, 1, 2, 3, 5)
        select (DiscountRule)new RepeatingRebateRule(ToThreshold(basis, step), Fen(off), maxTimes);

    private static Gen<DiscountRule> FixedAmount(CartFacts cart, Gen<Threshold?> minimum) =>
        from off in Gen.Frequency((3, Gen.Choose(1, 50).Select(y => y * 100L)), (2, Gen.Choose(1, 20_000).Select(f => (long)f)))
        from min in minimum
        select (DiscountRule)new FixedAmountRule(Fen(off), min);

    private static Gen<DiscountRule> PercentOff(CartFacts cart, Gen<Threshold?> minimum) =>
        from percent in Percent
        from cap in Gen.Frequency((1, Gen.Constant<Money?>(null)), (1, Gen.Choose(1, 20_000).Select(f => (Money?)Fen(f))))
        from min in minimum
        select (DiscountRule)new PercentOffRule(percent, cap, min);

    private static Gen<DiscountRule> BuyXGetY(CartFacts cart) =>
        from buy in Gen.Choose(1, 3)
        from get in Gen.Choose(1, 2)
        from percent in Gen.Frequency((4, Gen.Constant(100m)), (3, Percent))
        from rewardSku in Gen.Frequency(
            (3, Gen.Constant<string?>(null)),
            (2, Gen.Elements(cart.Skus).Select(s => (string?)s)),
            (1, Gen.Elements(Skus).Select(s => (string?)s)))
        from maxApplications in Gen.Elements<int?>(null, null, 1, 2, 3)
        select (DiscountRule)new BuyXGetYRule(buy, get, percent, rewardSku, maxApplications);

    private static Gen<DiscountRule> FreeShipping(CartFacts cart, Gen<Threshold?> minimum) =>
        from min in minimum
        from cap in Gen.Frequency((3, Gen.Constant<Money?>(null)), (1, Gen.Choose(1, 1500).Select(f => (Money?)Fen(f))))
        select (DiscountRule)new FreeShippingRule(min, cap);

    private static Gen<DiscountRule> FreeGift(CartFacts cart, Gen<Threshold?> minimum) =>
        from sku in Gen.Elements("gift-tote", "gift-mug", "gift-card")
        from value in Gen.Frequency((1, Gen.Constant(0)), (4, Gen.Choose(1, 5000)))
        from quantity in Gen.Choose(1, 3)
        from min in minimum
        select (DiscountRule)new FreeGiftRule(sku, "Gift " + sku, Fen(value), quantity, min);

    private static Gen<DiscountRule> OtherCurrency { get; } =
        Gen.Choose(1, 5000).Select(c => (DiscountRule)new FixedAmountRule(Money.FromMinorUnits(c, Currency.USD)));

    private static Gen<decimal> Percent { get; } = Gen.Frequency(
        (5, Gen.Elements(5m, 10m, 12.5m, 15m, 20m, 33.3333m, 50m, 100m)),
        (3, Gen.Choose(1, 10_000).Select(p => p / 100m)),
        (1, Gen.Choose(1, 1_000_000).Select(p => p / 10_000m)));

    private static Gen<ThresholdBasis> Basis { get; } = Gen.Frequency(
        (4, Gen.Constant(ThresholdBasis.Amount)),
        (1, Gen.Constant(ThresholdBasis.ItemCount)));

    private static Gen<Threshold?> Minimum(CartFacts cart) => Gen.Frequency(
        (3, Gen.Constant<Threshold?>(null)),
        (2, AnyThreshold(cart).Select(t => (Threshold?)t)));

    private static Gen<Threshold> AnyThreshold(CartFacts cart) =>
        from basis in Basis
        from units in basis == ThresholdBasis.Amount ? SpendFen(cart) : ItemCount(cart)
        select ToThreshold(basis, units);

    /// <summary>Spend thresholds around the cart's subtotal (1% to 130%), in fen or whole yuan, or any 1 to 500 yuan.</summary>
    private static Gen<long> SpendFen(CartFacts cart) => Gen.Frequency(
        (6, Gen.Choose(1, 130).Select(p => Math.Max(1, cart.SubtotalFen * p / 100))),
        (2, Gen.Choose(1, 130).Select(p => Math.Max(100, cart.SubtotalFen * p / 10_000 * 100))),
        (1, Gen.Choose(1, 500).Select(yuan => yuan * 100L)));

    private static Gen<long> ItemCount(CartFacts cart) => Gen.Choose(1, cart.Items + 2).Select(n => (long)n);

    private static Gen<Money> Off(Threshold threshold, CartFacts cart) =>
        OffFen(threshold.Units, threshold.Basis, cart).Select(Fen);

    /// <summary>Amounts off: a share of an amount threshold (sometimes more than it), or of the average unit price for item counts.</summary>
    private static Gen<long> OffFen(long threshold, ThresholdBasis basis, CartFacts cart)
    {
        var reference = basis == ThresholdBasis.Amount ? threshold : Math.Max(1, threshold * cart.SubtotalFen / Math.Max(1, cart.Items));
        return Gen.Frequency(
            (6, Gen.Choose(1, 60).Select(p => Math.Max(1, reference * p / 100))),
            (1, Gen.Choose(100, 300).Select(p => Math.Max(1, reference * p / 100))),
            (2, Gen.Choose(1, 100).Select(yuan => yuan * 100L)));
    }

    private static IEnumerable<RebateTier> Tiers(ThresholdBasis basis, long[] thresholds, long[] offs)
    {
        var levels = thresholds.Distinct().Order().ToArray();
        var amounts = offs.Order().ToArray();
        return levels.Select((units, i) => new RebateTier(ToThreshold(basis, units), Fen(amounts[i])));
    }

    private static Threshold ToThreshold(ThresholdBasis basis, long units) =>
        basis == ThresholdBasis.Amount ? Threshold.Spend(Fen(units)) : Threshold.ItemCount((int)units);

    /// <summary>Storewide or by SKU, category or brand (mostly values found in the cart), sometimes with exclusions or sale items.</summary>
    private static Gen<CouponScope> Scope(Cart cart)
    {
        var skus = cart.Lines.Select(l => l.Sku).Concat(Skus).ToArray();
        var categories = cart.Lines.SelectMany(l => l.Categories).Concat(Categories).ToArray();
        var brands = cart.Lines.Where(l => l.Brand is not null).Select(l => l.Brand!).Concat(Brands).ToArray();
        var none = Gen.Constant(Array.Empty<string>());
        var some = (string[] values) => Gen.Choose(1, 2).SelectMany(n => Gen.ArrayOf(Gen.Elements(values), n));
        var maybe = (string[] values) => Gen.Frequency((6, none), (1, some(values)));
        var inclusion = Gen.Frequency(
            (5, Gen.Constant((Skus: Array.Empty<string>(), Categories: Array.Empty<string>(), Brands: Array.Empty<string>()))),
            (2, some(skus).Select(s => (Skus: s, Categories: Array.Empty<string>(), Brands: Array.Empty<string>()))),
            (2, some(categories).Select(c => (Skus: Array.Empty<string>(), Categories: c, Brands: Array.Empty<string>()))),
            (1, some(brands).Select(b => (Skus: Array.Empty<string>(), Categories: Array.Empty<string>(), Brands: b))),
            (1, some(skus).SelectMany(_ => some(brands), (s, b) => (Skus: s, Categories: Array.Empty<string>(), Brands: b))));
        return
            from included in inclusion
            from excludedSkus in maybe(skus)
            from excludedCategories in maybe(categories)
            from excludedBrands in maybe(brands)
            from includeDiscounted in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)))
            select new CouponScope
            {
                Skus = included.Skus,
                Categories = included.Categories,
                Brands = included.Brands,
                ExcludedSkus = excludedSkus,
                ExcludedCategories = excludedCategories,
                ExcludedBrands = excludedBrands,
                IncludeDiscountedItems = includeDiscounted,
            };
    }

    private static bool Applies(Cart cart, Coupon coupon) =>
        new QuoteEngine().Quote(cart, [coupon]).Applied.Count == 1;

    /// <summary>More of what a coupon counts: 1 to 5 more units on an in-scope line, or a new in-scope line.</summary>
    private static Gen<(Cart Cart, string Change)> Raise(Cart cart, Coupon coupon)
    {
        var inScope = cart.Lines.Where(coupon.Scope.Covers).ToArray();
        var unused = LineIds.Except(cart.Lines.Select(l => l.LineId), StringComparer.Ordinal).ToArray();
        var more =
            from line in Gen.Elements(inScope)
            from extra in Gen.Choose(1, 5)
            select (Replace(cart, line, new CartLine(line.LineId, line.Sku, line.UnitPrice, line.Quantity + extra, line.Categories, line.Brand, line.Traits)),
                $"quantity of {line.LineId} raised by {extra}");
        var added =
            from like in Gen.Elements(inScope)
            from id in Gen.Elements(unused)
            from price in UnitPriceFen
            from quantity in Gen.Choose(1, 5)
            from position in Gen.Choose(0, cart.Lines.Count)
            let line = new CartLine(id, like.Sku, Fen(price), quantity, like.Categories, like.Brand, like.Traits)
            select (new Cart(cart.UserId, cart.Lines.Take(position).Append(line).Concat(cart.Lines.Skip(position)), cart.ShippingFee, cart.At),
                "added " + QuoteScenario.Describe(line));
        return Gen.OneOf(more, added);
    }

    private static Cart Replace(Cart cart, CartLine old, CartLine replacement) =>
        new(cart.UserId, cart.Lines.Select(l => ReferenceEquals(l, old) ? replacement : l), cart.ShippingFee, cart.At);

    private sealed record Product(string Sku, string[] Categories, string? Brand);

    /// <summary>What thresholds are drawn relative to.</summary>
    private sealed class CartFacts(Cart cart)
    {
        public long SubtotalFen { get; } = Math.Max(1, cart.Subtotal.ToMinorUnits());

        public int Items { get; } = cart.Lines.Sum(l => l.Quantity);

        public string[] Skus { get; } = cart.Lines.Select(l => l.Sku).Distinct().ToArray();
    }
}
