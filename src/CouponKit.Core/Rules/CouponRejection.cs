namespace CouponKit.Rules;

/// <summary>Why a coupon does not apply to a cart.</summary>
public enum RejectionCode
{
    /// <summary>The coupon's validity has not started at the cart's time.</summary>
    NotStarted,

    /// <summary>The coupon expired before the cart's time.</summary>
    Expired,

    /// <summary>The coupon's amounts are in another currency than the cart.</summary>
    CurrencyMismatch,

    /// <summary>No line of the cart is in the coupon's scope.</summary>
    OutOfScope,

    /// <summary>The in-scope lines do not reach the threshold; <see cref="CouponRejection.Shortfall"/> or <see cref="CouponRejection.MissingItems"/> says how much is missing.</summary>
    BelowThreshold,

    /// <summary>The item a buy-X-get-Y coupon rewards is not in the cart.</summary>
    RewardItemMissing,

    /// <summary>Nothing is left to discount (the in-scope lines or the shipping fee are already at zero).</summary>
    NothingToDiscount,

    /// <summary>The coupon cannot be combined with <see cref="CouponRejection.ConflictingCouponId"/> (exclusive, or the same stacking group).</summary>
    ConflictsWithCoupon,

    /// <summary>The coupon is valid, but adding it to the chosen combination would not raise the total discount.</summary>
    NotBeneficial,

    /// <summary>
    /// No such coupon for the cart's user: the coupon is held by another user (<see cref="Coupon.HolderId"/>). Told exactly like
    /// an unknown coupon, so nothing about another user's coupon is revealed.
    /// </summary>
    NotFound,

    /// <summary>The coupon applies only to the user's first paid order, and the user already has a paid order (<see cref="CouponEligibility.FirstOrderOnly"/>).</summary>
    NotFirstOrder,

    /// <summary>
    /// A product in the coupon's scope was already discounted for the user by a coupon of the same template
    /// (<see cref="CouponEligibility.OncePerProduct"/>); <see cref="CouponRejection.Product"/> names it.
    /// </summary>
    ProductAlreadyDiscounted,
}

/// <summary>A coupon that does not apply, with the reason in a code, in words, and in numbers where there are any.</summary>
public sealed class CouponRejection
{
    internal CouponRejection(string couponId, RejectionCode code, string message)
    {
        CouponId = couponId;
        Code = code;
        Message = message;
    }

    /// <summary>Gets the coupon that does not apply.</summary>
    public string CouponId { get; }

    /// <summary>Gets the reason as a code.</summary>
    public RejectionCode Code { get; }

    /// <summary>Gets the reason in words, for the shopper (for example <c>spend CNY 12.00 more</c>).</summary>
    public string Message { get; }

    /// <summary>Gets the amount still to spend, for <see cref="RejectionCode.BelowThreshold"/> on an amount.</summary>
    public Money? Shortfall { get; init; }

    /// <summary>Gets the number of items still to add, for <see cref="RejectionCode.BelowThreshold"/> on an item count.</summary>
    public int? MissingItems { get; init; }

    /// <summary>Gets the product (SKU) already discounted, for <see cref="RejectionCode.ProductAlreadyDiscounted"/>.</summary>
    public string? Product { get; init; }

    /// <summary>Gets the coupon this one conflicts with, for <see cref="RejectionCode.ConflictsWithCoupon"/>.</summary>
    public string? ConflictingCouponId { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{CouponId}: {Code} ({Message})";
}
