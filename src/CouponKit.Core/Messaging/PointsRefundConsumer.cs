using CouponKit.Issuance;
using CouponKit.Ports;
using Microsoft.Extensions.Logging;

namespace CouponKit.Messaging;

/// <summary>
/// Returns points taken for a claim that issued no coupon (<see cref="CouponTopics.PointsRefund"/>, published by
/// <see cref="CouponClaims"/> when the ledger failed at the time). The ledger refunds once per idempotency key.
/// </summary>
internal sealed class PointsRefundConsumer(IPointsLedger points, InboxGuard inbox, ILogger logger)
{
    /// <summary>Gets the subscription: the points refunds, retried with the bus's default backoff.</summary>
    public static Subscription Subscription { get; } = new()
    {
        ConsumerGroup = CouponConsumers.PointsRefundGroup,
        Topic = CouponTopics.Coupon,
        Tags = [CouponTopics.PointsRefund],
    };

    /// <summary>Handles one delivery.</summary>
    /// <param name="incoming">The message.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task; a fault makes the bus deliver the message again.</returns>
    public Task HandleAsync(IncomingMessage incoming, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        var message = incoming.Message;
        return inbox.RunOnceAsync(message, ct => RefundAsync(message, ct), cancellationToken);
    }

    private async Task RefundAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var refund = CouponEvents.Read<CouponClaims.PointsRefund>(message);
        await points.RefundAsync(refund.UserId, refund.Points, refund.IdempotencyKey, cancellationToken).ConfigureAwait(false);
        MessagingLog.PointsRefunded(logger, message.MessageId, refund.Points);
    }
}
