namespace CouponKit.Redemption;

/// <summary>The state of an issued coupon.</summary>
/// <remarks>
/// <code>
/// Available --Lock--> Locked --Confirm--> Used
///     ^                 |
///     +----Release------+
/// Available --Expire--> Expired      (a Locked coupon past its end is released to Expired)
/// Available --Revoke--> Revoked      (an order reward taken back when its order is refunded)
/// </code>
/// </remarks>
public enum CouponState
{
    /// <summary>Held by the user and usable.</summary>
    Available,

    /// <summary>Reserved by an unpaid order (TCC Try).</summary>
    Locked,

    /// <summary>Spent by a paid order (TCC Confirm). Final.</summary>
    Used,

    /// <summary>Past its end without being used. Final.</summary>
    Expired,

    /// <summary>Taken back before it was used (an order's reward, after the order was refunded). Final.</summary>
    Revoked,
}

/// <summary>What happens to a coupon; the triggers of the coupon state machine.</summary>
public enum CouponTrigger
{
    /// <summary>An order reserves the coupon.</summary>
    Lock,

    /// <summary>The order is paid.</summary>
    Confirm,

    /// <summary>The order failed, was cancelled or timed out.</summary>
    Release,

    /// <summary>The coupon's end has passed.</summary>
    Expire,

    /// <summary>The coupon is taken back while unused (the order it rewarded was refunded).</summary>
    Revoke,
}
