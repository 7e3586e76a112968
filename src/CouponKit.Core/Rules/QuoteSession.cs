using System.Globalization;

namespace CouponKit.Rules;

/// <summary>
/// One quote or validation in progress: the cart in canonical line order (by line id, ordinal), the prepared coupons in the
/// order of application, and the arithmetic that applies a coupon to the remaining amounts. All amounts are minor units.
/// </summary>
internal sealed class QuoteSession
{
    private readonly long[] _share;
    private readonly long[] _fraction;
    private readonly int[] _order;
    private readonly FractionComparer _comparer;

    public QuoteSession(Cart cart, QuoteOptions options)
    {
        options.CheckCart(cart);

        Cart = cart;
        Options = options;
        Lines = cart.Lines.OrderBy(l => l.LineId, StringComparer.Ordinal).ToArray();
        Base = new long[Lines.Length];
        for (var i = 0; i < Lines.Length; i++)
        {
            Base[i] = Lines[i].Total.ToMinorUnits();
        }

        BaseShipping = cart.ShippingFee.ToMinorUnits();
        Context = new RuleContext(Lines, options.Rounding);
        _share = new long[Lines.Length];
        _fraction = new long[Lines.Length];
        _order = new int[Lines.Length];
        _comparer = new FractionComparer(_fraction);
    }

    public Cart Cart { get; }

    public QuoteOptions Options { get; }

    /// <summary>Gets the lines in canonical order.</summary>
    public CartLine[] Lines { get; }

    /// <summary>Gets each line's total before discounts.</summary>
    public long[] Base { get; }

    public long BaseShipping { get; }

    public RuleContext Context { get; }

