using CouponKit.Redemption;
using Microsoft.Extensions.Logging;

namespace CouponKit.Messaging;

/// <summary>
/// Releases the coupons of an order whose lock reached its time limit (<see cref="CouponTopics.LockTimeout"/>, a delayed command
/// written with the lock). An order paid in the meantime keeps its coupons: the refusal is the expected answer, and is acknowledged.
/// </summary>
internal sealed class LockTimeoutConsumer(CouponRedemptions redemptions, InboxGuard inbox, ILogger logger)
{
    /// <summary>Gets the subscription: the lock timeouts, retried with the bus's default backoff.</summary>
    public static Subscription Subscription { get; } = new()
    {
        ConsumerGroup = CouponConsumers.LockTimeoutGroup,
        Topic = CouponTopics.Coupon,
        Tags = [CouponTopics.LockTimeout],
    };

    /// <summary>Handles one delivery.</summary>
    /// <param name="incoming">The message.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task; a fault makes the bus deliver the message again.</returns>
    public Task HandleAsync(IncomingMessage incoming, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        var message = incoming.Message;
        return inbox.RunOnceAsync(message, ct => ReleaseAsync(message, ct), cancellationToken);
    }

    private async Task ReleaseAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var order = CouponEvents.Read<CouponEvents.OrderCoupons>(message);
        var result = await redemptions.ReleaseAsync(order.OrderId, order.UserId, order.CouponIds, "timeout", cancellationToken).ConfigureAwait(false);
        switch (result.Status)
        {
            case RedemptionStatus.Released:
                MessagingLog.LockTimeoutReleased(logger, message.MessageId, result.Coupons.Count);
                break;
            case RedemptionStatus.Refused when result.Refusal != RedemptionRefusal.OrderConfirmed:
                MessagingLog.LockTimeoutRefused(logger, message.MessageId, result.Refusal); // a decision, not a fault: retrying changes nothing
                break;
            default:
                MessagingLog.LockTimeoutNoChange(logger, message.MessageId, result.Status, result.Refusal); // paid, or already released
                break;
        }
    }
}
