using CouponKit.Ports;
using CouponKit.Redemption;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CouponKit.Messaging;

/// <summary>
/// CouponKit's built-in consumers, subscribed at start-up as a hosted service (or by <see cref="SubscribeAllAsync"/>):
/// <list type="bullet">
/// <item><see cref="CouponTopics.LockTimeout"/> in <see cref="LockTimeoutGroup"/>: releases an order's coupons when its lock was
/// not confirmed in time; an order paid in the meantime keeps them.</item>
/// <item><see cref="CouponTopics.PointsRefund"/> in <see cref="PointsRefundGroup"/>: returns points taken for a claim that issued
/// nothing, when the ledger failed at the time.</item>
/// </list>
/// Each consumer records the messages it handled in the <see cref="IInboxStore"/>, so that a redelivery has no second effect, and
/// each effect is idempotent in itself as well. A handler that throws is retried by the bus, then dead-lettered.
/// </summary>
public sealed class CouponConsumers : IHostedService, IAsyncDisposable
{
    /// <summary>The consumer group that releases timed-out locks.</summary>
    public const string LockTimeoutGroup = "couponkit-lock-timeout";

    /// <summary>The consumer group that refunds points.</summary>
    public const string PointsRefundGroup = "couponkit-points-refund";

    private readonly IMessageBus _bus;
    private readonly LockTimeoutConsumer _lockTimeout;
    private readonly PointsRefundConsumer _pointsRefund;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IAsyncDisposable? _subscriptions;

    /// <summary>Initializes a new instance of the <see cref="CouponConsumers"/> class.</summary>
    /// <param name="bus">The message bus to subscribe to.</param>
    /// <param name="redemptions">The redemptions, to release timed-out locks.</param>
    /// <param name="points">The points ledger, to refund points.</param>
    /// <param name="inbox">The inbox, to skip messages already handled.</param>
    /// <param name="logger">The logger.</param>
    public CouponConsumers(IMessageBus bus, CouponRedemptions redemptions, IPointsLedger points, IInboxStore inbox, ILogger<CouponConsumers>? logger = null)
    {
        _bus = bus ?? throw new ArgumentNullException(nameof(bus));
        ArgumentNullException.ThrowIfNull(redemptions);
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(inbox);
        ILogger log = logger ?? NullLogger<CouponConsumers>.Instance;
        _lockTimeout = new LockTimeoutConsumer(redemptions, new InboxGuard(inbox, LockTimeoutGroup, log), log);
        _pointsRefund = new PointsRefundConsumer(points, new InboxGuard(inbox, PointsRefundGroup, log), log);
    }

