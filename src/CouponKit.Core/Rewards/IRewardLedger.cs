using CouponKit.Issuance;
using CouponKit.Messaging;

namespace CouponKit.Rewards;

/// <summary>
/// What order rewards remember besides the coupons: the refunded orders (a tombstone per order, so that a paid event arriving
/// after the refund issues nothing) and the losses (rewards already used when their order was refunded), which reconciliation
/// and statistics read.
/// </summary>
public interface IRewardLedger
{
    /// <summary>Records that an order was refunded (its tombstone). Recording it again changes nothing.</summary>
    /// <param name="orderId">The order.</param>
    /// <param name="refundedAt">When it was refunded.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> the first time; <see langword="false"/> when it was already recorded.</returns>
    Task<bool> MarkRefundedAsync(string orderId, DateTimeOffset refundedAt, CancellationToken cancellationToken);

    /// <summary>Tells whether an order was refunded.</summary>
    /// <param name="orderId">The order.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when its tombstone exists.</returns>
    Task<bool> IsRefundedAsync(string orderId, CancellationToken cancellationToken);

    /// <summary>Records a loss, once per rule and refunded order; a second record for the same pair changes nothing.</summary>
    /// <param name="loss">The loss.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when recorded now.</returns>
    Task<bool> AddLossAsync(RewardLoss loss, CancellationToken cancellationToken);

    /// <summary>Lists the losses recorded in a period, oldest first.</summary>
    /// <param name="from">The start (inclusive).</param>
    /// <param name="until">The end (exclusive).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The losses.</returns>
    Task<IReadOnlyList<RewardLoss>> ListLossesAsync(DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken);
}

/// <summary>A reward that was already used when the order that earned it was refunded: the shop's loss.</summary>
/// <param name="RuleId">The rule that gave the reward.</param>
/// <param name="OrderId">The refunded order that earned it.</param>
/// <param name="CouponId">The reward coupon.</param>
/// <param name="TemplateId">Its template.</param>
/// <param name="UserId">Its holder.</param>
/// <param name="UsedByOrderId">The order that used it.</param>
/// <param name="Discount">The discount it gave that order, as recorded by the shop; <see langword="null"/> when none was recorded.</param>
/// <param name="RecordedAt">When the loss was recorded.</param>
public sealed record RewardLoss(string RuleId, string OrderId, string CouponId, string TemplateId, string UserId, string? UsedByOrderId, Money? Discount, DateTimeOffset RecordedAt);

/// <summary>Takes back unused coupons: the conditional move Available → Revoked, with its events, in one atomic step.</summary>
public interface ICouponRevocationStore
{
    /// <summary>
    /// Revokes a coupon if, and only if, it is <see cref="Redemption.CouponState.Available"/>: sets it
    /// <see cref="Redemption.CouponState.Revoked"/>, raises its version and stores the events, atomically.
    /// </summary>
    /// <param name="couponId">The coupon.</param>
    /// <param name="events">The events to write to the outbox with it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The revoked coupon; <see langword="null"/> when it does not exist or is not available (nothing changed).</returns>
    Task<IssuedCoupon?> TryRevokeAsync(string couponId, IReadOnlyList<OutboxMessage> events, CancellationToken cancellationToken);
}
