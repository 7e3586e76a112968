using CouponKit.Messaging;

namespace CouponKit.Ports;

/// <summary>
/// Transactional messages (RocketMQ's half messages): the message is held by the broker, invisible, while the local transaction
/// runs; it is then committed (delivered) or rolled back (dropped). If the publisher dies between its local commit and telling
/// the broker, the broker asks back through <see cref="ITransactionCheckResolver"/>, which answers from the local database, so
/// the event is neither lost nor invented.
/// </summary>
public interface ITransactionalMessageBus
{
    /// <summary>Publishes a message atomically with a local transaction.</summary>
    /// <param name="message">The message.</param>
    /// <param name="localTransaction">Runs the local change; returns <see langword="true"/> to commit the message, <see langword="false"/> to roll it back. If it throws, the outcome is left to the check-back.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What happened to the message.</returns>
    Task<TransactionOutcome> PublishInTransactionAsync(OutboxMessage message, Func<CancellationToken, Task<bool>> localTransaction, CancellationToken cancellationToken);
}

/// <summary>Answers the broker's check-back for a half message whose outcome it never heard, from the local database.</summary>
public interface ITransactionCheckResolver
{
    /// <summary>Decides whether the local transaction of a message committed.</summary>
    /// <param name="message">The half message.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see cref="TransactionOutcome.Committed"/>, <see cref="TransactionOutcome.RolledBack"/>, or <see cref="TransactionOutcome.Unknown"/> to be asked again later.</returns>
    Task<TransactionOutcome> ResolveAsync(OutboxMessage message, CancellationToken cancellationToken);
}

/// <summary>The outcome of a transactional message.</summary>
public enum TransactionOutcome
{
    /// <summary>Not known yet; the broker will ask again.</summary>
    Unknown,

    /// <summary>The local transaction committed; the message is delivered.</summary>
    Committed,

    /// <summary>The local transaction rolled back; the message is dropped.</summary>
    RolledBack,
}
