namespace CouponKit.Rules;

/// <summary>The kind of a discount rule.</summary>
public enum RuleKind
{
    /// <summary>Spend a threshold, get an amount off; several tiers possible ("100→10, 200→25, 500→80").</summary>
    ThresholdRebate,

    /// <summary>Every full threshold gives an amount off, up to a number of times ("every 100 → 15 off, at most 3 times").</summary>
    RepeatingRebate,

    /// <summary>A fixed amount off, with an optional minimum.</summary>
    FixedAmount,

    /// <summary>A percentage off, with an optional cap and minimum.</summary>
    PercentOff,

    /// <summary>Buy X units, get Y units free or discounted.</summary>
    BuyXGetY,

    /// <summary>The shipping fee is waived (up to an optional cap).</summary>
    FreeShipping,

    /// <summary>A gift item is added to the order.</summary>
    FreeGift,
}

/// <summary>
/// What a coupon gives. The concrete rules are <see cref="ThresholdRebateRule"/>, <see cref="RepeatingRebateRule"/>,
/// <see cref="FixedAmountRule"/>, <see cref="PercentOffRule"/>, <see cref="BuyXGetYRule"/>, <see cref="FreeShippingRule"/>
/// and <see cref="FreeGiftRule"/>. Rules validate their arguments when created and are immutable.
/// </summary>
public abstract class DiscountRule
{
    private protected DiscountRule()
    {
    }

    /// <summary>Gets the kind of rule.</summary>
    public abstract RuleKind Kind { get; }

    /// <summary>Gets the currency of the amounts in the rule, or <see langword="null"/> when the rule has none (a plain percentage).</summary>
    public abstract Currency? Currency { get; }

    /// <summary>Gets a short description of the rule in the shop's words, for receipts and logs.</summary>
    /// <returns>The description.</returns>
    public abstract string Describe();

    /// <inheritdoc />
    public override string ToString() => Describe();

    /// <summary>The level the rule works at: item-level rules apply first, then order-level, then shipping, then gifts.</summary>
    internal abstract RuleLevel Level { get; }

    /// <summary>The lines (indices into the canonical order) a rule rewards beyond its scope; only buy X get Y with a reward SKU has any.</summary>
    internal virtual int[] RewardLines(CartLine[] lines, CouponScope scope) => [];

    /// <summary>Computes what the rule gives on the current state of the in-scope lines.</summary>
    internal abstract RuleOutcome Evaluate(RuleContext context);

    /// <summary>
    /// The most the rule can give at its turn in any combination, given the context of the whole cart before any discount
    /// and what it gives there alone. Rules that give no more when the remaining amounts are lower return <paramref name="standalone"/>.
    /// </summary>
    internal virtual long UpperBound(RuleContext context, long standalone) => standalone;

    private protected static Currency? CommonCurrency(params Money?[] amounts)
    {
        Currency? currency = null;
        foreach (var money in amounts)
        {
            if (money is not { } m)
            {
                continue;
            }

            if (currency is null)
            {
                currency = m.Currency;
            }
            else if (currency != m.Currency)
            {
                throw new InvalidCouponException(null, $"a rule mixes currencies {currency.Code} and {m.Currency.Code}.");
            }
        }

        return currency;
    }

    private protected static Currency? CommonCurrency(Currency? a, Currency? b)
    {
        if (a is null || b is null || a == b)
        {
            return a ?? b;
        }

        throw new InvalidCouponException(null, $"a rule mixes currencies {a.Code} and {b.Code}.");
    }

    private protected static Money RequirePositive(Money amount, string what)
    {
        if (amount.Amount <= 0m || !amount.IsWholeMinorUnits)
        {
            throw new InvalidCouponException(null, $"{what} must be more than zero in whole minor units, got {amount}.");
        }

        return amount;
    }
}

/// <summary>The level a rule works at, in the order levels apply.</summary>
internal enum RuleLevel
{
    Item = 0,
    Order = 1,
    Shipping = 2,
    Gift = 3,
}
