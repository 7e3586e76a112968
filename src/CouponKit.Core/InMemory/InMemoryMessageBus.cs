using CouponKit.Messaging;
using CouponKit.Ports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CouponKit.InMemory;

/// <summary>
/// The in-process broker: the default <see cref="IMessageBus"/> of <c>AddCouponKit()</c>, for tests, samples and single-process
/// shops. Nothing survives a restart (the outbox is the durable record).
/// </summary>
/// <remarks>
/// <para>
/// A message becomes visible at once, or at its <see cref="OutboxMessage.DeliverAt"/> as told by the injected
/// <see cref="TimeProvider"/> (so a <c>FakeTimeProvider</c> drives delayed messages and retries). When it becomes visible, every
/// subscription (consumer group) of its topic whose tag filter accepts it gets its own copy; a group that subscribes later does not
/// see it, like a new broker consumer group that starts at the latest offset.
/// </para>
/// <para>
/// Delivery is at least once per group. A handler that throws gets the message again after
/// <see cref="Subscription.BackoffAfter"/>; after <see cref="Subscription.MaxDeliveryAttempts"/> failures the message goes to the
/// <see cref="IDeadLetterStore"/> and is not delivered again.
/// </para>
/// <para>
/// Ordering: a group handles up to <c>maxConcurrentHandlers</c> messages at once (8 by default), so messages may complete in any
/// order. With 1, a group handles one message at a time in the order they became visible; a failed message waits its backoff at
/// the back of the line without holding up the others.
/// </para>
/// </remarks>
public sealed class InMemoryMessageBus : IMessageBus, IAsyncDisposable
{
    /// <summary>The default number of messages one consumer group handles at once.</summary>
    public const int DefaultMaxConcurrentHandlers = 8;

    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly IDeadLetterStore _deadLetters;
    private readonly ILogger _logger;
    private readonly int _maxConcurrentHandlers;
    private readonly Dictionary<string, List<Consumer>> _consumers = new(StringComparer.Ordinal);
    private readonly PriorityQueue<Scheduled, (DateTimeOffset DueAt, long Sequence)> _schedule = new();
    private readonly HashSet<Scheduled> _pending = [];
    private long _sequence;
    private int _inFlight;
    private int _ready;
    private bool _disposed;
    private DateTimeOffset _lastFiredAt = DateTimeOffset.MinValue;
    private TaskCompletionSource? _changed;

