using System.Globalization;

namespace CouponKit.Rules;

/// <summary>What a threshold measures.</summary>
public enum ThresholdBasis
{
    /// <summary>The amount of the in-scope lines, after the discounts applied before this coupon.</summary>
    Amount,

    /// <summary>The number of in-scope units (the sum of quantities of in-scope lines not yet fully discounted).</summary>
    ItemCount,
}

/// <summary>A minimum that the in-scope part of a cart must reach: an amount ("spend 100") or a number of items ("buy 3").</summary>
public sealed class Threshold : IEquatable<Threshold>
{
    private Threshold(ThresholdBasis basis, Money amount, int items)
    {
        Basis = basis;
        _amount = amount;
        Items = items;
    }

    private readonly Money _amount;

    /// <summary>Gets what the threshold measures.</summary>
    public ThresholdBasis Basis { get; }

    /// <summary>Gets the amount to reach when <see cref="Basis"/> is <see cref="ThresholdBasis.Amount"/>.</summary>
    /// <exception cref="InvalidOperationException">The threshold counts items.</exception>
    public Money Amount => Basis == ThresholdBasis.Amount ? _amount : throw new InvalidOperationException("This threshold counts items, not an amount.");

    /// <summary>Gets the number of items to reach when <see cref="Basis"/> is <see cref="ThresholdBasis.ItemCount"/>, else 0.</summary>
    public int Items { get; }

    /// <summary>A threshold on the in-scope amount: "spend 100".</summary>
    /// <param name="amount">The amount: more than zero, in whole minor units.</param>
    /// <returns>The threshold.</returns>
    /// <exception cref="InvalidCouponException">The amount is zero, negative or has sub-minor digits.</exception>
    public static Threshold Spend(Money amount)
    {
        if (amount.Amount <= 0m || !amount.IsWholeMinorUnits)
        {
            throw new InvalidCouponException(null, $"a spend threshold must be more than zero in whole minor units, got {amount}.");
        }

        return new Threshold(ThresholdBasis.Amount, amount, 0);
    }

    /// <summary>A threshold on the number of in-scope items: "buy 3".</summary>
    /// <param name="items">The number of items: 1 to <see cref="CartLine.MaxQuantity"/>.</param>
    /// <returns>The threshold.</returns>
    /// <exception cref="InvalidCouponException">The count is out of range.</exception>
    public static Threshold ItemCount(int items)
    {
        if (items is <= 0 or > CartLine.MaxQuantity)
        {
            throw new InvalidCouponException(null, $"an item-count threshold must be between 1 and {CartLine.MaxQuantity}, got {items}.");
        }

        return new Threshold(ThresholdBasis.ItemCount, default, items);
    }

    internal Currency? Currency => Basis == ThresholdBasis.Amount ? _amount.Currency : null;

    /// <summary>The threshold in the engine's unit: minor units for amounts, items for counts.</summary>
    internal long Units => Basis == ThresholdBasis.Amount ? _amount.ToMinorUnits() : Items;

    /// <inheritdoc />
    public bool Equals(Threshold? other) => other is not null && Basis == other.Basis && Items == other.Items && _amount.Equals(other._amount);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Threshold other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Basis, Items, _amount);

    /// <inheritdoc />
    public override string ToString() => Basis == ThresholdBasis.Amount
        ? "spend " + _amount.ToString()
        : string.Create(CultureInfo.InvariantCulture, $"buy {Items} item{(Items == 1 ? string.Empty : "s")}");
}
