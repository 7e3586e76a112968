namespace CouponKit.Messaging;

/// <summary>A message to publish: written to the outbox in the same transaction as the change it reports, then dispatched.</summary>
/// <param name="MessageId">A unique id; consumers de-duplicate on it.</param>
/// <param name="Topic">The topic.</param>
/// <param name="Tag">The tag (event or command name), for consumer filters.</param>
/// <param name="Key">The aggregate id (template, coupon or order): messages with the same key are dispatched in order.</param>
/// <param name="Body">The payload, JSON.</param>
/// <param name="CreatedAt">When the message was written.</param>
/// <param name="DeliverAt">When consumers may see it, for delayed messages; <see langword="null"/> for at once.</param>
public sealed record OutboxMessage(
    string MessageId,
    string Topic,
    string Tag,
    string Key,
    string Body,
    DateTimeOffset CreatedAt,
    DateTimeOffset? DeliverAt = null);

/// <summary>A message as a consumer receives it.</summary>
/// <param name="Message">The message.</param>
/// <param name="DeliveryAttempt">Which delivery this is, from 1.</param>
public sealed record IncomingMessage(OutboxMessage Message, int DeliveryAttempt);

/// <summary>What a consumer subscribes to, and how failures are retried.</summary>
public sealed class Subscription
{
    /// <summary>Gets the consumer group; each group receives every message once, and de-duplicates by it.</summary>
    public required string ConsumerGroup { get; init; }

    /// <summary>Gets the topic.</summary>
    public required string Topic { get; init; }

    /// <summary>Gets the tags received; empty receives every tag.</summary>
    public IReadOnlyCollection<string> Tags { get; init; } = [];

    /// <summary>Gets how many deliveries are tried before the message goes to the dead letters.</summary>
    /// <value>The default value is 16.</value>
    public int MaxDeliveryAttempts { get; init; } = 16;

    /// <summary>Gets the delay before the second delivery; it doubles at each further attempt.</summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets the longest delay between deliveries.</summary>
    /// <value>The default value is 2 hours.</value>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromHours(2);

    /// <summary>Decides whether a message's tag is received.</summary>
    /// <param name="tag">The tag.</param>
    /// <returns><see langword="true"/> when received.</returns>
    public bool Accepts(string tag) => Tags.Count == 0 || Tags.Contains(tag);

    /// <summary>Computes the delay before the next delivery after a failed attempt.</summary>
    /// <param name="attempt">The attempt that failed, from 1.</param>
    /// <returns>The delay.</returns>
    public TimeSpan BackoffAfter(int attempt)
    {
        var factor = Math.Pow(2, Math.Min(Math.Max(attempt - 1, 0), 30));
        var delay = TimeSpan.FromTicks((long)Math.Min(InitialBackoff.Ticks * factor, MaxBackoff.Ticks));
        return delay;
    }
}
