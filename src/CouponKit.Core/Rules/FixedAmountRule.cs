namespace CouponKit.Rules;

/// <summary>A fixed amount off ("10 off, no threshold"), optionally only from a minimum.</summary>
public sealed class FixedAmountRule : DiscountRule
{
    /// <summary>Initializes a new instance of the <see cref="FixedAmountRule"/> class.</summary>
    /// <param name="off">The amount off.</param>
    /// <param name="minimum">An optional minimum the in-scope lines must reach.</param>
    /// <exception cref="InvalidCouponException">A value is not valid.</exception>
    public FixedAmountRule(Money off, Threshold? minimum = null)
    {
        Off = RequirePositive(off, "the amount off");
        Minimum = minimum;
        Currency = CommonCurrency(off, minimum?.Basis == ThresholdBasis.Amount ? minimum.Amount : null);
    }

    /// <summary>Gets the amount off.</summary>
    public Money Off { get; }

    /// <summary>Gets the optional minimum.</summary>
    public Threshold? Minimum { get; }

    /// <inheritdoc />
    public override RuleKind Kind => RuleKind.FixedAmount;

    /// <inheritdoc />
    public override Currency? Currency { get; }

    internal override RuleLevel Level => RuleLevel.Order;

    /// <inheritdoc />
    public override string Describe() => Minimum is null ? $"{Off} off" : $"{Minimum} get {Off} off";

    internal override RuleOutcome Evaluate(RuleContext context) =>
        context.CheckMinimum(Minimum) ?? RuleOutcome.Proportional(Math.Min(Off.ToMinorUnits(), context.ScopeAmount));
}
