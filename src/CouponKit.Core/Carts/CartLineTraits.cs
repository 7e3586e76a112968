namespace CouponKit;

/// <summary>Facts about a cart line that decide whether coupons may discount it.</summary>
[Flags]
public enum CartLineTraits
{
    /// <summary>An ordinary line that coupons may discount.</summary>
    None = 0,

    /// <summary>
    /// The line is already discounted (a sale price). Coupons skip it unless their scope says
    /// <see cref="Rules.CouponScope.IncludeDiscountedItems"/>.
    /// </summary>
    AlreadyDiscounted = 1,

    /// <summary>The line may never be discounted (gift cards, deposits, tobacco, ...). It counts toward no threshold.</summary>
    NotDiscountable = 2,
}
