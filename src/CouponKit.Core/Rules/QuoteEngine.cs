namespace CouponKit.Rules;

/// <summary>
/// The rule engine: prices a cart against coupons. Pure and synchronous; an instance is immutable and safe to share across threads.
/// </summary>
/// <remarks>
/// <para><b>Order of application.</b> Coupons apply in a fixed order: item-level rules (buy X get Y), then order-level rules
/// (rebates, fixed amounts, percentages), then free shipping, then gifts; within a level shop coupons before platform coupons,
/// then higher <see cref="StackingPolicy.Priority"/> first, then threshold rebates, repeating rebates, fixed amounts,
/// percentages; then coupon id. Each coupon sees the amounts left by the coupons applied before it: its threshold is measured
/// on them and its discount never exceeds them.</para>
/// <para><b>Allocation.</b> A coupon's discount is spread over its in-scope lines in proportion to what remains of each, in
/// whole minor units by the largest remainder method (ties to the line with the smaller id), so the allocations sum exactly to
/// the discount and never exceed a line.</para>
/// <para><b>Best combination.</b> <see cref="Quote(Cart, IEnumerable{Coupon})"/> finds the combination with the largest discount
/// (then the largest gift value, the fewest coupons, the smallest ids), exactly, by branch and bound, combining at most
/// <see cref="QuoteOptions.MaxStackingDepth"/> coupons. The search visits at most <see cref="QuoteOptions.MaxSearchNodes"/>
/// nodes: a pathological input gets the best combination found so far, flagged <see cref="Rules.Quote.IsProvenOptimal"/>
/// <see langword="false"/>, never a hang.</para>
/// </remarks>
public sealed class QuoteEngine
{
    /// <summary>Initializes a new instance of the <see cref="QuoteEngine"/> class.</summary>
    /// <param name="options">The options, or <see langword="null"/> for <see cref="QuoteOptions.Default"/>.</param>
    /// <exception cref="System.ComponentModel.DataAnnotations.ValidationException">An option is out of range.</exception>
    public QuoteEngine(QuoteOptions? options = null)
    {
        Options = options ?? QuoteOptions.Default;
        Options.Validate();
    }

    /// <summary>Gets the options.</summary>
    public QuoteOptions Options { get; }

    /// <summary>
    /// Finds the best valid combination of the candidate coupons for the cart, with each coupon's discount allocated to lines,
    /// the payable total, and for every coupon not used the reason.
    /// </summary>
    /// <param name="cart">The cart.</param>
    /// <param name="candidates">The coupons the user holds.</param>
    /// <returns>The quote.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="InvalidCouponException">A coupon is not valid input (for example a duplicate id).</exception>
    /// <exception cref="InvalidCartException">The cart exceeds <see cref="QuoteOptions.MaxCartLines"/> or <see cref="QuoteOptions.MaxLineQuantity"/>.</exception>
    /// <exception cref="InvalidCouponException">More than <see cref="QuoteOptions.MaxCoupons"/> candidates were given.</exception>
    public Quote Quote(Cart cart, IEnumerable<Coupon> candidates)
    {
        ArgumentNullException.ThrowIfNull(cart);
        ArgumentNullException.ThrowIfNull(candidates);
        var session = new QuoteSession(cart, Options);
        var prepared = session.Prepare(candidates);
        var search = new BestCombinationSearch(session, prepared);
        var best = search.Run();

        var chosen = new HashSet<PreparedCoupon>(best);
        var rejected = new List<CouponRejection>();
        foreach (var coupon in prepared)
        {
            if (!chosen.Contains(coupon))
            {
                rejected.Add(coupon.Rejection ?? ExplainNotChosen(session, coupon, best));
            }
        }

        return session.BuildQuote(best, rejected, !search.Exhausted, search.Nodes);
    }