    /// <summary>Subscribes every built-in consumer to the bus.</summary>
    /// <param name="cancellationToken">Cancels the subscribing.</param>
    /// <returns>A handle that unsubscribes them all when disposed, after their running handlers finish.</returns>
    public async Task<IAsyncDisposable> SubscribeAllAsync(CancellationToken cancellationToken)
    {
        var handles = new List<IAsyncDisposable>(2);
        try
        {
            handles.Add(await _bus.SubscribeAsync(LockTimeoutConsumer.Subscription, _lockTimeout.HandleAsync, cancellationToken).ConfigureAwait(false));
            handles.Add(await _bus.SubscribeAsync(PointsRefundConsumer.Subscription, _pointsRefund.HandleAsync, cancellationToken).ConfigureAwait(false));
        }
        catch
        {
            await new Handles(handles).DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new Handles(handles);
    }

    /// <summary>Subscribes the consumers (once; a second start is harmless).</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task.</returns>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _subscriptions ??= await SubscribeAllAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Unsubscribes the consumers and waits for their running handlers, or until the host gives up.</summary>
    /// <param name="cancellationToken">Signals that the host no longer waits.</param>
    /// <returns>A task.</returns>
    public Task StopAsync(CancellationToken cancellationToken) =>
        // A host may stop its services after the container disposed them (WebApplicationFactory does): nothing is left to stop.
        Volatile.Read(ref _disposed) != 0 ? Task.CompletedTask : StopCoreAsync(cancellationToken);

    private async Task StopCoreAsync(CancellationToken cancellationToken)
    {
        IAsyncDisposable? subscriptions;
        try
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException) when (Volatile.Read(ref _disposed) != 0)
        {
            return; // disposed while this stop waited: the disposal stopped it
        }

        try
        {
            subscriptions = _subscriptions;
            _subscriptions = null;
        }
        finally
        {
            _gate.Release();
        }

        if (subscriptions is not null)
        {
            await subscriptions.DisposeAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Unsubscribes the consumers and waits for their running handlers.</summary>
    /// <returns>A task.</returns>
    public async ValueTask DisposeAsync()
    {
        // The container may dispose the instance twice (as itself and as a hosted service); the second call does nothing.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopCoreAsync(CancellationToken.None).ConfigureAwait(false);
        _gate.Dispose();
    }

    private int _disposed;

    private sealed class Handles(IReadOnlyList<IAsyncDisposable> handles) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var handle in handles)
            {
                await handle.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}

/// <summary>
/// Runs a consumer's effect at most once per message id as far as the inbox can tell: skips a message the group already handled,
/// and records it after the effect succeeded. Two deliveries of one message id in this process wait for each other, so that both
/// do not pass the check; across processes the effects themselves are idempotent.
/// </summary>
internal sealed class InboxGuard(IInboxStore inbox, string consumerGroup, ILogger logger)
{
    private readonly Dictionary<string, TaskCompletionSource> _running = new(StringComparer.Ordinal);

    public string ConsumerGroup => consumerGroup;

    /// <summary>Runs the effect unless the message was handled.</summary>
    /// <param name="message">The message.</param>
    /// <param name="effect">The effect.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when the effect ran; <see langword="false"/> for a message already handled.</returns>
    public async Task<bool> RunOnceAsync(OutboxMessage message, Func<CancellationToken, Task> effect, CancellationToken cancellationToken)
    {
        var messageId = message.MessageId;
        while (true)
        {
            TaskCompletionSource mine;
            Task? other = null;
            lock (_running)
            {
                if (_running.TryGetValue(messageId, out var running))
                {
                    other = running.Task;
                    mine = running;
                }
                else
                {
                    mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    _running.Add(messageId, mine);
                }
            }

            if (other is not null)
            {
                await other.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            try
            {
                if (await inbox.ContainsAsync(consumerGroup, messageId, cancellationToken).ConfigureAwait(false))
                {
                    MessagingLog.AlreadyHandled(logger, message.MessageId, consumerGroup);
                    return false;
                }

                await effect(cancellationToken).ConfigureAwait(false);
                await inbox.TryRecordAsync(consumerGroup, messageId, cancellationToken).ConfigureAwait(false);
                return true;
            }
            finally
            {
                lock (_running)
                {
                    _running.Remove(messageId);
                }

                mine.TrySetResult();
            }
        }
    }
}

/// <summary>The log messages of the built-in consumers.</summary>
internal static partial class MessagingLog
{
    [LoggerMessage(1120, LogLevel.Debug, "Message {MessageId} was already handled by consumer group {ConsumerGroup}; skipped.", EventName = "MessageAlreadyHandled")]
    public static partial void AlreadyHandled(ILogger logger, string messageId, string consumerGroup);

    [LoggerMessage(1121, LogLevel.Information, "Lock timeout {MessageId} released {Count} coupon(s).", EventName = "LockTimeoutReleased")]
    public static partial void LockTimeoutReleased(ILogger logger, string messageId, int count);

    [LoggerMessage(1122, LogLevel.Debug, "Lock timeout {MessageId} changed nothing: {Status} {Refusal}.", EventName = "LockTimeoutNoChange")]
    public static partial void LockTimeoutNoChange(ILogger logger, string messageId, RedemptionStatus status, RedemptionRefusal refusal);

    [LoggerMessage(1123, LogLevel.Warning, "Lock timeout {MessageId} was refused: {Refusal}; it is not retried.", EventName = "LockTimeoutRefused")]
    public static partial void LockTimeoutRefused(ILogger logger, string messageId, RedemptionRefusal refusal);

    [LoggerMessage(1124, LogLevel.Information, "Points refund {MessageId} returned {Points} points.", EventName = "PointsRefunded")]
    public static partial void PointsRefunded(ILogger logger, string messageId, long points);
}
