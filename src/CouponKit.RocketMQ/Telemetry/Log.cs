using Microsoft.Extensions.Logging;

namespace CouponKit.RocketMQ.Telemetry;

/// <summary>Log messages of the RocketMQ adapter (EventIds 4xxx).</summary>
internal static partial class Log
{
    [LoggerMessage(4001, LogLevel.Warning, "RocketMQ {Operation} failed with {Code}, attempt {Attempt}; retrying in {Delay}.", EventName = "RequestRetrying")]
    public static partial void RequestRetrying(ILogger logger, string operation, RocketMQStatusCode code, int attempt, TimeSpan delay);

    [LoggerMessage(4002, LogLevel.Debug, "RocketMQ route of topic {Topic} refreshed: {QueueCount} queues.", EventName = "RouteRefreshed")]
    public static partial void RouteRefreshed(ILogger logger, string topic, int queueCount);

    [LoggerMessage(4003, LogLevel.Warning, "RocketMQ route refresh of topic {Topic} failed; the cached route is used.", EventName = "RouteRefreshFailed")]
    public static partial void RouteRefreshFailed(ILogger logger, string topic, Exception exception);

    [LoggerMessage(4004, LogLevel.Warning, "RocketMQ heartbeat failed.", EventName = "HeartbeatFailed")]
    public static partial void HeartbeatFailed(ILogger logger, Exception exception);

    [LoggerMessage(4005, LogLevel.Information, "RocketMQ telemetry session opened for client {ClientId}.", EventName = "TelemetrySessionOpened")]
    public static partial void TelemetrySessionOpened(ILogger logger, string clientId);

    [LoggerMessage(4006, LogLevel.Warning, "RocketMQ telemetry session broke; it is opened again.", EventName = "TelemetrySessionFailed")]
    public static partial void TelemetrySessionFailed(ILogger logger, Exception exception);

    [LoggerMessage(4007, LogLevel.Information, "RocketMQ broker checks orphaned transaction {TransactionId} of message {MessageId} on topic {Topic}.", EventName = "TransactionCheckReceived")]
    public static partial void TransactionCheckReceived(ILogger logger, string topic, string messageId, string transactionId);

    [LoggerMessage(4008, LogLevel.Information, "RocketMQ transaction {TransactionId} is still unknown; the broker will check again.", EventName = "TransactionCheckUnknown")]
    public static partial void TransactionCheckUnknown(ILogger logger, string transactionId);

    [LoggerMessage(4009, LogLevel.Error, "RocketMQ transaction check of {TransactionId} failed; the broker will check again.", EventName = "TransactionCheckFailed")]
    public static partial void TransactionCheckFailed(ILogger logger, string transactionId, Exception exception);

    [LoggerMessage(4010, LogLevel.Error, "RocketMQ broker checks transaction {TransactionId} but no transaction resolver is configured.", EventName = "NoTransactionResolver")]
    public static partial void NoTransactionResolver(ILogger logger, string transactionId);

    [LoggerMessage(4011, LogLevel.Warning, "RocketMQ EndTransaction {Resolution} of {TransactionId} failed; the broker's check-back will settle it.", EventName = "EndTransactionFailed")]
    public static partial void EndTransactionFailed(ILogger logger, TransactionResolution resolution, string transactionId, Exception exception);

    [LoggerMessage(4012, LogLevel.Warning, "RocketMQ local transaction of {TransactionId} threw; the half message is left to the broker's check-back.", EventName = "LocalTransactionFailed")]
    public static partial void LocalTransactionFailed(ILogger logger, string transactionId, Exception exception);

    [LoggerMessage(4013, LogLevel.Warning, "RocketMQ receive from topic {Topic} failed.", EventName = "ReceiveFailed")]
    public static partial void ReceiveFailed(ILogger logger, string topic, Exception exception);

    [LoggerMessage(4014, LogLevel.Warning, "RocketMQ handler failed for message {MessageId} of topic {Topic}, delivery attempt {Attempt}.", EventName = "HandlerFailed")]
    public static partial void HandlerFailed(ILogger logger, string topic, string messageId, int attempt, Exception exception);

    [LoggerMessage(4015, LogLevel.Warning, "RocketMQ ack of message {MessageId} failed; it will be delivered again.", EventName = "AckFailed")]
    public static partial void AckFailed(ILogger logger, string messageId, Exception exception);

