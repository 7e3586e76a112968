namespace CouponKit.Rules;

/// <summary>The shipping fee is waived, up to an optional cap, optionally only from a minimum of the in-scope lines.</summary>
public sealed class FreeShippingRule : DiscountRule
{
    /// <summary>Initializes a new instance of the <see cref="FreeShippingRule"/> class.</summary>
    /// <param name="minimum">An optional minimum the in-scope lines must reach.</param>
    /// <param name="cap">The most it waives, or <see langword="null"/> for the whole fee.</param>
    /// <exception cref="InvalidCouponException">A value is not valid.</exception>
    public FreeShippingRule(Threshold? minimum = null, Money? cap = null)
    {
        if (cap is { } c)
        {
            RequirePositive(c, "the cap");
        }

        Minimum = minimum;
        Cap = cap;
        Currency = CommonCurrency(cap, minimum?.Basis == ThresholdBasis.Amount ? minimum.Amount : null);
    }

    /// <summary>Gets the optional minimum.</summary>
    public Threshold? Minimum { get; }

    /// <summary>Gets the most it waives, or <see langword="null"/>.</summary>
    public Money? Cap { get; }

    /// <inheritdoc />
    public override RuleKind Kind => RuleKind.FreeShipping;

    /// <inheritdoc />
    public override Currency? Currency { get; }

    internal override RuleLevel Level => RuleLevel.Shipping;

    /// <inheritdoc />
    public override string Describe() => $"{(Minimum is null ? string.Empty : Minimum + " get ")}free shipping{(Cap is { } c ? $" up to {c}" : string.Empty)}";

    internal override RuleOutcome Evaluate(RuleContext context)
    {
        if (context.CheckMinimum(Minimum) is { } rejected)
        {
            return rejected;
        }

        var discount = context.ShippingRemaining;
        if (Cap is { } cap)
        {
            discount = Math.Min(discount, cap.ToMinorUnits());
        }

        return RuleOutcome.Shipping(discount);
    }
}