    /// <summary>Initializes a new instance of the <see cref="InMemoryMessageBus"/> class.</summary>
    /// <param name="time">The clock that makes delayed messages and retries due.</param>
    /// <param name="deadLetters">Where messages that failed every delivery attempt go.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="maxConcurrentHandlers">How many messages one consumer group handles at once: 1 to 1,024; 1 keeps the order.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrentHandlers"/> is out of range.</exception>
    public InMemoryMessageBus(TimeProvider time, IDeadLetterStore deadLetters, ILogger<InMemoryMessageBus>? logger = null, int maxConcurrentHandlers = DefaultMaxConcurrentHandlers)
    {
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _deadLetters = deadLetters ?? throw new ArgumentNullException(nameof(deadLetters));
        _logger = logger ?? NullLogger<InMemoryMessageBus>.Instance;
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrentHandlers, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxConcurrentHandlers, 1024);
        _maxConcurrentHandlers = maxConcurrentHandlers;
    }

    /// <inheritdoc />
    /// <exception cref="ObjectDisposedException">The bus was disposed.</exception>
    public Task PublishAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentException.ThrowIfNullOrWhiteSpace(message.Topic, nameof(message));
        cancellationToken.ThrowIfCancellationRequested();
        var now = _time.GetUtcNow();
        Scheduled? scheduled = null;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (message.DeliverAt is { } at && at > now)
            {
                scheduled = ScheduleLocked(new Scheduled(at, message, null, null));
            }
            else
            {
                FanOutLocked(message);
            }

            SignalLocked();
        }

        StartTimer(scheduled, now);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    /// <remarks>
    /// One subscription per consumer group and topic: a group receives every message once. Cancelling
    /// <paramref name="cancellationToken"/> later stops the subscription and cancels the token its running handlers got; disposing
    /// the handle stops it gracefully (running handlers finish, and the disposal waits for them).
    /// </remarks>
    /// <exception cref="InvalidOperationException">The consumer group already subscribes to the topic.</exception>
    /// <exception cref="ObjectDisposedException">The bus was disposed.</exception>
    public Task<IAsyncDisposable> SubscribeAsync(Subscription subscription, Func<IncomingMessage, CancellationToken, Task> handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentException.ThrowIfNullOrWhiteSpace(subscription.ConsumerGroup, nameof(subscription));
        ArgumentException.ThrowIfNullOrWhiteSpace(subscription.Topic, nameof(subscription));
        ArgumentNullException.ThrowIfNull(subscription.Tags, nameof(subscription));
        if (subscription.MaxDeliveryAttempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(subscription), subscription.MaxDeliveryAttempts, "MaxDeliveryAttempts must be at least 1.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var consumer = new Consumer(this, subscription, handler, cancellationToken);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_consumers.TryGetValue(subscription.Topic, out var list))
            {
                _consumers[subscription.Topic] = list = [];
            }

            if (list.Exists(c => string.Equals(c.Subscription.ConsumerGroup, subscription.ConsumerGroup, StringComparison.Ordinal)))
            {
                consumer.Cancellation.Dispose();
                throw new InvalidOperationException($"Consumer group '{subscription.ConsumerGroup}' already subscribes to topic '{subscription.Topic}'.");
            }

            list.Add(consumer);
        }

        consumer.Registration = consumer.Cancellation.Token.Register(static c => ((Consumer)c!).Stop(), consumer);
        InMemoryMessageBusLog.Subscribed(_logger, subscription.ConsumerGroup, subscription.Topic);
        return Task.FromResult<IAsyncDisposable>(consumer);
    }

    /// <summary>
    /// Waits until the bus is idle: no handler running, no message waiting for a free handler, and nothing due at the current time
    /// of the <see cref="TimeProvider"/>. With a <c>FakeTimeProvider</c>, call it after each <c>Advance</c> to let everything that
    /// became due run to completion, including retries and messages the handlers publish.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the bus is idle.</returns>
    public async Task WhenIdleAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            FireDue();
            Task changed;
            lock (_gate)
            {
                var headDue = _schedule.TryPeek(out _, out var head) && head.DueAt <= _lastFiredAt;
                if (_inFlight == 0 && _ready == 0 && !headDue)
                {
                    return;
                }

                _changed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops every subscription (waiting for running handlers) and drops the messages not yet delivered.</summary>
    /// <returns>A task that completes when every handler has finished.</returns>
    public async ValueTask DisposeAsync()
    {
        Consumer[] consumers;
        Scheduled[] pending;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            consumers = _consumers.Values.SelectMany(c => c).ToArray();
            pending = [.. _pending];
            _pending.Clear();
            _schedule.Clear();
            SignalLocked();
        }

        foreach (var scheduled in pending)
        {
            scheduled.Timer?.Dispose();
        }

        foreach (var consumer in consumers)
        {
            await consumer.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static string Describe(Exception error) => $"{error.GetType().FullName}: {error.Message}";

    /// <summary>Makes every scheduled item due at the current time visible.</summary>
    private void FireDue()
    {
        var now = _time.GetUtcNow();
        List<ITimer>? timers = null;
        lock (_gate)
        {
            if (now > _lastFiredAt)
            {
                _lastFiredAt = now;
            }

            while (_schedule.TryPeek(out var item, out var due) && due.DueAt <= now)
            {
                _schedule.Dequeue();
                if (!_pending.Remove(item))
                {
                    continue; // cancelled when its consumer stopped
                }

                item.Fired = true;
                if (item.Timer is { } timer)
                {
                    (timers ??= []).Add(timer);
                }

                if (item.Consumer is { } consumer)
                {
                    consumer.EnqueueLocked(item.Delivery!);
                }
                else
                {
                    FanOutLocked(item.Message);
                }
            }

            SignalLocked();
        }

        foreach (var timer in timers ?? [])
        {
            timer.Dispose();
        }
    }

    private void FanOutLocked(OutboxMessage message)
    {
        if (!_consumers.TryGetValue(message.Topic, out var list))
        {
            return;
        }

        foreach (var consumer in list)
        {
            if (consumer.Subscription.Accepts(message.Tag))
            {
                consumer.EnqueueLocked(new Delivery(message));
            }
        }
    }

    private Scheduled ScheduleLocked(Scheduled item)
    {
        _pending.Add(item);
        _schedule.Enqueue(item, (item.DueAt, _sequence++));
        return item;
    }

    /// <summary>Starts the timer of a scheduled item; never under the lock, as a fake clock may run callbacks in it.</summary>
    private void StartTimer(Scheduled? item, DateTimeOffset now)
    {
        if (item is null)
        {
            return;
        }

        var delay = item.DueAt - now;
        if (delay <= TimeSpan.Zero)
        {
            FireDue();
            return;
        }

        var timer = _time.CreateTimer(static s => { var (bus, due) = ((InMemoryMessageBus, Scheduled))s!; bus.OnTimer(due); }, (this, item), delay, Timeout.InfiniteTimeSpan);
        ITimer? dispose = null;
        lock (_gate)
        {
            if (item.Fired || !_pending.Contains(item))
            {
                dispose = timer;
            }
            else
            {
                dispose = item.Timer; // a re-armed item: its earlier one-shot timer has fired
                item.Timer = timer;
            }
        }

        dispose?.Dispose();
    }

    /// <summary>
    /// A timer fired: make due items visible off the timer's thread (a fake clock fires inside <c>Advance</c>). A system timer
    /// can fire a little before the clock reads the due time; the item is then still pending and its timer is armed again for
    /// the rest, so no scheduled message waits for an unrelated wake-up.
    /// </summary>
    private void OnTimer(Scheduled item) => ThreadPool.UnsafeQueueUserWorkItem(
        static state =>
        {
            var (bus, due) = state;
            bus.FireDue();
            bool early;
            lock (bus._gate)
            {
                early = !due.Fired && bus._pending.Contains(due);
            }

            if (early)
            {
                bus.StartTimer(due, bus._time.GetUtcNow());
            }
        },
        (this, item),
        preferLocal: false);

    private void SignalLocked()
    {
        _changed?.TrySetResult();
        _changed = null;
    }

    private async Task RunAsync(Consumer consumer, Delivery delivery)
    {
        delivery.Attempts++;
        Exception? error = null;
        try
        {
            await consumer.Handler(new IncomingMessage(delivery.Message, delivery.Attempts), consumer.Cancellation.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A handler's failure of any kind is a failed delivery: retried, then dead-lettered.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            error = ex;
        }

        try
        {
            if (error is not null)
            {
                await OnFailedAsync(consumer, delivery, error).ConfigureAwait(false);
            }
        }
        finally
        {
            lock (_gate)
            {
                consumer.Running--;
                _inFlight--;
                consumer.PumpLocked();
                if (consumer.Stopped && consumer.Running == 0)
                {
                    consumer.Drained.TrySetResult();
                }

                SignalLocked();
            }
        }
    }

    private async Task OnFailedAsync(Consumer consumer, Delivery delivery, Exception error)
    {
        var subscription = consumer.Subscription;
        var message = delivery.Message;
        var now = _time.GetUtcNow();
        if (delivery.Attempts >= subscription.MaxDeliveryAttempts)
        {
            var letter = new DeadLetter(message, subscription.ConsumerGroup, delivery.Attempts, Describe(error), now);
            try
            {
                await _deadLetters.AddAsync(letter, CancellationToken.None).ConfigureAwait(false);
                Messaging.DeadLetters.DeadLetterSignals.Arrived(letter);
                InMemoryMessageBusLog.DeadLettered(_logger, error, message.MessageId, message.Tag, subscription.ConsumerGroup, delivery.Attempts);
            }
#pragma warning disable CA1031 // Nothing more can be done in process; the message is logged as lost.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                InMemoryMessageBusLog.DeadLetterFailed(_logger, ex, message.MessageId, subscription.ConsumerGroup);
            }

            return;
        }

        var delay = subscription.BackoffAfter(delivery.Attempts);
        Scheduled? scheduled = null;
        lock (_gate)
        {
            if (!consumer.Stopped && !_disposed)
            {
                scheduled = ScheduleLocked(new Scheduled(now + delay, message, consumer, delivery));
            }
        }

        if (scheduled is null)
        {
            InMemoryMessageBusLog.DeliveryDropped(_logger, error, message.MessageId, subscription.ConsumerGroup, delivery.Attempts);
            return;
        }

        InMemoryMessageBusLog.HandlerFailed(_logger, error, subscription.ConsumerGroup, message.MessageId, message.Tag, delivery.Attempts, subscription.MaxDeliveryAttempts, delay);
        StartTimer(scheduled, now);
    }

    /// <summary>One group's copy of a message.</summary>
    private sealed class Delivery(OutboxMessage message)
    {
        public OutboxMessage Message { get; } = message;

        public int Attempts { get; set; }
    }

    /// <summary>A message not yet visible, or a redelivery waiting for its backoff.</summary>
    private sealed class Scheduled(DateTimeOffset dueAt, OutboxMessage message, Consumer? consumer, Delivery? delivery)
    {
        public DateTimeOffset DueAt { get; } = dueAt;

        public OutboxMessage Message { get; } = message;

        public Consumer? Consumer { get; } = consumer;

        public Delivery? Delivery { get; } = delivery;

        public ITimer? Timer { get; set; }

        public bool Fired { get; set; }
    }

    /// <summary>A subscription: the consumer group's line of deliveries and its running handlers. Disposing it unsubscribes.</summary>
    private sealed class Consumer(InMemoryMessageBus bus, Subscription subscription, Func<IncomingMessage, CancellationToken, Task> handler, CancellationToken cancellationToken) : IAsyncDisposable
    {
        private readonly Queue<Delivery> _line = new();
        private bool _disposed;

        public Subscription Subscription { get; } = subscription;

        public Func<IncomingMessage, CancellationToken, Task> Handler { get; } = handler;

        public CancellationTokenSource Cancellation { get; } = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        public CancellationTokenRegistration Registration { get; set; }

        public TaskCompletionSource Drained { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Running { get; set; }

        public bool Stopped { get; private set; }

        public void EnqueueLocked(Delivery delivery)
        {
            if (Stopped)
            {
                return;
            }

            _line.Enqueue(delivery);
            bus._ready++;
            PumpLocked();
        }

        public void PumpLocked()
        {
            while (!Stopped && Running < bus._maxConcurrentHandlers && _line.TryDequeue(out var delivery))
            {
                bus._ready--;
                Running++;
                bus._inFlight++;
                _ = Task.Run(() => bus.RunAsync(this, delivery));
            }
        }

        /// <summary>Stops new deliveries: unsubscribes, drops the waiting ones and cancels the pending redeliveries.</summary>
        public void Stop()
        {
            List<ITimer>? timers = null;
            lock (bus._gate)
            {
                if (Stopped)
                {
                    return;
                }

                Stopped = true;
                if (bus._consumers.TryGetValue(Subscription.Topic, out var list))
                {
                    list.Remove(this);
                    if (list.Count == 0)
                    {
                        bus._consumers.Remove(Subscription.Topic);
                    }
                }

                bus._ready -= _line.Count;
                _line.Clear();
                foreach (var item in bus._pending.Where(p => p.Consumer == this).ToArray())
                {
                    bus._pending.Remove(item);
                    if (item.Timer is { } timer)
                    {
                        (timers ??= []).Add(timer);
                    }
                }

                if (Running == 0)
                {
                    Drained.TrySetResult();
                }

                bus.SignalLocked();
            }

            foreach (var timer in timers ?? [])
            {
                timer.Dispose();
            }

            InMemoryMessageBusLog.Unsubscribed(bus._logger, Subscription.ConsumerGroup, Subscription.Topic);
        }

        public async ValueTask DisposeAsync()
        {
            Stop();
            await Drained.Task.ConfigureAwait(false);
            lock (bus._gate)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
            }

            await Registration.DisposeAsync().ConfigureAwait(false);
            Cancellation.Dispose();
        }
    }
}

/// <summary>The log messages of the in-memory message bus (EventIds 1100–1109; the rest of messaging logs 1110–1199).</summary>
internal static partial class InMemoryMessageBusLog
{
    [LoggerMessage(1100, LogLevel.Warning, "Consumer group {ConsumerGroup} failed to handle message {MessageId} ({Tag}), delivery attempt {Attempt} of {MaxAttempts}; it is delivered again in {Delay}.", EventName = "HandlerFailed")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string consumerGroup, string messageId, string tag, int attempt, int maxAttempts, TimeSpan delay);

    [LoggerMessage(1101, LogLevel.Warning, "Message {MessageId} ({Tag}) failed {Attempts} deliveries in consumer group {ConsumerGroup}; it was moved to the dead letters.", EventName = "MessageDeadLettered")]
    public static partial void DeadLettered(ILogger logger, Exception exception, string messageId, string tag, string consumerGroup, int attempts);

    [LoggerMessage(1102, LogLevel.Error, "Storing the dead letter of message {MessageId} of consumer group {ConsumerGroup} failed; the message is lost for that group.", EventName = "DeadLetterFailed")]
    public static partial void DeadLetterFailed(ILogger logger, Exception exception, string messageId, string consumerGroup);

    [LoggerMessage(1103, LogLevel.Information, "Message {MessageId} failed delivery attempt {Attempt} in consumer group {ConsumerGroup} while the subscription stopped; it is not delivered again in process.", EventName = "DeliveryDropped")]
    public static partial void DeliveryDropped(ILogger logger, Exception exception, string messageId, string consumerGroup, int attempt);

    [LoggerMessage(1104, LogLevel.Debug, "Consumer group {ConsumerGroup} subscribed to topic {Topic}.", EventName = "Subscribed")]
    public static partial void Subscribed(ILogger logger, string consumerGroup, string topic);

    [LoggerMessage(1105, LogLevel.Debug, "Consumer group {ConsumerGroup} unsubscribed from topic {Topic}.", EventName = "Unsubscribed")]
    public static partial void Unsubscribed(ILogger logger, string consumerGroup, string topic);
}
