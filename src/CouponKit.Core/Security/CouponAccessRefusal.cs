namespace CouponKit.Security;

/// <summary>Why a coupon id named by a caller may not be used by that caller.</summary>
public enum CouponAccessReason
{
    /// <summary>
    /// No such coupon for this user: the id is unknown, or the coupon is held by another user. The two are never told apart, so
    /// the answer reveals nothing about other users' coupons.
    /// </summary>
    NotFound,

    /// <summary>The caller's own coupon, but it is used, expired or locked by an order.</summary>
    NotAvailable,

    /// <summary>
    /// The caller's own coupon, but of another merchant's template: the order's shop (<see cref="Cart.ShopId"/>) does not accept
    /// it. Platform templates are accepted by every shop. The answer names no merchant.
    /// </summary>
    NotAcceptedByShop,
}

/// <summary>
/// The one refusal for a coupon id the caller may not use. The message names only the id the caller gave, so a foreign and an
/// unknown id get exactly the same refusal.
/// </summary>
/// <param name="CouponId">The id the caller gave.</param>
/// <param name="Reason">Why.</param>
/// <param name="Message">In words, for the shopper.</param>
public sealed record CouponAccessRefusal(string CouponId, CouponAccessReason Reason, string Message)
{
    internal static CouponAccessRefusal NotFound(string couponId) =>
        new(couponId, CouponAccessReason.NotFound, $"coupon '{couponId}' was not found for this user");

    internal static CouponAccessRefusal NotAvailable(string couponId) =>
        new(couponId, CouponAccessReason.NotAvailable, $"coupon '{couponId}' is not available: it is used, expired or locked by an order");

    internal static CouponAccessRefusal NotAcceptedByShop(string couponId) =>
        new(couponId, CouponAccessReason.NotAcceptedByShop, $"coupon '{couponId}' is not accepted by this shop");
}
