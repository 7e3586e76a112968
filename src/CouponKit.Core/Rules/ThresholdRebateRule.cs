namespace CouponKit.Rules;

/// <summary>One tier of a threshold rebate: reach <see cref="Threshold"/>, get <see cref="Off"/> off.</summary>
/// <param name="Threshold">The threshold to reach.</param>
/// <param name="Off">The amount off when the threshold is reached.</param>
public sealed record RebateTier(Threshold Threshold, Money Off);

/// <summary>
/// "Spend 100, get 20 off", possibly tiered ("100→10, 200→25, 500→80"): the highest tier reached gives its amount off.
/// The threshold is measured on the in-scope lines after earlier discounts; the discount never exceeds what remains of them.
/// </summary>
public sealed class ThresholdRebateRule : DiscountRule
{
    /// <summary>The most tiers accepted.</summary>
    public const int MaxTiers = 50;

    /// <summary>Initializes a new instance of the <see cref="ThresholdRebateRule"/> class with one tier.</summary>
    /// <param name="threshold">The threshold to reach.</param>
    /// <param name="off">The amount off.</param>
    /// <exception cref="InvalidCouponException">A value is not valid.</exception>
    public ThresholdRebateRule(Threshold threshold, Money off)
        : this([new RebateTier(threshold, off)])
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ThresholdRebateRule"/> class.</summary>
    /// <param name="tiers">The tiers: 1 to <see cref="MaxTiers"/>, all measuring the same basis, thresholds strictly increasing, and a higher tier never giving less.</param>
    /// <exception cref="InvalidCouponException">The tiers are not valid.</exception>
    public ThresholdRebateRule(IEnumerable<RebateTier> tiers)
    {
        if (tiers is null)
        {
            throw new InvalidCouponException(null, "a threshold rebate needs tiers.");
        }

        var list = tiers.ToArray();
        if (list.Length is 0 or > MaxTiers)
        {
            throw new InvalidCouponException(null, $"a threshold rebate needs 1 to {MaxTiers} tiers, got {list.Length}.");
        }

        Currency? currency = null;
        for (var i = 0; i < list.Length; i++)
        {
            var tier = list[i] ?? throw new InvalidCouponException(null, $"tier {i} is null.");
            if (tier.Threshold is null)
            {
                throw new InvalidCouponException(null, $"tier {i} has no threshold.");
            }

            RequirePositive(tier.Off, $"the amount off of tier {i}");
            currency = CommonCurrency(currency, CommonCurrency(tier.Off, tier.Threshold.Basis == ThresholdBasis.Amount ? tier.Threshold.Amount : null));
            if (i > 0)
            {
                var previous = list[i - 1];
                if (tier.Threshold.Basis != previous.Threshold.Basis)
                {
                    throw new InvalidCouponException(null, "all tiers must measure the same basis (amount or item count).");
                }

                if (tier.Threshold.Units <= previous.Threshold.Units)
                {
                    throw new InvalidCouponException(null, $"tier thresholds must be strictly increasing: tier {i} ({tier.Threshold}) is not above tier {i - 1} ({previous.Threshold}).");
                }

                if (tier.Off < previous.Off)
                {
                    throw new InvalidCouponException(null, $"a higher tier must not give less: tier {i} gives {tier.Off}, tier {i - 1} gives {previous.Off}.");
                }
            }
        }

        Tiers = list;
        Currency = currency;
    }

    /// <summary>Gets the tiers, lowest threshold first.</summary>
    public IReadOnlyList<RebateTier> Tiers { get; }

    /// <inheritdoc />
    public override RuleKind Kind => RuleKind.ThresholdRebate;

    /// <inheritdoc />
    public override Currency? Currency { get; }

    internal override RuleLevel Level => RuleLevel.Order;

    /// <inheritdoc />
    public override string Describe() => string.Join(", ", Tiers.Select(t => $"{t.Threshold} get {t.Off} off"));

    internal override RuleOutcome Evaluate(RuleContext context)
    {
        var measure = context.Measure(Tiers[0].Threshold.Basis);
        for (var i = Tiers.Count - 1; i >= 0; i--)
        {
            if (measure >= Tiers[i].Threshold.Units)
            {
                return RuleOutcome.Proportional(Math.Min(Tiers[i].Off.ToMinorUnits(), context.ScopeAmount));
            }
        }

        return RuleOutcome.BelowThreshold(Tiers[0].Threshold.Basis, Tiers[0].Threshold.Units - measure);
    }
}
