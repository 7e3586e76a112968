namespace CouponKit.Codes;

/// <summary>
/// The exception thrown by <see cref="PromoCode.Parse(string)"/> when a promo code is not well-formed: a character outside
/// the alphabet, a length out of range, or a check character that does not match (a typing mistake).
/// </summary>
/// <remarks>
/// Promo codes are secrets: the messages CouponKit writes show the code masked by <see cref="PromoCode.Mask(string)"/>,
/// never in full.
/// </remarks>
public sealed class InvalidPromoCodeException : FormatException
{
    /// <summary>Initializes a new instance with a generic message.</summary>
    public InvalidPromoCodeException()
        : base("The promo code is not valid.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">The message; it must not contain a promo code in full.</param>
    public InvalidPromoCodeException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and inner exception.</summary>
    /// <param name="message">The message; it must not contain a promo code in full.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public InvalidPromoCodeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
