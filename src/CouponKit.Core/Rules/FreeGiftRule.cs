using System.Globalization;

namespace CouponKit.Rules;

/// <summary>
/// A gift item added to the order, optionally only from a minimum of the in-scope lines. It does not lower the payable
/// amount; its value is reported, and among combinations with the same discount the one with more gift value wins.
/// </summary>
public sealed class FreeGiftRule : DiscountRule
{
    /// <summary>Initializes a new instance of the <see cref="FreeGiftRule"/> class.</summary>
    /// <param name="giftSku">The SKU of the gift.</param>
    /// <param name="giftName">The gift's name, for receipts.</param>
    /// <param name="giftValue">The value of one gift unit, for statistics and reconciliation.</param>
    /// <param name="quantity">The number of gift units, 1 to 1000.</param>
    /// <param name="minimum">An optional minimum the in-scope lines must reach.</param>
    /// <exception cref="InvalidCouponException">A value is not valid.</exception>
    public FreeGiftRule(string giftSku, string giftName, Money giftValue, int quantity = 1, Threshold? minimum = null)
    {
        if (string.IsNullOrWhiteSpace(giftSku) || giftSku.Length > CartLine.MaxIdentifierLength)
        {
            throw new InvalidCouponException(null, "the gift SKU must be 1 to 128 characters and not blank.");
        }

        if (string.IsNullOrWhiteSpace(giftName))
        {
            throw new InvalidCouponException(null, "the gift needs a name.");
        }

        if (giftValue.IsNegative || !giftValue.IsWholeMinorUnits)
        {
            throw new InvalidCouponException(null, $"the gift value must be zero or more in whole minor units, got {giftValue}.");
        }

        if (quantity is < 1 or > 1000)
        {
            throw new InvalidCouponException(null, $"the gift quantity must be between 1 and 1000, got {quantity}.");
        }

        GiftSku = giftSku;
        GiftName = giftName;
        GiftValue = giftValue;
        Quantity = quantity;
        Minimum = minimum;
        Currency = CommonCurrency(giftValue, minimum?.Basis == ThresholdBasis.Amount ? minimum.Amount : null);
    }

    /// <summary>Gets the SKU of the gift.</summary>
    public string GiftSku { get; }

    /// <summary>Gets the gift's name.</summary>
    public string GiftName { get; }

    /// <summary>Gets the value of one gift unit.</summary>
    public Money GiftValue { get; }

    /// <summary>Gets the number of gift units.</summary>
    public int Quantity { get; }

    /// <summary>Gets the optional minimum.</summary>
    public Threshold? Minimum { get; }

    /// <inheritdoc />
    public override RuleKind Kind => RuleKind.FreeGift;

    /// <inheritdoc />
    public override Currency? Currency { get; }

    internal override RuleLevel Level => RuleLevel.Gift;

    internal long GiftValueMinor => GiftValue.ToMinorUnits() * Quantity;

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"{(Minimum is null ? string.Empty : Minimum + " get ")}{Quantity} x {GiftName} free");

    internal override RuleOutcome Evaluate(RuleContext context) => context.CheckMinimum(Minimum) ?? RuleOutcome.GiftItem();
}
