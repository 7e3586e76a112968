namespace CouponKit.RocketMQ.Producing;

/// <summary>What the broker answered to one sent message.</summary>
/// <param name="MessageId">The message id (client-generated, confirmed by the broker).</param>
/// <param name="TransactionId">The transaction id of a half message; empty otherwise.</param>
/// <param name="Offset">The queue offset the broker stored the message at.</param>
/// <param name="QueueId">The queue the message was sent to.</param>
internal readonly record struct SendReceipt(string MessageId, string TransactionId, long Offset, int QueueId);

/// <summary>The outcome of a transactional send.</summary>
/// <param name="Receipt">The receipt of the half message.</param>
/// <param name="Resolution">What the local transaction decided.</param>
/// <param name="Ended">Whether EndTransaction reached the broker; if not, the broker's check-back settles it.</param>
internal readonly record struct TransactionalSendResult(SendReceipt Receipt, TransactionResolution Resolution, bool Ended);