    /// <summary>
    /// Checks a combination the shopper chose, for checkout: every chosen coupon must apply, at its turn in the order of
    /// application, and the coupons must be allowed together.
    /// </summary>
    /// <param name="cart">The cart.</param>
    /// <param name="chosen">The coupons the shopper chose.</param>
    /// <returns>Whether the combination is valid, and its quote (the coupons that apply, and the reasons for the others).</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="InvalidCouponException">A coupon is not valid input (for example a duplicate id).</exception>
    /// <exception cref="InvalidCartException">The cart exceeds <see cref="QuoteOptions.MaxCartLines"/> or <see cref="QuoteOptions.MaxLineQuantity"/>.</exception>
    /// <exception cref="InvalidCouponException">More than <see cref="QuoteOptions.MaxStackingDepth"/> coupons were chosen.</exception>
    public CouponValidation Validate(Cart cart, IEnumerable<Coupon> chosen)
    {
        ArgumentNullException.ThrowIfNull(cart);
        ArgumentNullException.ThrowIfNull(chosen);
        var session = new QuoteSession(cart, Options);
        var list = chosen as IReadOnlyCollection<Coupon> ?? chosen.Take(Options.MaxStackingDepth + 1).ToArray();
        if (list.Count > Options.MaxStackingDepth)
        {
            throw new InvalidCouponException(null, $"more than {Options.MaxStackingDepth} coupons were chosen for one order (QuoteOptions.MaxStackingDepth).");
        }

        var prepared = session.Prepare(list);
        var rejected = new List<CouponRejection>();
        var accepted = new List<PreparedCoupon>();
        foreach (var coupon in prepared)
        {
            if (coupon.Rejection is not null)
            {
                rejected.Add(coupon.Rejection);
                continue;
            }

            var conflict = accepted.Find(a => QuoteSession.Conflicts(coupon, a));
            if (conflict is not null)
            {
                rejected.Add(QuoteSession.Conflict(coupon, conflict));
                continue;
            }

            accepted.Add(coupon);
        }

        var remaining = (long[])session.Base.Clone();
        var shipping = session.BaseShipping;
        var sequence = new List<PreparedCoupon>();
        foreach (var coupon in accepted)
        {
            var outcome = session.Apply(coupon, remaining, ref shipping, null);
            if (outcome.Applies)
            {
                sequence.Add(coupon);
            }
            else
            {
                rejected.Add(session.Reject(coupon, outcome, afterEarlierDiscounts: true));
            }
        }

        return new CouponValidation(session.BuildQuote(sequence, rejected, isProvenOptimal: true, searchNodes: 0));
    }

    private static CouponRejection ExplainNotChosen(QuoteSession session, PreparedCoupon coupon, IReadOnlyList<PreparedCoupon> best)
    {
        foreach (var other in best)
        {
            if (QuoteSession.Conflicts(coupon, other))
            {
                return QuoteSession.Conflict(coupon, other);
            }
        }

        // Compatible with every chosen coupon: replay the combination with it to say why it does not help.
        var sequence = best.Append(coupon).Order(Comparer<PreparedCoupon>.Create(PreparedCoupon.CompareApplicationOrder)).ToArray();
        var remaining = (long[])session.Base.Clone();
        var shipping = session.BaseShipping;
        long with = 0;
        foreach (var pc in sequence)
        {
            var outcome = session.Apply(pc, remaining, ref shipping, null);
            if (ReferenceEquals(pc, coupon) && !outcome.Applies)
            {
                return session.Reject(coupon, outcome, afterEarlierDiscounts: true);
            }

            with += outcome.LinesDiscount + outcome.ShippingDiscount;
        }

        remaining = (long[])session.Base.Clone();
        shipping = session.BaseShipping;
        long without = 0;
        foreach (var pc in best)
        {
            var outcome = session.Apply(pc, remaining, ref shipping, null);
            without += outcome.LinesDiscount + outcome.ShippingDiscount;
        }

        var currency = session.Cart.Currency;
        var message = with < without
            ? $"adding it to the best combination would lower the discount from {Money.FromMinorUnits(without, currency)} to {Money.FromMinorUnits(with, currency)}"
            : $"adding it to the best combination would not raise the discount ({Money.FromMinorUnits(without, currency)} either way)";
        return new CouponRejection(coupon.Id, RejectionCode.NotBeneficial, message);
    }
}
