using CouponKit.Ports;

namespace CouponKit.Messaging.DeadLetters;

/// <summary>
/// The operator's view of the dead letters: list, inspect, replay (one or all) and discard. Every action but listing is written
/// to the <see cref="IDeadLetterAuditLog"/> with who did it. A replay publishes the message again with its own id and removes
/// the dead letter: consumer groups that had already handled it de-duplicate on the id (their inbox), the failed group gets
/// it again; if it fails every attempt once more, it comes back to the dead letters.
/// </summary>
public interface IDeadLetterAdmin
{
    /// <summary>Lists dead letters, oldest first.</summary>
    /// <param name="max">The most to return: 1 to 10,000.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The dead letters.</returns>
    Task<IReadOnlyList<DeadLetter>> ListAsync(int max = 100, CancellationToken cancellationToken = default);

    /// <summary>Reads one dead letter (audited: its body may hold personal data).</summary>
    /// <param name="messageId">The message id.</param>
    /// <param name="consumerGroup">The consumer group it failed in.</param>
    /// <param name="actor">Who looks at it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The dead letter, or <see langword="null"/>.</returns>
    Task<DeadLetter?> InspectAsync(string messageId, string consumerGroup, string actor, CancellationToken cancellationToken = default);

    /// <summary>Publishes a dead letter again, for immediate delivery, and removes it from the dead letters.</summary>
    /// <param name="messageId">The message id.</param>
    /// <param name="consumerGroup">The consumer group it failed in.</param>
    /// <param name="actor">Who replays it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when it existed and was replayed.</returns>
    Task<bool> ReplayAsync(string messageId, string consumerGroup, string actor, CancellationToken cancellationToken = default);

    /// <summary>Replays every dead letter, oldest first.</summary>
    /// <param name="actor">Who replays them.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many were replayed.</returns>
    Task<int> ReplayAllAsync(string actor, CancellationToken cancellationToken = default);

    /// <summary>Removes a dead letter without delivering it.</summary>
    /// <param name="messageId">The message id.</param>
    /// <param name="consumerGroup">The consumer group it failed in.</param>
    /// <param name="actor">Who discards it.</param>
    /// <param name="reason">Why, for the audit.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when it existed and was discarded.</returns>
    Task<bool> DiscardAsync(string messageId, string consumerGroup, string actor, string reason, CancellationToken cancellationToken = default);
}

/// <summary>What an operator did with a dead letter.</summary>
public enum DeadLetterAction
{
    /// <summary>Read it.</summary>
    Inspected,

    /// <summary>Published it again.</summary>
    Replayed,

    /// <summary>Removed it without delivering it.</summary>
    Discarded,
}

/// <summary>One audited action on a dead letter.</summary>
/// <param name="Action">What was done.</param>
/// <param name="MessageId">The message.</param>
/// <param name="ConsumerGroup">The consumer group it failed in.</param>
/// <param name="Topic">Its topic.</param>
/// <param name="Tag">Its tag.</param>
/// <param name="Actor">Who did it.</param>
/// <param name="Reason">Why, for discards.</param>
/// <param name="At">When.</param>
public sealed record DeadLetterAuditRecord(DeadLetterAction Action, string MessageId, string ConsumerGroup, string Topic, string Tag, string Actor, string? Reason, DateTimeOffset At);

/// <summary>Keeps the audit trail of dead-letter administration.</summary>
public interface IDeadLetterAuditLog
{
    /// <summary>Appends a record.</summary>
    /// <param name="record">The record.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    Task AppendAsync(DeadLetterAuditRecord record, CancellationToken cancellationToken);

    /// <summary>Lists the most recent records, newest last.</summary>
    /// <param name="max">The most to return.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The records.</returns>
    Task<IReadOnlyList<DeadLetterAuditRecord>> ListAsync(int max, CancellationToken cancellationToken);
}
