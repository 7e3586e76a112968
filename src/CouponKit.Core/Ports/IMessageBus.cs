using CouponKit.Messaging;

namespace CouponKit.Ports;

/// <summary>
/// The broker: publishes messages (at once or at a delivery time) and delivers them to subscribers at least once, with retries,
/// backoff and a dead-letter destination. In process by default; RocketMQ through CouponKit.RocketMQ.
/// </summary>
public interface IMessageBus
{
    /// <summary>Publishes a message. It is delivered no earlier than <see cref="OutboxMessage.DeliverAt"/>.</summary>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels the publication.</param>
    /// <returns>A task that completes when the broker has the message.</returns>
    Task PublishAsync(OutboxMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Subscribes a handler. A handler that throws gets the message again after the subscription's backoff, up to its
    /// maximum attempts; then the message goes to the dead letters.
    /// </summary>
    /// <param name="subscription">What to receive and how to retry.</param>
    /// <param name="handler">The handler.</param>
    /// <param name="cancellationToken">Cancels the subscription.</param>
    /// <returns>A handle that stops the subscription when disposed; in-flight handlers finish first.</returns>
    Task<IAsyncDisposable> SubscribeAsync(Subscription subscription, Func<IncomingMessage, CancellationToken, Task> handler, CancellationToken cancellationToken);
}

/// <summary>Where messages that failed every delivery attempt are kept, to be listed and re-driven.</summary>
public interface IDeadLetterStore
{
    /// <summary>Stores a dead letter.</summary>
    /// <param name="letter">The dead letter.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    Task AddAsync(DeadLetter letter, CancellationToken cancellationToken);

    /// <summary>Lists dead letters, oldest first.</summary>
    /// <param name="max">The most to return.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The dead letters.</returns>
    Task<IReadOnlyList<DeadLetter>> ListAsync(int max, CancellationToken cancellationToken);

    /// <summary>Removes a dead letter (after it was replayed or discarded).</summary>
    /// <param name="messageId">The message id.</param>
    /// <param name="consumerGroup">The consumer group it failed in.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when it existed.</returns>
    Task<bool> RemoveAsync(string messageId, string consumerGroup, CancellationToken cancellationToken);
}

/// <summary>A message that failed every delivery attempt in a consumer group.</summary>
/// <param name="Message">The message.</param>
/// <param name="ConsumerGroup">The consumer group.</param>
/// <param name="Attempts">How many deliveries were tried.</param>
/// <param name="LastError">The last handler error.</param>
/// <param name="DeadAt">When it was given up.</param>
public sealed record DeadLetter(OutboxMessage Message, string ConsumerGroup, int Attempts, string LastError, DateTimeOffset DeadAt);

/// <summary>Remembers which messages a consumer group has handled, so that a redelivery has no second effect.</summary>
public interface IInboxStore
{
    /// <summary>Records that a consumer group handled a message.</summary>
    /// <param name="consumerGroup">The consumer group.</param>
    /// <param name="messageId">The message id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> the first time; <see langword="false"/> when it was already recorded.</returns>
    Task<bool> TryRecordAsync(string consumerGroup, string messageId, CancellationToken cancellationToken);

    /// <summary>Tells whether a consumer group already handled a message.</summary>
    /// <param name="consumerGroup">The consumer group.</param>
    /// <param name="messageId">The message id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when it did.</returns>
    Task<bool> ContainsAsync(string consumerGroup, string messageId, CancellationToken cancellationToken);
}

/// <summary>The transactional outbox: messages written with the changes they report, waiting to be dispatched.</summary>
public interface IOutboxStore
{
    /// <summary>Takes pending messages that are due, oldest first, leasing them to this dispatcher for a while.</summary>
    /// <param name="now">The current time.</param>
    /// <param name="max">The most to take.</param>
    /// <param name="lease">How long the messages stay reserved for this dispatcher.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The messages with their attempt counts.</returns>
    Task<IReadOnlyList<OutboxEntry>> LeaseDueAsync(DateTimeOffset now, int max, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Marks a message as published.</summary>
    /// <param name="messageId">The message id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    Task MarkPublishedAsync(string messageId, CancellationToken cancellationToken);

    /// <summary>Records a failed publication and when to try again, or that it is given up (dead).</summary>
    /// <param name="messageId">The message id.</param>
    /// <param name="nextAttemptAt">When to try again; <see langword="null"/> gives it up.</param>
    /// <param name="failure">The error.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    Task MarkFailedAsync(string messageId, DateTimeOffset? nextAttemptAt, string failure, CancellationToken cancellationToken);
}

/// <summary>The state of an outbox message.</summary>
public enum OutboxStatus
{
    /// <summary>Waiting to be published.</summary>
    Pending,

    /// <summary>Published to the broker.</summary>
    Published,

    /// <summary>Given up after the maximum attempts.</summary>
    Dead,
}

/// <summary>An outbox message with its dispatch bookkeeping.</summary>
/// <param name="Message">The message.</param>
/// <param name="Attempts">How many publications were tried.</param>
/// <param name="Status">The state.</param>
public sealed record OutboxEntry(OutboxMessage Message, int Attempts, OutboxStatus Status);
