using System.Runtime.ExceptionServices;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.RocketMQ.Telemetry;
using Microsoft.Extensions.Logging;

namespace CouponKit.RocketMQ.Bus;

/// <summary>
/// The coupon store seen by the issuing services when <see cref="RocketMQOptions.TransactionalIssuedEvents"/> is on: an issue's
/// <see cref="CouponTopics.Issued"/> event is sent as a transactional message around the store's transaction instead of being
/// written to the outbox. Everything else goes to the inner store unchanged.
/// </summary>
/// <remarks>
/// <para>
/// The half message is sent first (a failure there fails the issue before the store is touched); the store's transaction is the
/// local transaction, with the command's other events still written to the outbox; the message is committed when the coupon was
/// issued, or when the store answers <see cref="IssueStatus.Replayed"/> with this very coupon (its commit was acknowledged to
/// nobody, and a retry read it back), and rolled back for every refusal and for a replay of an earlier claim (whose own message
/// reports it). When the store throws, the outcome is left to the broker's check-back and the exception reaches the caller.
/// </para>
/// <para>
/// The message is CouponKit's <see cref="CouponEvents.Issued"/>: message id <c>coupon:{couponId}:issued</c>, key the template,
/// body <see cref="CouponEvents.CouponIssued"/> with the claim key and the coupon id, so that a resolver finds the claim row.
/// </para>
/// </remarks>
internal sealed class TransactionalIssuedCouponStore : ICouponStore
{
    private readonly ICouponStore _inner;
    private readonly ITransactionalMessageBus _bus;
    private readonly ILogger _logger;

    public TransactionalIssuedCouponStore(ICouponStore inner, ITransactionalMessageBus bus, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(logger);
        _inner = inner;
        _bus = bus;
        _logger = logger;
    }

    /// <inheritdoc />
    public async Task<IssueOutcome> IssueAsync(IssueCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var issued = command.Events.Where(IsIssued).ToList();
        if (issued.Count != 1)
        {
            return await _inner.IssueAsync(command, cancellationToken).ConfigureAwait(false);
        }

        var message = issued[0];
        var local = command with { Events = command.Events.Where(e => !ReferenceEquals(e, message)).ToList() };
        IssueOutcome? outcome = null;
        ExceptionDispatchInfo? failure = null;
        var transaction = await _bus.PublishInTransactionAsync(
            message,
            async token =>
            {
                try
                {
                    outcome = await _inner.IssueAsync(local, token).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    failure = ExceptionDispatchInfo.Capture(ex);
                    throw;
                }

                return IsThisIssue(outcome, command);
            },
            cancellationToken).ConfigureAwait(false);

        failure?.Throw();
        if (outcome is null)
        {
            // The bus returned without running the local transaction: nothing was issued, and nothing must be reported.
            throw new InvalidOperationException($"The transactional message bus did not run the local transaction of message '{message.MessageId}'.");
        }

        Log.TransactionalIssued(_logger, message.MessageId, outcome.Status, transaction);
        return outcome;
    }

    /// <inheritdoc />
    public Task<IssuedCoupon?> FindByClaimKeyAsync(string claimKey, CancellationToken cancellationToken) => _inner.FindByClaimKeyAsync(claimKey, cancellationToken);

    /// <inheritdoc />
    public Task<IssuedCoupon?> FindAsync(string couponId, CancellationToken cancellationToken) => _inner.FindAsync(couponId, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<IssuedCoupon>> ListByUserAsync(string userId, CancellationToken cancellationToken) => _inner.ListByUserAsync(userId, cancellationToken);

    /// <summary>Whether the store's answer means that this command's coupon is now stored.</summary>
    internal static bool IsThisIssue(IssueOutcome outcome, IssueCommand command) => outcome.Status switch
    {
        IssueStatus.Issued => true,
        IssueStatus.Replayed => string.Equals(outcome.Coupon?.CouponId, command.Coupon.CouponId, StringComparison.Ordinal),
        _ => false,
    };

    private static bool IsIssued(OutboxMessage message)
        => string.Equals(message.Topic, CouponTopics.Coupon, StringComparison.Ordinal) && string.Equals(message.Tag, CouponTopics.Issued, StringComparison.Ordinal);
}
