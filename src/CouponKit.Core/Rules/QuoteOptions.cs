using System.ComponentModel.DataAnnotations;

namespace CouponKit.Rules;

/// <summary>Options of the <see cref="QuoteEngine"/>.</summary>
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

    internal void Validate()
    {
        if (!Enum.IsDefined(Rounding))
        {
            throw new ArgumentOutOfRangeException(nameof(Rounding), Rounding, "Unknown rounding mode.");
        }

        Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
    }
}