    /// <summary>Checks the coupons, compiles their scopes, sorts them in the order of application and evaluates each alone.</summary>
    public PreparedCoupon[] Prepare(IEnumerable<Coupon> coupons)
    {
        ArgumentNullException.ThrowIfNull(coupons);
        var list = new List<Coupon>();
        foreach (var coupon in coupons)
        {
            if (coupon is null)
            {
                throw new InvalidCouponException(null, "the list of coupons contains null.");
            }

            list.Add(coupon);
            if (list.Count > Options.MaxCoupons)
            {
                throw new InvalidCouponException(null, $"more than {Options.MaxCoupons} coupons were given (QuoteOptions.MaxCoupons).");
            }
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        var groups = new Dictionary<string, int>(StringComparer.Ordinal);
        var prepared = new PreparedCoupon[list.Count];
        for (var c = 0; c < list.Count; c++)
        {
            var coupon = list[c];
            coupon.Validate();
            if (!ids.Add(coupon.Id))
            {
                throw new InvalidCouponException(coupon.Id, "the coupon id appears more than once in one quote.");
            }

            var scope = new List<int>();
            for (var i = 0; i < Lines.Length; i++)
            {
                if (coupon.Scope.Covers(Lines[i]))
                {
                    scope.Add(i);
                }
            }

            var group = coupon.EffectiveGroup;
            if (!groups.TryGetValue(group, out var groupId))
            {
                groupId = groups.Count;
                groups.Add(group, groupId);
            }

            prepared[c] = new PreparedCoupon(coupon, [.. scope], coupon.Rule.RewardLines(Lines, coupon.Scope), groupId);
        }

        GroupCount = groups.Count;
        Array.Sort(prepared, PreparedCoupon.CompareApplicationOrder);
        var remaining = new long[Lines.Length];
        foreach (var pc in prepared)
        {
            pc.Rejection = StaticRejection(pc);
            if (pc.Rejection is not null)
            {
                continue;
            }

            Array.Copy(Base, remaining, Base.Length);
            var shipping = BaseShipping;
            var outcome = Apply(pc, remaining, ref shipping, null);
            if (!outcome.Applies)
            {
                pc.Rejection = Reject(pc, outcome, afterEarlierDiscounts: false);
            }
            else
            {
                pc.StandaloneValue = outcome.LinesDiscount + outcome.ShippingDiscount;
                pc.StandaloneGift = outcome.Gift ? ((FreeGiftRule)pc.Coupon.Rule).GiftValueMinor : 0;

                // Apply left the context on this coupon with the whole cart's measures; restore the amounts it took.
                Array.Copy(Base, remaining, Base.Length);
                pc.UpperBound = pc.Coupon.Rule.UpperBound(Context, pc.StandaloneValue);
            }
        }

        return prepared;
    }

    /// <summary>Gets the number of distinct stacking groups among the prepared coupons.</summary>
    public int GroupCount { get; private set; }

    /// <summary>
    /// Applies a coupon to the remaining amounts in place. When <paramref name="record"/> is given, adds each line's share of the
    /// discount to it. Line discounts are spread over the in-scope lines in proportion to what remains of them, by the largest
    /// remainder method, so that they sum exactly to the discount and never exceed a line.
    /// </summary>
    public RuleOutcome Apply(PreparedCoupon coupon, long[] remaining, ref long shipping, long[]? record)
    {
        var scope = coupon.Scope;
        long amount = 0;
        long items = 0;
        var quantity = Context.Quantity;
        foreach (var i in scope)
        {
            var r = remaining[i];
            if (r > 0)
            {
                amount += r;
                items += quantity[i];
            }
        }

        var context = Context;
        context.Scope = scope;
        context.RewardLines = coupon.RewardLines;
        context.Remaining = remaining;
        context.ShippingRemaining = shipping;
        context.ScopeAmount = amount;
        context.ScopeItems = items;
        var outcome = coupon.Coupon.Rule.Evaluate(context);
        if (!outcome.Applies)
        {
            return outcome;
        }

        if (outcome.PerLine)
        {
            TakePerLine(scope, remaining, record);
            TakePerLine(coupon.RewardLines, remaining, record);
        }
        else if (outcome.LinesDiscount > 0)
        {
            Allocate(scope, remaining, amount, outcome.LinesDiscount, record);
        }

        shipping -= outcome.ShippingDiscount;
        return outcome;
    }

    public CouponRejection Reject(PreparedCoupon coupon, RuleOutcome outcome, bool afterEarlierDiscounts)
    {
        var suffix = afterEarlierDiscounts ? " after the discounts applied before it" : string.Empty;
        var code = outcome.Rejection ?? RejectionCode.NothingToDiscount;
        switch (code)
        {
            case RejectionCode.BelowThreshold when outcome.ShortfallBasis == ThresholdBasis.Amount:
                var shortfall = Money.FromMinorUnits(outcome.Shortfall, Cart.Currency);
                return new CouponRejection(coupon.Id, code, $"spend {shortfall} more on eligible items{suffix}") { Shortfall = shortfall };
            case RejectionCode.BelowThreshold:
                var missing = (int)Math.Min(outcome.Shortfall, int.MaxValue);
                return new CouponRejection(coupon.Id, code, string.Create(CultureInfo.InvariantCulture, $"add {missing} more eligible item{(missing == 1 ? string.Empty : "s")}{suffix}")) { MissingItems = missing };
            case RejectionCode.RewardItemMissing:
                var sku = (coupon.Coupon.Rule as BuyXGetYRule)?.RewardSku;
                return new CouponRejection(coupon.Id, code, $"add {sku} to the cart to receive the reward{suffix}");
            default:
                return new CouponRejection(coupon.Id, code, $"nothing left to discount{suffix}");
        }
    }

    public static CouponRejection Conflict(PreparedCoupon coupon, PreparedCoupon other)
    {
        var why = coupon.Exclusive ? "it is exclusive" : other.Exclusive ? $"'{other.Id}' is exclusive" : $"both are in stacking group '{coupon.Coupon.EffectiveGroup}'";
        return new CouponRejection(coupon.Id, RejectionCode.ConflictsWithCoupon, $"cannot be combined with '{other.Id}': {why}") { ConflictingCouponId = other.Id };
    }

    public static bool Conflicts(PreparedCoupon a, PreparedCoupon b) => a.Exclusive || b.Exclusive || a.GroupId == b.GroupId;

    /// <summary>Builds the quote of a sequence of coupons applied in order (each must apply at its turn).</summary>
    public Quote BuildQuote(IReadOnlyList<PreparedCoupon> sequence, IReadOnlyList<CouponRejection> rejected, bool isProvenOptimal, long searchNodes)
    {
        var currency = Cart.Currency;
        var remaining = (long[])Base.Clone();
        var shipping = BaseShipping;
        var record = new long[Lines.Length];
        var byId = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Lines.Length; i++)
        {
            byId[Lines[i].LineId] = i;
        }

        var cartOrder = Cart.Lines.Select(l => byId[l.LineId]).ToArray();
        var applied = new List<AppliedCoupon>(sequence.Count);
        var gifts = new List<GiftItem>();
        foreach (var pc in sequence)
        {
            Array.Clear(record);
            var outcome = Apply(pc, remaining, ref shipping, record);
            if (!outcome.Applies)
            {
                throw new InvalidOperationException($"Coupon '{pc.Id}' no longer applies in its sequence; this is a bug in CouponKit.");
            }

            var allocations = new List<LineAllocation>();
            long sum = 0;
            foreach (var i in cartOrder)
            {
                if (record[i] != 0)
                {
                    allocations.Add(new LineAllocation(Lines[i].LineId, Money.FromMinorUnits(record[i], currency)));
                    sum += record[i];
                }
            }

            GiftItem? gift = null;
            if (outcome.Gift && pc.Coupon.Rule is FreeGiftRule g)
            {
                gift = new GiftItem(pc.Id, g.GiftSku, g.GiftName, g.Quantity, Money.FromMinorUnits(g.GiftValueMinor, currency));
                gifts.Add(gift);
            }

            applied.Add(new AppliedCoupon(
                pc.Coupon,
                applied.Count + 1,
                Money.FromMinorUnits(sum, currency),
                Money.FromMinorUnits(outcome.ShippingDiscount, currency),
                allocations,
                gift));
        }

        var lines = new QuoteLine[Cart.Lines.Count];
        for (var k = 0; k < lines.Length; k++)
        {
            var line = Cart.Lines[k];
            var i = cartOrder[k];
            lines[k] = new QuoteLine(line.LineId, line.Sku, line.Total, Money.FromMinorUnits(Base[i] - remaining[i], currency), Money.FromMinorUnits(remaining[i], currency));
        }

        var sortedRejections = rejected.OrderBy(r => r.CouponId, StringComparer.Ordinal).ToArray();
        return new Quote(Cart, lines, Money.FromMinorUnits(BaseShipping - shipping, currency), applied, sortedRejections, gifts, isProvenOptimal, searchNodes);
    }

