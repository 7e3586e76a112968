namespace CouponKit.Rules;

/// <summary>
/// The working state a rule sees when it is evaluated: the cart's lines in canonical order (by line id, ordinal) with the
/// amounts that remain after the coupons applied before, all in minor units. One instance per quote; not thread-safe.
/// </summary>
internal sealed class RuleContext
{
    public RuleContext(CartLine[] lines, MidpointRounding rounding)
    {
        Lines = lines;
        Rounding = rounding;
        Quantity = new int[lines.Length];
        LineDiscounts = new long[lines.Length];
        for (var i = 0; i < lines.Length; i++)
        {
            Quantity[i] = lines[i].Quantity;
        }
    }

    /// <summary>Gets the cart lines in canonical order.</summary>
    public CartLine[] Lines { get; }

    /// <summary>Gets the quantity of each line.</summary>
    public int[] Quantity { get; }

    /// <summary>Gets how midpoints are rounded to minor units.</summary>
    public MidpointRounding Rounding { get; }

    /// <summary>Gets or sets the indices of the lines in the coupon's scope.</summary>
    public int[] Scope { get; set; } = [];

    /// <summary>Gets or sets the indices of the lines the coupon rewards beyond its scope (buy X get Y with a reward SKU).</summary>
    public int[] RewardLines { get; set; } = [];

    /// <summary>Gets or sets the amount that remains of each line.</summary>
    public long[] Remaining { get; set; } = [];

    /// <summary>Gets or sets the shipping fee that remains.</summary>
    public long ShippingRemaining { get; set; }

    /// <summary>Gets or sets the sum of the remaining amounts of the in-scope lines.</summary>
    public long ScopeAmount { get; set; }

    /// <summary>Gets or sets the number of in-scope units on lines with an amount remaining.</summary>
    public long ScopeItems { get; set; }

    /// <summary>Gets the per-line discounts written by rules that discount specific units (buy X get Y).</summary>
    public long[] LineDiscounts { get; }

    /// <summary>Measures a threshold against the in-scope lines.</summary>
    public long Measure(ThresholdBasis basis) => basis == ThresholdBasis.Amount ? ScopeAmount : ScopeItems;

    /// <summary>Rounds a non-negative exact amount of minor units to a whole number.</summary>
    public long RoundMinor(decimal minorUnits) => decimal.ToInt64(decimal.Round(minorUnits, 0, Rounding));

    /// <summary>Checks an optional minimum; returns a rejection when it is not met.</summary>
    public RuleOutcome? CheckMinimum(Threshold? minimum)
    {
        if (minimum is null)
        {
            return null;
        }

        var measure = Measure(minimum.Basis);
        var units = minimum.Units;
        return measure >= units ? null : RuleOutcome.BelowThreshold(minimum.Basis, units - measure);
    }
}

/// <summary>What a rule gives, or why it gives nothing, in minor units.</summary>
internal readonly record struct RuleOutcome(
    RejectionCode? Rejection,
    ThresholdBasis ShortfallBasis,
    long Shortfall,
    long LinesDiscount,
    bool PerLine,
    long ShippingDiscount,
    bool Gift)
{
    public bool Applies => Rejection is null;

    public static RuleOutcome BelowThreshold(ThresholdBasis basis, long shortfall) => new(RejectionCode.BelowThreshold, basis, shortfall, 0, false, 0, false);

    public static RuleOutcome Rejected(RejectionCode code) => new(code, ThresholdBasis.Amount, 0, 0, false, 0, false);

    /// <summary>A discount to spread over the in-scope lines in proportion to what remains of them.</summary>
    public static RuleOutcome Proportional(long discount) => discount > 0 ? new(null, ThresholdBasis.Amount, 0, discount, false, 0, false) : Rejected(RejectionCode.NothingToDiscount);

    /// <summary>A discount already written per line into <see cref="RuleContext.LineDiscounts"/>.</summary>
    public static RuleOutcome PerLineDiscount(long total) => total > 0 ? new(null, ThresholdBasis.Amount, 0, total, true, 0, false) : Rejected(RejectionCode.NothingToDiscount);

    public static RuleOutcome Shipping(long discount) => discount > 0 ? new(null, ThresholdBasis.Amount, 0, 0, false, discount, false) : Rejected(RejectionCode.NothingToDiscount);

    public static RuleOutcome GiftItem() => new(null, ThresholdBasis.Amount, 0, 0, false, 0, true);
}
