using System.Buffers;

namespace CouponKit.Codes;

/// <summary>Defaults and limits shared by the promo-code generator and validator.</summary>
internal static class PromoCodeConstants
{
    /// <summary>The 31 symbols of a promo code: digits and upper-case letters without 0, 1, I, L and O.</summary>
    public const string Alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

    /// <summary>The number of symbols in <see cref="Alphabet"/>; a prime, so the check character arithmetic is a field.</summary>
    public const int Radix = 31;

    /// <summary>
    /// The most characters before the check character. Weights run 1..29 and the check character weighs 30,
    /// so every weight is distinct and non-zero modulo 31 (see <see cref="PromoCodeChecksum"/>).
    /// </summary>
    public const int MaxPayloadLength = Radix - 2;

    /// <summary>The fewest random characters a generator may draw: 9 × log2(31) = 44.6 bits (8 would give 39.6).</summary>
    public const int MinBodyLength = 9;

    /// <summary>The default number of random characters.</summary>
    public const int DefaultBodyLength = MinBodyLength;

    /// <summary>The least entropy, in bits, a generated code must carry.</summary>
    public const double MinEntropyBits = 40;

    /// <summary>The separator written between display groups and dropped by normalization.</summary>
    public const char GroupSeparator = '-';

    /// <summary>The default number of characters per display group.</summary>
    public const int DefaultGroupSize = 4;

    /// <summary>Bytes at or above this value are redrawn, so that <c>b % 31</c> is uniform (248 = 8 × 31).</summary>
    public const int RejectionThreshold = 256 / Radix * Radix;

    /// <summary>What <see cref="PromoCode.Mask(string)"/> writes in place of the hidden characters.</summary>
    public const string MaskFill = "*****";

    /// <summary>Bits of entropy per random character: log2(31).</summary>
    public static readonly double BitsPerCharacter = Math.Log2(Radix);

    /// <summary>The symbols of <see cref="Alphabet"/>, for fast searches.</summary>
    public static readonly SearchValues<char> Symbols = SearchValues.Create(Alphabet);
}
