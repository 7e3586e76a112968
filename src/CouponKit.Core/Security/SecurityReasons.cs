namespace CouponKit.Security;

/// <summary>
/// The values of the <c>couponkit.security.reason</c> and <c>couponkit.security.operation</c> tags of the
/// <c>couponkit.security.refusals</c> counter: a fixed vocabulary, never an id.
/// </summary>
public static class SecurityReasons
{
    /// <summary>A coupon id that is unknown or held by another user (the two are counted, and answered, alike).</summary>
    public const string CouponNotFound = "coupon_not_found";

    /// <summary>The caller's own coupon, but used, expired or locked by another order.</summary>
    public const string CouponNotAvailable = "coupon_not_available";

    /// <summary>The user's own coupon of another merchant's template, named for an order of a shop that does not accept it.</summary>
    public const string CouponWrongShop = "coupon_wrong_shop";

    /// <summary>An order that belongs to another user.</summary>
    public const string OrderNotFound = "order_not_found";

    /// <summary>A merchant acting on another owner's template, promo codes or statistics.</summary>
    public const string OtherMerchant = "other_merchant";

    /// <summary>A promo-code attempt refused because the user or the client IP is locked out after repeated misses.</summary>
    public const string PromoCodeLockedOut = "promo_code_locked_out";

    /// <summary>A promo code that matched nothing (a miss: counts toward the lock-out).</summary>
    public const string PromoCodeMiss = "promo_code_miss";

    /// <summary>Input larger than a configured limit (cart lines, quantity, candidate coupons, stacking depth).</summary>
    public const string LimitExceeded = "limit_exceeded";

    /// <summary>The quote operation.</summary>
    public const string OperationQuote = "quote";

    /// <summary>The validate operation (checkout check of the shopper's chosen coupons).</summary>
    public const string OperationValidate = "validate";

    /// <summary>The TCC Try (lock).</summary>
    public const string OperationLock = "lock";

    /// <summary>The TCC Confirm.</summary>
    public const string OperationConfirm = "confirm";

    /// <summary>The TCC Cancel (release).</summary>
    public const string OperationCancel = "cancel";

    /// <summary>A merchant operation on a template.</summary>
    public const string OperationTemplate = "template";

    /// <summary>A merchant operation on promo codes.</summary>
    public const string OperationPromoCodes = "promo_codes";

    /// <summary>A merchant reading statistics.</summary>
    public const string OperationStatistics = "statistics";

    /// <summary>A user redeeming a promo code.</summary>
    public const string OperationRedeem = "redeem";
}
