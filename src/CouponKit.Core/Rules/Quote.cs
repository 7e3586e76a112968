namespace CouponKit.Rules;

/// <summary>The part of one coupon's discount that falls on one cart line.</summary>
/// <param name="LineId">The cart line.</param>
/// <param name="Amount">The discount on that line.</param>
public sealed record LineAllocation(string LineId, Money Amount);

/// <summary>A gift item a coupon adds to the order.</summary>
/// <param name="CouponId">The coupon that gives it.</param>
/// <param name="Sku">The gift's SKU.</param>
/// <param name="Name">The gift's name.</param>
/// <param name="Quantity">The number of units.</param>
/// <param name="Value">The value of all units, for statistics; it does not change the payable amount.</param>
public sealed record GiftItem(string CouponId, string Sku, string Name, int Quantity, Money Value);

/// <summary>A coupon that applies, with its discount and where it falls.</summary>
public sealed class AppliedCoupon
{
    internal AppliedCoupon(Coupon coupon, int sequence, Money linesDiscount, Money shippingDiscount, IReadOnlyList<LineAllocation> allocations, GiftItem? gift)
    {
        CouponId = coupon.Id;
        Kind = coupon.Rule.Kind;
        TemplateId = coupon.TemplateId;
        Sequence = sequence;
        LinesDiscount = linesDiscount;
        ShippingDiscount = shippingDiscount;
        Discount = linesDiscount + shippingDiscount;
        Allocations = allocations;
        Gift = gift;
    }

    /// <summary>Gets the coupon.</summary>
    public string CouponId { get; }

    /// <summary>Gets the template the coupon came from, if any.</summary>
    public string? TemplateId { get; }

    /// <summary>Gets the kind of rule.</summary>
    public RuleKind Kind { get; }

    /// <summary>Gets the position in the order of application, from 1.</summary>
    public int Sequence { get; }

    /// <summary>Gets the whole discount: lines plus shipping.</summary>
    public Money Discount { get; }

    /// <summary>Gets the discount on the lines; it equals the sum of <see cref="Allocations"/>.</summary>
    public Money LinesDiscount { get; }

    /// <summary>Gets the discount on the shipping fee.</summary>
    public Money ShippingDiscount { get; }

    /// <summary>Gets the discount per line (lines with a zero share are left out), in the cart's line order.</summary>
    public IReadOnlyList<LineAllocation> Allocations { get; }

    /// <summary>Gets the gift the coupon adds, if it is a gift coupon.</summary>
    public GiftItem? Gift { get; }
}

/// <summary>One cart line after the discounts.</summary>
/// <param name="LineId">The line.</param>
/// <param name="Sku">The line's SKU.</param>
/// <param name="Amount">The line total before discounts.</param>
/// <param name="Discount">The sum of the discounts allocated to the line.</param>
/// <param name="Payable">What the shopper pays for the line.</param>
public sealed record QuoteLine(string LineId, string Sku, Money Amount, Money Discount, Money Payable);

/// <summary>
/// The priced result for a cart and a set of coupons: the coupons that apply with their per-line allocation, the reason for
/// every coupon that does not, and the totals.
/// </summary>
public sealed class Quote
{
    internal Quote(
        Cart cart,
        IReadOnlyList<QuoteLine> lines,
        Money shippingDiscount,
        IReadOnlyList<AppliedCoupon> applied,
        IReadOnlyList<CouponRejection> rejected,
        IReadOnlyList<GiftItem> gifts,
        bool isProvenOptimal,
        long searchNodes)
    {
        Currency = cart.Currency;
        Subtotal = cart.Subtotal;
        ShippingFee = cart.ShippingFee;
        Lines = lines;
        var linesDiscount = Money.Zero(cart.Currency);
        foreach (var line in lines)
        {
            linesDiscount += line.Discount;
        }

        LinesDiscount = linesDiscount;
        ShippingDiscount = shippingDiscount;
        TotalDiscount = linesDiscount + shippingDiscount;
        Payable = Subtotal + ShippingFee - TotalDiscount;
        Applied = applied;
        Rejected = rejected;
        Gifts = gifts;
        IsProvenOptimal = isProvenOptimal;
        SearchNodes = searchNodes;
    }

    /// <summary>Gets the currency of every amount.</summary>
    public Currency Currency { get; }

    /// <summary>Gets the sum of the line totals before discounts.</summary>
    public Money Subtotal { get; }

    /// <summary>Gets the shipping fee before discounts.</summary>
    public Money ShippingFee { get; }

    /// <summary>Gets the discount on the lines.</summary>
    public Money LinesDiscount { get; }

    /// <summary>Gets the discount on the shipping fee.</summary>
    public Money ShippingDiscount { get; }

    /// <summary>Gets the whole discount.</summary>
    public Money TotalDiscount { get; }

    /// <summary>Gets what the shopper pays: subtotal plus shipping minus the whole discount. Never negative.</summary>
    public Money Payable { get; }

    /// <summary>Gets the cart lines after discounts, in the cart's order.</summary>
    public IReadOnlyList<QuoteLine> Lines { get; }

    /// <summary>Gets the coupons that apply, in the order they were applied.</summary>
    public IReadOnlyList<AppliedCoupon> Applied { get; }

    /// <summary>Gets the coupons that do not apply, each with its reason, ordered by coupon id.</summary>
    public IReadOnlyList<CouponRejection> Rejected { get; }

    /// <summary>Gets the gift items added by gift coupons.</summary>
    public IReadOnlyList<GiftItem> Gifts { get; }

    /// <summary>
    /// Gets a value indicating whether the combination is proven the best. It is <see langword="false"/> only when the search
    /// stopped at <see cref="QuoteOptions.MaxSearchNodes"/>; the quote is then the best combination found so far, still valid.
    /// </summary>
    public bool IsProvenOptimal { get; }

    /// <summary>Gets the number of nodes the best-combination search visited (0 for a validation).</summary>
    public long SearchNodes { get; }
}

/// <summary>The answer to <see cref="QuoteEngine.Validate(Cart, IEnumerable{Coupon})"/>: whether the combination the shopper chose is valid, and its quote.</summary>
public sealed class CouponValidation
{
    internal CouponValidation(Quote quote)
    {
        Quote = quote;
    }

    /// <summary>Gets a value indicating whether every chosen coupon applies and they may be combined.</summary>
    public bool IsValid => Quote.Rejected.Count == 0;

    /// <summary>Gets the quote of the chosen coupons that apply; <see cref="Quote.Rejected"/> lists those that do not.</summary>
    public Quote Quote { get; }

    /// <summary>Gets the chosen coupons that do not apply, each with its reason (the same as <see cref="Quote.Rejected"/>).</summary>
    public IReadOnlyList<CouponRejection> Rejected => Quote.Rejected;
}
