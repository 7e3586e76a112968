using System.ComponentModel.DataAnnotations;

namespace CouponKit.Codes;

/// <summary>Options of a <see cref="PromoCodeGenerator"/>.</summary>
/// <remarks>
/// A code is <see cref="Prefix"/>, then <see cref="BodyLength"/> random symbols, then a check character, at most
/// <see cref="PromoCode.MaxLength"/> characters in all. The generator checks the options when it is constructed and copies
/// them, so changing them afterwards has no effect on it.
/// </remarks>
public sealed class PromoCodeGeneratorOptions
{
    /// <summary>Gets or sets the number of random symbols in each code.</summary>
    /// <value>
    /// The default value is 9, which gives 9 × log2(31) = 44.6 bits of entropy. Values below 9 are refused because they give
    /// less than 40 bits.
    /// </value>
    [Range(PromoCodeConstants.MinBodyLength, PromoCodeConstants.MaxPayloadLength)]
    public int BodyLength { get; set; } = PromoCodeConstants.DefaultBodyLength;

    /// <summary>
    /// Gets or sets the text every code starts with, such as a shop or campaign tag. It is not random, so it adds no entropy,
    /// but the check character covers it.
    /// </summary>
    /// <value>
    /// The default value is <see langword="null"/> (no prefix). Only symbols of <see cref="PromoCode.Alphabet"/> are allowed:
    /// upper-case, without 0, 1, I, L and O (so <c>SUMMER</c> works and <c>SALE</c> does not).
    /// </value>
    [RegularExpression("^[2-9A-HJKMNP-Z]*$")]
    [MaxLength(PromoCodeConstants.MaxPayloadLength - PromoCodeConstants.MinBodyLength)]
    public string? Prefix { get; set; }
}
