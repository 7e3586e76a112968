namespace CouponKit.Codes;

/// <summary>Why a promo code was rejected.</summary>
internal enum PromoCodeError
{
    /// <summary>The code is well-formed.</summary>
    None,

    /// <summary>Nothing is left after normalization.</summary>
    Empty,

    /// <summary>A character outside the promo-code alphabet.</summary>
    InvalidCharacter,

    /// <summary>Fewer than <see cref="PromoCode.MinLength"/> characters.</summary>
    TooShort,

    /// <summary>More than <see cref="PromoCode.MaxLength"/> characters.</summary>
    TooLong,

    /// <summary>The last character is not the check character of the others.</summary>
    CheckCharacterMismatch,
}
