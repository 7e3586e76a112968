namespace CouponKit;

/// <summary>One line of a cart: a product (SKU) at a unit price and a quantity.</summary>
public sealed class CartLine
{
    /// <summary>The largest quantity accepted on one line.</summary>
    public const int MaxQuantity = 1_000_000;

    /// <summary>The longest identifier (line id, SKU, category, brand) accepted.</summary>
    public const int MaxIdentifierLength = 128;

    /// <summary>Initializes a new instance of the <see cref="CartLine"/> class.</summary>
    /// <param name="lineId">The line's identifier, unique within the cart.</param>
    /// <param name="sku">The stock-keeping unit.</param>
    /// <param name="unitPrice">The price of one unit: not negative, in whole minor units.</param>
    /// <param name="quantity">The quantity: 1 to <see cref="MaxQuantity"/>.</param>
    /// <param name="categories">The categories the product belongs to (any level of the category tree).</param>
    /// <param name="brand">The brand, if any.</param>
    /// <param name="traits">Whether the line is already discounted or not discountable at all.</param>
    /// <exception cref="InvalidCartException">A value is not valid.</exception>
    /// <exception cref="MoneyOutOfRangeException">The line total exceeds <see cref="Money.MaxAmount"/>.</exception>
    public CartLine(string lineId, string sku, Money unitPrice, int quantity, IEnumerable<string>? categories = null, string? brand = null, CartLineTraits traits = CartLineTraits.None)
    {
        LineId = RequireIdentifier(lineId, "lineId");
        Sku = RequireIdentifier(sku, "sku");
        if (unitPrice.IsNegative)
        {
            throw new InvalidCartException("unitPrice", $"line '{lineId}' has a negative unit price {unitPrice}.");
        }

        if (!unitPrice.IsWholeMinorUnits)
        {
            throw new InvalidCartException("unitPrice", $"line '{lineId}' has unit price {unitPrice} with more digits than the currency's minor unit.");
        }

        if (quantity is <= 0 or > MaxQuantity)
        {
            throw new InvalidCartException("quantity", $"line '{lineId}' has quantity {quantity}; it must be between 1 and {MaxQuantity}.");
        }

        if ((traits & ~(CartLineTraits.AlreadyDiscounted | CartLineTraits.NotDiscountable)) != 0)
        {
            throw new InvalidCartException("traits", $"line '{lineId}' has unknown traits {(int)traits}.");
        }

        UnitPrice = unitPrice;
        Quantity = quantity;
        Total = unitPrice * quantity;
        Categories = (categories ?? []).Select(c => RequireIdentifier(c, "categories")).Distinct(StringComparer.Ordinal).ToArray();
        Brand = brand is null ? null : RequireIdentifier(brand, "brand");
        Traits = traits;
    }

    /// <summary>Gets the line's identifier, unique within the cart.</summary>
    public string LineId { get; }

    /// <summary>Gets the stock-keeping unit.</summary>
    public string Sku { get; }

    /// <summary>Gets the price of one unit.</summary>
    public Money UnitPrice { get; }

    /// <summary>Gets the quantity.</summary>
    public int Quantity { get; }

    /// <summary>Gets the unit price times the quantity.</summary>
    public Money Total { get; }

    /// <summary>Gets the categories the product belongs to.</summary>
    public IReadOnlyList<string> Categories { get; }

    /// <summary>Gets the brand, if any.</summary>
    public string? Brand { get; }

    /// <summary>Gets whether the line is already discounted or not discountable.</summary>
    public CartLineTraits Traits { get; }

    internal static string RequireIdentifier(string value, string field)
    {
        if (value is null)
        {
            throw new InvalidCartException(field, "a value is required.");
        }

        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxIdentifierLength)
        {
            throw new InvalidCartException(field, $"'{(value.Length > 32 ? value[..32] + "…" : value)}' must be 1 to {MaxIdentifierLength} characters and not blank.");
        }

        return value;
    }
}