    private CouponRejection? StaticRejection(PreparedCoupon pc)
    {
        var coupon = pc.Coupon;
        if (coupon.HolderId is { } holder && !string.Equals(holder, Cart.UserId, StringComparison.Ordinal))
        {
            return new CouponRejection(coupon.Id, RejectionCode.NotFound, $"coupon '{coupon.Id}' was not found for this user");
        }

        var at = Cart.At;
        if (coupon.ValidFrom is { } from && at < from)
        {
            return new CouponRejection(coupon.Id, RejectionCode.NotStarted, string.Create(CultureInfo.InvariantCulture, $"valid from {from:yyyy-MM-dd HH:mm:ss zzz}"));
        }

        if (coupon.ValidUntil is { } until && at >= until)
        {
            return new CouponRejection(coupon.Id, RejectionCode.Expired, string.Create(CultureInfo.InvariantCulture, $"expired at {until:yyyy-MM-dd HH:mm:ss zzz}"));
        }

        if (coupon.Rule.Currency is { } currency && currency != Cart.Currency)
        {
            return new CouponRejection(coupon.Id, RejectionCode.CurrencyMismatch, $"the coupon is in {currency.Code}, the cart in {Cart.Currency.Code}");
        }

        if (pc.Scope.Length == 0)
        {
            return new CouponRejection(coupon.Id, RejectionCode.OutOfScope, "no item in the cart is eligible for this coupon");
        }

        return EligibilityRejection(pc);
    }

    /// <summary>The rejections that come from the holder's history, given as data (<see cref="CouponEligibility"/>).</summary>
    private CouponRejection? EligibilityRejection(PreparedCoupon pc)
    {
        var coupon = pc.Coupon;
        var eligibility = coupon.Eligibility;
        if (eligibility.FirstOrderOnly && eligibility.HolderHasPaidOrder)
        {
            return new CouponRejection(coupon.Id, RejectionCode.NotFirstOrder, "this coupon is only for a first order");
        }

        if (eligibility.OncePerProduct && eligibility.DiscountedProducts.Count > 0)
        {
            var discounted = eligibility.DiscountedProducts as IReadOnlySet<string> ?? new HashSet<string>(eligibility.DiscountedProducts, StringComparer.Ordinal);
            foreach (var i in pc.Scope.Concat(pc.RewardLines).Order())
            {
                var sku = Lines[i].Sku;
                if (discounted.Contains(sku))
                {
                    return new CouponRejection(coupon.Id, RejectionCode.ProductAlreadyDiscounted, $"'{sku}' already had this discount; it applies once per product") { Product = sku };
                }
            }
        }

        return null;
    }

    private void TakePerLine(int[] lines, long[] remaining, long[]? record)
    {
        var discounts = Context.LineDiscounts;
        foreach (var i in lines)
        {
            var d = discounts[i];
            if (d != 0)
            {
                remaining[i] -= d;
                if (record is not null)
                {
                    record[i] += d;
                }

                discounts[i] = 0;
            }
        }
    }

    private void Allocate(int[] scope, long[] remaining, long weight, long discount, long[]? record)
    {
        var n = scope.Length;
        long left = discount;
        for (var k = 0; k < n; k++)
        {
            var r = remaining[scope[k]];
            if (r <= 0)
            {
                _share[k] = 0;
                _fraction[k] = -1;
                continue;
            }

            var product = (Int128)discount * r;
            _share[k] = (long)(product / weight);
            _fraction[k] = (long)(product % weight);
            left -= _share[k];
        }

        if (left > 0)
        {
            // Largest remainder: one more minor unit to the lines with the largest fractional parts, ties to the earlier line.
            for (var k = 0; k < n; k++)
            {
                _order[k] = k;
            }

            Array.Sort(_order, 0, n, _comparer);
            for (var k = 0; k < left; k++)
            {
                _share[_order[k]]++;
            }
        }

        for (var k = 0; k < n; k++)
        {
            var s = _share[k];
            if (s != 0)
            {
                var i = scope[k];
                remaining[i] -= s;
                if (record is not null)
                {
                    record[i] += s;
                }
            }
        }
    }

    private sealed class FractionComparer(long[] fraction) : IComparer<int>
    {
        public int Compare(int x, int y)
        {
            var c = fraction[y].CompareTo(fraction[x]);
            return c != 0 ? c : x.CompareTo(y);
        }
    }
}