    [LoggerMessage(4016, LogLevel.Warning, "RocketMQ changing the invisible duration of message {MessageId} failed; it reappears after its current one.", EventName = "ChangeInvisibleDurationFailed")]
    public static partial void ChangeInvisibleDurationFailed(ILogger logger, string messageId, Exception exception);

    [LoggerMessage(4017, LogLevel.Warning, "RocketMQ message {MessageId} of topic {Topic} failed {Attempt} deliveries and goes to the dead-letter queue.", EventName = "ForwardingToDeadLetterQueue")]
    public static partial void ForwardingToDeadLetterQueue(ILogger logger, string topic, string messageId, int attempt);

    [LoggerMessage(4018, LogLevel.Warning, "RocketMQ forwarding message {MessageId} to the dead-letter queue failed; it will be delivered again.", EventName = "ForwardToDeadLetterQueueFailed")]
    public static partial void ForwardToDeadLetterQueueFailed(ILogger logger, string messageId, Exception exception);

    [LoggerMessage(4019, LogLevel.Information, "RocketMQ simple consumer of group {ConsumerGroup} on topic {Topic} stopped.", EventName = "ConsumerStopped")]
    public static partial void ConsumerStopped(ILogger logger, string consumerGroup, string topic);

    [LoggerMessage(4020, LogLevel.Debug, "RocketMQ client termination notice failed.", EventName = "NotifyClientTerminationFailed")]
    public static partial void NotifyClientTerminationFailed(ILogger logger, Exception exception);

    [LoggerMessage(4021, LogLevel.Debug, "RocketMQ bus published message {MessageId} to topic {Topic} with tag {Tag}.", EventName = "BusPublished")]
    public static partial void BusPublished(ILogger logger, string messageId, string topic, string tag);

    [LoggerMessage(4022, LogLevel.Information, "RocketMQ bus subscribed consumer group {ConsumerGroup} to topic {Topic} with filter {TagExpression}.", EventName = "BusSubscribed")]
    public static partial void BusSubscribed(ILogger logger, string consumerGroup, string topic, string tagExpression);

    [LoggerMessage(4023, LogLevel.Warning, "RocketMQ bus message {MessageId} failed its last delivery ({Attempt}) in consumer group {ConsumerGroup}; it goes to the dead letters.", EventName = "BusDeadLettered")]
    public static partial void BusDeadLettered(ILogger logger, string messageId, string consumerGroup, int attempt, Exception exception);

    [LoggerMessage(4024, LogLevel.Error, "RocketMQ bus could not record dead letter {MessageId} of consumer group {ConsumerGroup} in the dead-letter store.", EventName = "BusDeadLetterStoreFailed")]
    public static partial void BusDeadLetterStoreFailed(ILogger logger, string messageId, string consumerGroup, Exception exception);

    [LoggerMessage(4025, LogLevel.Error, "RocketMQ broker checks transactional message {MessageId} but no ITransactionCheckResolver is registered; it stays unknown.", EventName = "BusNoTransactionCheckResolver")]
    public static partial void BusNoTransactionCheckResolver(ILogger logger, string messageId);

    [LoggerMessage(4026, LogLevel.Information, "RocketMQ transaction check of message {MessageId} resolved as {Outcome}.", EventName = "BusTransactionCheckResolved")]
    public static partial void BusTransactionCheckResolved(ILogger logger, string messageId, CouponKit.Ports.TransactionOutcome outcome);

    [LoggerMessage(4027, LogLevel.Warning, "RocketMQ local transaction of message {MessageId} threw; the broker's check-back decides.", EventName = "BusLocalTransactionFailed")]
    public static partial void BusLocalTransactionFailed(ILogger logger, string messageId, Exception exception);

    [LoggerMessage(4028, LogLevel.Information, "RocketMQ bus producer started.", EventName = "BusProducerStarted")]
    public static partial void BusProducerStarted(ILogger logger);

    [LoggerMessage(4029, LogLevel.Debug, "RocketMQ transactional Issued event {MessageId}: the store answered {Status}; the message is {Outcome}.", EventName = "TransactionalIssued")]
    public static partial void TransactionalIssued(ILogger logger, string messageId, CouponKit.Ports.IssueStatus status, CouponKit.Ports.TransactionOutcome outcome);
}
