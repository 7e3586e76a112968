using System.Globalization;

namespace CouponKit.Rules;

/// <summary>
/// "12% off, at most 30": a percentage of the in-scope amount (after earlier discounts), rounded to the minor unit with the
/// quote's rounding mode, then capped.
/// </summary>
public sealed class PercentOffRule : DiscountRule
{
    /// <summary>Initializes a new instance of the <see cref="PercentOffRule"/> class.</summary>
    /// <param name="percent">The percentage: more than 0, at most 100, at most 4 decimals (12.5 means 12.5%).</param>
    /// <param name="cap">The most it gives, or <see langword="null"/> for no cap.</param>
    /// <param name="minimum">An optional minimum the in-scope lines must reach.</param>
    /// <exception cref="InvalidCouponException">A value is not valid.</exception>
    public PercentOffRule(decimal percent, Money? cap = null, Threshold? minimum = null)
    {
        if (percent <= 0m || percent > 100m || decimal.Round(percent, 4) != percent)
        {
            throw new InvalidCouponException(null, string.Create(CultureInfo.InvariantCulture, $"a percentage must be more than 0 and at most 100 with at most 4 decimals, got {percent}."));
        }

        if (cap is { } c)
        {
            RequirePositive(c, "the cap");
        }

        Percent = percent;
        Cap = cap;
        Minimum = minimum;
        Currency = CommonCurrency(cap, minimum?.Basis == ThresholdBasis.Amount ? minimum.Amount : null);
    }

    /// <summary>Gets the percentage (12.5 means 12.5%).</summary>
    public decimal Percent { get; }

    /// <summary>Gets the most it gives, or <see langword="null"/>.</summary>
    public Money? Cap { get; }

    /// <summary>Gets the optional minimum.</summary>
    public Threshold? Minimum { get; }

    /// <inheritdoc />
    public override RuleKind Kind => RuleKind.PercentOff;

    /// <inheritdoc />
    public override Currency? Currency { get; }

    internal override RuleLevel Level => RuleLevel.Order;

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"{(Minimum is null ? string.Empty : Minimum + " get ")}{Percent}% off{(Cap is { } c ? $", at most {c}" : string.Empty)}");

    internal override RuleOutcome Evaluate(RuleContext context)
    {
        if (context.CheckMinimum(Minimum) is { } rejected)
        {
            return rejected;
        }

        var discount = context.RoundMinor(context.ScopeAmount * Percent / 100m);
        if (Cap is { } cap)
        {
            discount = Math.Min(discount, cap.ToMinorUnits());
        }

        return RuleOutcome.Proportional(Math.Min(discount, context.ScopeAmount));
    }
}
