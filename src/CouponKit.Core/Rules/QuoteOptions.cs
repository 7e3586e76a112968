using System.ComponentModel.DataAnnotations;

namespace CouponKit.Rules;

/// <summary>
/// Options of the <see cref="QuoteEngine"/>, including the limits that bound the work of one quote against hostile input:
/// cart lines, quantity per line, candidate coupons, stacking depth and search nodes. Sizes are checked before any work, and
/// a breach is a typed exception (<see cref="InvalidCartException"/>, <see cref="InvalidCouponException"/>).
/// </summary>
public sealed class QuoteOptions
{
    /// <summary>Gets the default options.</summary>
    public static QuoteOptions Default { get; } = new();

    /// <summary>Gets how an amount exactly halfway between two minor units is rounded (percentages, buy X get Y at a percentage).</summary>
    /// <value>The default value is <see cref="MidpointRounding.ToEven"/> (half-even, banker's rounding).</value>
    public MidpointRounding Rounding { get; init; } = MidpointRounding.ToEven;

    /// <summary>
    /// Gets the most nodes the best-combination search visits. Beyond it the quote is the best found so far and
    /// <see cref="Quote.IsProvenOptimal"/> is <see langword="false"/>.
    /// </summary>
    /// <value>The default value is 200,000.</value>
    [Range(1, 100_000_000)]
    public int MaxSearchNodes { get; init; } = 200_000;

    /// <summary>Gets the most candidate coupons accepted in one quote.</summary>
    /// <value>The default value is 500.</value>
    [Range(1, 100_000)]
    public int MaxCoupons { get; init; } = 500;

    /// <summary>Gets the most cart lines accepted in one quote.</summary>
    /// <value>The default value is 1,000.</value>
    [Range(1, 1_000_000)]
    public int MaxCartLines { get; init; } = 1_000;

    /// <summary>Gets the largest quantity accepted on one cart line in a quote.</summary>
    /// <value>The default value is 1,000,000 (<see cref="CartLine.MaxQuantity"/>, the most a line can hold).</value>
    [Range(1, CartLine.MaxQuantity)]
    public int MaxLineQuantity { get; init; } = CartLine.MaxQuantity;

    /// <summary>
    /// Gets the most coupons applied together in one order (the stacking depth): the best-combination search never combines
    /// more, and a validation of more chosen coupons is refused before any work.
    /// </summary>
    /// <value>The default value is 16.</value>
    [Range(1, 100)]
    public int MaxStackingDepth { get; init; } = 16;

    /// <summary>Checks a cart against the size limits before any work: lines and quantity per line.</summary>
    /// <param name="cart">The cart.</param>
    /// <exception cref="InvalidCartException">The cart exceeds <see cref="MaxCartLines"/> or <see cref="MaxLineQuantity"/>.</exception>
    internal void CheckCart(Cart cart)
    {
        if (cart.Lines.Count > MaxCartLines)
        {
            throw new InvalidCartException("lines", $"the cart has {cart.Lines.Count} lines; at most {MaxCartLines} are accepted (QuoteOptions.MaxCartLines).");
        }

        for (var i = 0; i < cart.Lines.Count; i++)
        {
            if (cart.Lines[i].Quantity > MaxLineQuantity)
            {
                throw new InvalidCartException($"lines[{i}].quantity", $"line '{cart.Lines[i].LineId}' has quantity {cart.Lines[i].Quantity}; at most {MaxLineQuantity} are accepted (QuoteOptions.MaxLineQuantity).");
            }
        }
    }

    internal void Validate()
    {
        if (!Enum.IsDefined(Rounding))
        {
            throw new ArgumentOutOfRangeException(nameof(Rounding), Rounding, "Unknown rounding mode.");
        }

        Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
    }
}
