using CouponKit.Issuance;
using CouponKit.Messaging;

namespace CouponKit.Redemption;

/// <summary>A phase of Try-Confirm-Cancel.</summary>
public enum TccPhase
{
    /// <summary>Lock the coupons for the order.</summary>
    Try,

    /// <summary>The order is paid: use the coupons.</summary>
    Confirm,

    /// <summary>The order failed or timed out: release the coupons.</summary>
    Cancel,
}

/// <summary>
/// One barrier row: an order's phase done for one coupon. Unique per (order, coupon, phase). A Cancel that finds no Try writes a
/// Try row with <see cref="Origin"/> <see cref="TccPhase.Cancel"/> (an empty compensation), so that a Try arriving later is refused.
/// <see cref="OrderWide"/> as the coupon id marks a Cancel for the whole order.
/// </summary>
/// <param name="OrderId">The order.</param>
/// <param name="CouponId">The coupon, or <see cref="OrderWide"/>.</param>
/// <param name="Phase">The phase.</param>
/// <param name="Origin">The phase that wrote the row.</param>
/// <param name="At">When it was written.</param>
public sealed record OperationRecord(string OrderId, string CouponId, TccPhase Phase, TccPhase Origin, DateTimeOffset At)
{
    /// <summary>The coupon id of a record that covers the whole order.</summary>
    public const string OrderWide = "*";

    /// <summary>
    /// Gets the user who owns the order, as the step that wrote the row gave it; <see langword="null"/> when the store does not
    /// keep it (the owner is then the holder of the coupons the order locked).
    /// </summary>
    public string? UserId { get; init; }

    /// <summary>Gets a value indicating whether this is a Try row written by a Cancel that came first.</summary>
    public bool IsEmptyCompensation => Phase == TccPhase.Try && Origin == TccPhase.Cancel;
}

/// <summary>One TCC step for an order.</summary>
/// <param name="Phase">The phase.</param>
/// <param name="OrderId">The order.</param>
/// <param name="UserId">The user who owns the order: every step checks it against the order's owner and the coupons' holder.</param>
/// <param name="CouponIds">The coupons; for Confirm and Cancel, empty means those the order locked.</param>
/// <param name="At">When the step happens.</param>
/// <param name="LockUntil">For Try: when an unpaid lock is released.</param>
/// <param name="Reason">For Cancel: why (payment failed, timeout, ...).</param>
public sealed record RedemptionCommand(
    TccPhase Phase,
    string OrderId,
    string UserId,
    IReadOnlyList<string> CouponIds,
    DateTimeOffset At,
    DateTimeOffset? LockUntil = null,
    string? Reason = null);

/// <summary>The outcome of a TCC step.</summary>
public enum RedemptionStatus
{
    /// <summary>Try locked the coupons.</summary>
    Locked,

    /// <summary>Confirm used the coupons.</summary>
    Confirmed,

    /// <summary>Cancel released the coupons (or recorded an empty compensation).</summary>
    Released,

    /// <summary>The same step was already done; nothing changed.</summary>
    AlreadyDone,

    /// <summary>The step is refused; see <see cref="RedemptionResult.Refusal"/>.</summary>
    Refused,
}

/// <summary>Why a TCC step is refused.</summary>
public enum RedemptionRefusal
{
    /// <summary>No refusal.</summary>
    None,

    /// <summary>A coupon does not exist, or belongs to another user (the two are not told apart).</summary>
    CouponNotFound,

    /// <summary>A coupon is not available: locked by another order, used or expired.</summary>
    CouponNotAvailable,

    /// <summary>A coupon is outside its validity window.</summary>
    OutsideValidity,

    /// <summary>The order was cancelled before this Try arrived (late Try; no hanging lock).</summary>
    OrderCancelled,

    /// <summary>The order was confirmed; it cannot be cancelled.</summary>
    OrderConfirmed,

    /// <summary>Confirm without a Try: nothing is locked for the order.</summary>
    NotLocked,

    /// <summary>The order locked a different set of coupons before.</summary>
    DifferentCoupons,

    /// <summary>The order belongs to another user; nothing about it is told and nothing changes.</summary>
    OrderNotFound,

    /// <summary>A coupon applies only to a first order, and the user already has a paid order (<see cref="Ports.IOrderHistory"/>).</summary>
    NotFirstOrder,

    /// <summary>A coupon applies once per product, and a product in its scope was already discounted for the user by its template.</summary>
    ProductAlreadyDiscounted,

    /// <summary>A coupon applies once per product, and the Try did not give the order's cart to tell which products it discounts.</summary>
    CartRequired,
}

/// <summary>The result of a TCC step.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Refusal">Why it was refused.</param>
/// <param name="Message">In words.</param>
/// <param name="Coupons">The coupons after the step.</param>
public sealed record RedemptionResult(RedemptionStatus Status, RedemptionRefusal Refusal, string Message, IReadOnlyList<IssuedCoupon> Coupons)
{
    /// <summary>Gets a value indicating whether the step succeeded or had already succeeded.</summary>
    public bool Succeeded => Status != RedemptionStatus.Refused;
}

/// <summary>What a store must write for a TCC step: the plan made by <see cref="RedemptionPlanner"/>.</summary>
/// <param name="Result">The result to return.</param>
/// <param name="CouponUpdates">Coupons to write; each replaces the stored coupon of the same id whose version is one less.</param>
/// <param name="NewRecords">Operation records to insert.</param>
/// <param name="Messages">Outbox messages to write.</param>
public sealed record RedemptionPlan(
    RedemptionResult Result,
    IReadOnlyList<IssuedCoupon> CouponUpdates,
    IReadOnlyList<OperationRecord> NewRecords,
    IReadOnlyList<OutboxMessage> Messages);
