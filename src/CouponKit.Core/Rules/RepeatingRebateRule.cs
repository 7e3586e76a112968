using System.Globalization;

namespace CouponKit.Rules;

/// <summary>
/// "Every full 100 → 15 off, at most 3 times": each full step of the threshold reached gives the amount off again.
/// </summary>
public sealed class RepeatingRebateRule : DiscountRule
{
    /// <summary>Initializes a new instance of the <see cref="RepeatingRebateRule"/> class.</summary>
    /// <param name="every">The step: an amount or a number of items.</param>
    /// <param name="off">The amount off for each full step.</param>
    /// <param name="maxTimes">The most times the step counts, or <see langword="null"/> for no limit other than the in-scope amount.</param>
    /// <exception cref="InvalidCouponException">A value is not valid.</exception>
    public RepeatingRebateRule(Threshold every, Money off, int? maxTimes = null)
    {
        Every = every ?? throw new InvalidCouponException(null, "a repeating rebate needs a step.");
        Off = RequirePositive(off, "the amount off");
        if (maxTimes is <= 0)
        {
            throw new InvalidCouponException(null, $"the most times must be at least 1, got {maxTimes}.");
        }

        MaxTimes = maxTimes;
        Currency = CommonCurrency(off, every.Basis == ThresholdBasis.Amount ? every.Amount : null);
    }

    /// <summary>Gets the step.</summary>
    public Threshold Every { get; }

    /// <summary>Gets the amount off for each full step.</summary>
    public Money Off { get; }

    /// <summary>Gets the most times the step counts, or <see langword="null"/> for no limit.</summary>
    public int? MaxTimes { get; }

    /// <inheritdoc />
    public override RuleKind Kind => RuleKind.RepeatingRebate;

    /// <inheritdoc />
    public override Currency? Currency { get; }

    internal override RuleLevel Level => RuleLevel.Order;

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"every {Every} get {Off} off{(MaxTimes is { } m ? $", at most {m} times" : string.Empty)}");

    internal override RuleOutcome Evaluate(RuleContext context)
    {
        var measure = context.Measure(Every.Basis);
        var step = Every.Units;
        var times = measure / step;
        if (times == 0)
        {
            return RuleOutcome.BelowThreshold(Every.Basis, step - measure);
        }

        if (MaxTimes is { } max && times > max)
        {
            times = max;
        }

        var discount = (Int128)times * Off.ToMinorUnits();
        return RuleOutcome.Proportional((long)Int128.Min(discount, context.ScopeAmount));
    }
}
