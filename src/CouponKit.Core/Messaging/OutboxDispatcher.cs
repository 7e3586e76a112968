using System.Threading.Channels;
using CouponKit.Ports;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CouponKit.Messaging;

/// <summary>
/// Moves messages from the transactional outbox to the message bus: a hosted loop that sweeps the outbox every
/// <see cref="OutboxDispatcherOptions.PollInterval"/> (the guarantee), and sooner when <see cref="Notify"/> says that a transaction
/// wrote messages (the fast path).
/// </summary>
/// <remarks>
/// Each sweep leases due messages (<see cref="IOutboxStore.LeaseDueAsync"/>: oldest first, at most one per key, so that messages of
/// one order, coupon or template are published in the order they were written), publishes them, and marks them published. A
/// failed publication is tried again after an exponential backoff; after <see cref="OutboxDispatcherOptions.MaxAttempts"/> the
/// message is marked dead. Delivery is at least once: a dispatcher that dies between publishing and marking publishes the message
/// again after its lease, and consumers de-duplicate on the message id. An envelope (one outbox row that holds a push chunk's
/// messages) is opened and each message in it published in order; the envelope is marked published after the last one, and a
/// failure retries (or finally kills) the whole envelope.
/// </remarks>
public sealed class OutboxDispatcher : BackgroundService
{
    private readonly IOutboxStore _outbox;
    private readonly IMessageBus _bus;
    private readonly TimeProvider _time;
    private readonly OutboxDispatcherOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<bool> _signals = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
        SingleWriter = false,
    });

    private readonly object _waitGate = new();
    private TaskCompletionSource _waiting = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Initializes a new instance of the <see cref="OutboxDispatcher"/> class.</summary>
    /// <param name="outbox">The outbox.</param>
    /// <param name="bus">The message bus.</param>
    /// <param name="time">The clock.</param>
    /// <param name="options">The options.</param>
    /// <param name="logger">The logger.</param>
    /// <exception cref="OptionsValidationException">The options are not valid.</exception>
    public OutboxDispatcher(IOutboxStore outbox, IMessageBus bus, TimeProvider time, IOptions<OutboxDispatcherOptions> options, ILogger<OutboxDispatcher>? logger = null)
    {
        _outbox = outbox ?? throw new ArgumentNullException(nameof(outbox));
        _bus = bus ?? throw new ArgumentNullException(nameof(bus));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Value;
        OutboxDispatcherOptionsValidator.ThrowIfInvalid(_options);
        _logger = logger ?? NullLogger<OutboxDispatcher>.Instance;
    }

    /// <summary>Gets a task that is complete while the hosted loop waits for a signal or its next sweep (for tests).</summary>
    internal Task WaitingForWork
    {
        get
        {
            lock (_waitGate)
            {
                return _waiting.Task;
            }
        }
    }

    /// <summary>
    /// Tells the dispatcher that messages were committed to the outbox, so that the next sweep starts now instead of at the next
    /// poll. Cheap and never blocks; signals coalesce. Stores or application code call it after a commit.
    /// </summary>
    public void Notify() => _signals.Writer.TryWrite(true);

    /// <summary>
    /// Sweeps the outbox once: leases up to <see cref="OutboxDispatcherOptions.BatchSize"/> due messages, publishes them in order,
    /// and records each outcome.
    /// </summary>
    /// <param name="cancellationToken">Cancels the sweep; leased messages not yet published are retried after their lease.</param>
    /// <returns>The number of messages published (an envelope counts the messages it holds). More may be due: the next message of a key is leased once the one before it is published.</returns>
    public async Task<int> DispatchOnceAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var leasedAt = _time.GetUtcNow();
        var entries = await _outbox.LeaseDueAsync(leasedAt, _options.BatchSize, _options.Lease, cancellationToken).ConfigureAwait(false);
        var published = 0;
        foreach (var entry in entries)
        {
            if (_time.GetUtcNow() >= leasedAt + _options.Lease)
            {
                // The lease ran out (an envelope of thousands of messages takes time): another dispatcher may hold the rest of the
                // batch by now, so this sweep stops; the rows left are leased again by the next sweep.
                break;
            }

            var message = entry.Message;
            var count = 1;
            try
            {
                if (OutboxEnvelope.IsEnvelope(message))
                {
                    // Every message of the envelope, in order; the envelope is marked only after the last one. A failure retries
                    // the whole envelope: the ones already sent go again (at least once; consumers de-duplicate on the id).
                    var inside = OutboxEnvelope.Open(message);
                    foreach (var item in inside)
                    {
                        await _bus.PublishAsync(item, cancellationToken).ConfigureAwait(false);
                    }

                    count = inside.Count;
                    if (_time.GetUtcNow() >= leasedAt + _options.Lease)
                    {
                        // Published, but after the lease: another dispatcher may have leased the envelope and be publishing it
                        // again (at least once still holds; consumers de-duplicate). The lease must cover an envelope's messages.
                        MessagingLog.OutboxEnvelopeOutlastedLease(_logger, message.MessageId, count, _options.Lease);
                    }
                }
                else
                {
                    await _bus.PublishAsync(message, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // Any broker failure is recorded on the message and retried with backoff.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                await RecordFailureAsync(entry, ex, cancellationToken).ConfigureAwait(false);
                continue;
            }

            await _outbox.MarkPublishedAsync(message.MessageId, cancellationToken).ConfigureAwait(false);
            published += count;
        }

        if (published > 0)
        {
            MessagingLog.OutboxPublished(_logger, published);
        }

        return published;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // let the host go on starting; the first sweep runs in the background
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await DispatchOnceAsync(stoppingToken).ConfigureAwait(false) > 0)
                {
                    // published some: the messages they held back (same key) may be due now
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The loop must survive a failing store; the next sweep tries again.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                MessagingLog.OutboxSweepFailed(_logger, ex, _options.PollInterval);
            }

            try
            {
                await WaitForWorkAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
        }
    }

    private static string Describe(Exception error) => $"{error.GetType().FullName}: {error.Message}";

    private async Task RecordFailureAsync(OutboxEntry entry, Exception error, CancellationToken cancellationToken)
    {
        var message = entry.Message;
        if (entry.Attempts >= _options.MaxAttempts)
        {
            await _outbox.MarkFailedAsync(message.MessageId, null, Describe(error), cancellationToken).ConfigureAwait(false);
            MessagingLog.OutboxMessageDead(_logger, error, message.MessageId, message.Tag, entry.Attempts);
            return;
        }

        var delay = _options.BackoffAfter(entry.Attempts);
        await _outbox.MarkFailedAsync(message.MessageId, _time.GetUtcNow() + delay, Describe(error), cancellationToken).ConfigureAwait(false);
        MessagingLog.OutboxPublishFailed(_logger, error, message.MessageId, message.Tag, entry.Attempts, _options.MaxAttempts, delay);
    }

    /// <summary>Waits for <see cref="Notify"/> or the poll interval, whichever comes first.</summary>
    private async Task WaitForWorkAsync(CancellationToken stoppingToken)
    {
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var poll = Task.Delay(_options.PollInterval, _time, wake.Token);
        var signal = _signals.Reader.WaitToReadAsync(wake.Token).AsTask();
        lock (_waitGate)
        {
            _waiting.TrySetResult();
        }

        try
        {
            await Task.WhenAny(poll, signal).ConfigureAwait(false);
        }
        finally
        {
            lock (_waitGate)
            {
                _waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            await wake.CancelAsync().ConfigureAwait(false);
        }

        stoppingToken.ThrowIfCancellationRequested();
        while (_signals.Reader.TryRead(out _))
        {
            // coalesce: one sweep answers every signal so far
        }
    }
}

/// <summary>The log messages of the outbox dispatcher.</summary>
internal static partial class MessagingLog
{
    [LoggerMessage(1110, LogLevel.Debug, "{Count} outbox message(s) published.", EventName = "OutboxPublished")]
    public static partial void OutboxPublished(ILogger logger, int count);

    [LoggerMessage(1111, LogLevel.Warning, "Publishing outbox message {MessageId} ({Tag}) failed, attempt {Attempt} of {MaxAttempts}; it is tried again in {Delay}.", EventName = "OutboxPublishFailed")]
    public static partial void OutboxPublishFailed(ILogger logger, Exception exception, string messageId, string tag, int attempt, int maxAttempts, TimeSpan delay);

    [LoggerMessage(1112, LogLevel.Warning, "Outbox message {MessageId} ({Tag}) failed {Attempts} publications; it is marked dead.", EventName = "OutboxMessageDead")]
    public static partial void OutboxMessageDead(ILogger logger, Exception exception, string messageId, string tag, int attempts);

    [LoggerMessage(1113, LogLevel.Error, "The outbox sweep failed; it runs again within {PollInterval}.", EventName = "OutboxSweepFailed")]
    public static partial void OutboxSweepFailed(ILogger logger, Exception exception, TimeSpan pollInterval);

    [LoggerMessage(1114, LogLevel.Warning, "Publishing outbox envelope {MessageId} ({Count} messages) took longer than the lease ({Lease}): another dispatcher may publish it again. Raise OutboxDispatcherOptions.Lease or lower the push chunk size.", EventName = "OutboxEnvelopeOutlastedLease")]
    public static partial void OutboxEnvelopeOutlastedLease(ILogger logger, string messageId, int count, TimeSpan lease);
}
