using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.RocketMQ.Consuming;
using CouponKit.RocketMQ.Producing;
using CouponKit.RocketMQ.Protocol;
using CouponKit.RocketMQ.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CouponKit.RocketMQ.Bus;

/// <summary>
/// CouponKit's <see cref="IMessageBus"/> and <see cref="ITransactionalMessageBus"/> over RocketMQ 5: one producer (started on
/// first use or by the hosted service) and one simple consumer per subscription, each with its own client id.
/// </summary>
/// <remarks>
/// <para>
/// Publishing: topic and tag as given (the namespace of <see cref="RocketMQOptions.Namespace"/> is sent with every resource),
/// keys <c>[Key, MessageId]</c>, the outbox fields as user properties, the body as UTF-8. A message whose
/// <see cref="OutboxMessage.DeliverAt"/> is in the future is sent as a delayed message; the others as normal messages. A topic
/// that carries both must accept both types (a MIXED topic). On a topic listed in <see cref="RocketMQOptions.FifoTopics"/>, a
/// message that is not delayed is a FIFO message whose message group is <see cref="OutboxMessage.Key"/>.
/// </para>
/// <para>
/// Subscribing: the consumer group, topic and tags of the <see cref="Subscription"/> (<c>*</c> or <c>A||B</c>); after a failed
/// delivery the message stays invisible for <see cref="Subscription.BackoffAfter"/> (capped at 12 hours); after
/// <see cref="Subscription.MaxDeliveryAttempts"/> deliveries it is recorded in the <see cref="IDeadLetterStore"/>, if one is
/// registered, and forwarded to the group's dead-letter queue. <see cref="IncomingMessage.DeliveryAttempt"/> is the broker's count.
/// </para>
/// </remarks>
internal sealed class RocketMQMessageBus : IMessageBus, ITransactionalMessageBus, IAsyncDisposable
{
    private readonly RocketMQOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly IServiceScopeFactory? _scopes;
    private readonly IDeadLetterStore? _deadLetters;
    private readonly MessagingClient _producerClient;
    private readonly SemaphoreSlim _startGate = new(1, 1);
    private readonly object _gate = new();
    private readonly List<SubscriptionHandle> _subscriptions = [];
    private RocketMQProducer? _producer;
    private bool _disposed;

    /// <param name="options">The options (validated here as well).</param>
    /// <param name="time">The clock.</param>
    /// <param name="loggers">The logger factory.</param>
    /// <param name="scopes">Where the <see cref="ITransactionCheckResolver"/> is resolved, in a scope per check-back.</param>
    /// <param name="deadLetters">Where messages that failed every delivery are recorded as well; optional.</param>
    public RocketMQMessageBus(RocketMQOptions options, TimeProvider time, ILoggerFactory? loggers, IServiceScopeFactory? scopes, IDeadLetterStore? deadLetters)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        _time = time;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _logger = _loggers.CreateLogger("CouponKit.RocketMQ");
        _scopes = scopes;
        _deadLetters = deadLetters;
        _producerClient = new MessagingClient(options, time, _logger);
    }

    /// <summary>Gets the topics the producer announces: CouponKit's <c>coupon</c> topic and <see cref="RocketMQOptions.Topics"/>.</summary>
    public IReadOnlyList<string> ProducerTopics => new[] { CouponTopics.Coupon }.Concat(_options.Topics).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Starts the producer (heartbeat, telemetry, routes) unless it runs; fails fast on a bad endpoint, credentials or topic.</summary>
    public async Task StartAsync(CancellationToken cancellationToken) => await GetProducerAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task PublishAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var delayed = message.DeliverAt is { } deliverAt && deliverAt > _time.GetUtcNow();
        var group = !delayed && IsFifoTopic(message.Topic) && !string.IsNullOrWhiteSpace(message.Key) ? message.Key : null;
        var outgoing = OutboxMessageCodec.ToOutgoing(message, group);
        MessageCodec.Validate(outgoing);
        var producer = await GetProducerAsync(cancellationToken).ConfigureAwait(false);
        if (delayed)
        {
            await producer.SendDelayedAsync(outgoing, message.DeliverAt!.Value, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // With a message group this is a FIFO message: the group's hash picks the queue, so one key keeps one queue.
            await producer.SendAsync(outgoing, cancellationToken).ConfigureAwait(false);
        }

        Log.BusPublished(_logger, message.MessageId, message.Topic, message.Tag);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The message is sent as a half message, then <paramref name="localTransaction"/> runs: <see langword="true"/> commits it,
    /// <see langword="false"/> rolls it back. If it throws, <see cref="TransactionOutcome.Unknown"/> is returned and the broker's
    /// check-back asks the registered <see cref="ITransactionCheckResolver"/>. The topic must be announced by the producer
    /// (<see cref="CouponTopics.Coupon"/> or listed in <see cref="RocketMQOptions.Topics"/>).
    /// </remarks>
    public async Task<TransactionOutcome> PublishInTransactionAsync(OutboxMessage message, Func<CancellationToken, Task<bool>> localTransaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(localTransaction);
        var outgoing = OutboxMessageCodec.ToOutgoing(message);
        var producer = await GetProducerAsync(cancellationToken).ConfigureAwait(false);
        TransactionalSendResult result;
        var localStarted = false;
        try
        {
            result = await producer.SendInTransactionAsync(
                outgoing,
                async (_, token) =>
                {
                    localStarted = true;
                    return await localTransaction(token).ConfigureAwait(false) ? TransactionResolution.Commit : TransactionResolution.Rollback;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (localStarted && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            // The local transaction threw after the half message was stored: nothing is guessed, the check-back decides.
            Log.BusLocalTransactionFailed(_logger, message.MessageId, ex);
            return TransactionOutcome.Unknown;
        }

        return result.Ended ? ToOutcome(result.Resolution) : TransactionOutcome.Unknown;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Each subscription is a RocketMQ simple consumer of its own (own client id), started before this returns. Disposing the
    /// handle stops it gracefully: receiving stops, handlers in flight finish and are acked, and messages not acked reappear
    /// after their invisible duration. Cancelling <paramref name="cancellationToken"/> cancels the start, and later stops the
    /// subscription the same graceful way.
    /// </remarks>
    public async Task<IAsyncDisposable> SubscribeAsync(Subscription subscription, Func<IncomingMessage, CancellationToken, Task> handler, CancellationToken cancellationToken)
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

        var expression = TagExpression(subscription.Tags);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var client = new MessagingClient(_options, _time, _logger);
        RocketMQSimpleConsumer? consumer = null;
        try
        {
            var settings = new SimpleConsumerSettings(subscription.ConsumerGroup, subscription.Topic, expression, subscription.MaxDeliveryAttempts, attempt => Backoff(subscription, attempt));
            consumer = new RocketMQSimpleConsumer(client, settings, (received, token) => HandleAsync(subscription, handler, received, token), _logger);
            await consumer.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            if (consumer is not null)
            {
                await consumer.DisposeAsync().ConfigureAwait(false);
            }

            client.Dispose();
            throw;
        }

        var handle = new SubscriptionHandle(this, consumer, client);
        var disposeNow = false;
        lock (_gate)
        {
            if (_disposed)
            {
                disposeNow = true;
            }
            else
            {
                _subscriptions.Add(handle);
            }
        }

        if (disposeNow)
        {
            await handle.DisposeAsync().ConfigureAwait(false);
            throw new ObjectDisposedException(nameof(RocketMQMessageBus));
        }

        if (cancellationToken.CanBeCanceled)
        {
            handle.StopWhenCanceled(cancellationToken);
        }

        Log.BusSubscribed(_logger, subscription.ConsumerGroup, subscription.Topic, expression);
        return handle;
    }

    private bool IsFifoTopic(string topic) => _options.FifoTopics.Contains(topic, StringComparer.Ordinal);

    /// <summary>Asks the proxy for the route of the <c>coupon</c> topic: proves the endpoint, the credentials and the topic.</summary>
    public Task CheckHealthAsync(CancellationToken cancellationToken) => _producerClient.QueryRouteAsync(CouponTopics.Coupon, cancellationToken);

    /// <summary>Stops every subscription (gracefully), then the producer, then closes the connections. A second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        SubscriptionHandle[] handles;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            handles = [.. _subscriptions];
        }

        foreach (var handle in handles)
        {
            await handle.DisposeAsync().ConfigureAwait(false);
        }

        await _startGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_producer is not null)
            {
                await _producer.DisposeAsync().ConfigureAwait(false);
                _producer = null;
            }
        }
        finally
        {
            _startGate.Release();
        }

        _producerClient.Dispose();
    }

    /// <summary><c>*</c> for every tag, else the tags joined by <c>||</c>.</summary>
    internal static string TagExpression(IReadOnlyCollection<string> tags)
    {
        if (tags.Count == 0)
        {
            return RocketMQBusConstants.AllTags;
        }

        foreach (var tag in tags)
        {
            if (string.IsNullOrWhiteSpace(tag) || tag.Contains('|', StringComparison.Ordinal) || tag == RocketMQBusConstants.AllTags)
            {
                throw new ArgumentException($"RocketMQ: tag '{tag}' cannot be filtered on: it must not be blank, '*', nor contain '|'.", nameof(tags));
            }
        }

        return string.Join(RocketMQBusConstants.TagSeparator, tags.Distinct(StringComparer.Ordinal));
    }

    internal static TimeSpan Backoff(Subscription subscription, int attempt)
    {
        var delay = subscription.BackoffAfter(attempt);
        if (delay < TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        return delay > RocketMQBusConstants.MaxInvisibleDuration ? RocketMQBusConstants.MaxInvisibleDuration : delay;
    }

    internal static TransactionResolution ToResolution(TransactionOutcome outcome) => outcome switch
    {
        TransactionOutcome.Committed => TransactionResolution.Commit,
        TransactionOutcome.RolledBack => TransactionResolution.Rollback,
        _ => TransactionResolution.Unknown,
    };

    internal static TransactionOutcome ToOutcome(TransactionResolution resolution) => resolution switch
    {
        TransactionResolution.Commit => TransactionOutcome.Committed,
        TransactionResolution.Rollback => TransactionOutcome.RolledBack,
        _ => TransactionOutcome.Unknown,
    };

    private async Task<RocketMQProducer> GetProducerAsync(CancellationToken cancellationToken)
    {
        var producer = Volatile.Read(ref _producer);
        if (producer is not null)
        {
            return producer;
        }

        await _startGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_producer is not null)
            {
                return _producer;
            }

            producer = new RocketMQProducer(_producerClient, ProducerTopics, ResolveTransactionAsync, _logger);
            try
            {
                await producer.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await producer.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            Volatile.Write(ref _producer, producer);
            Log.BusProducerStarted(_logger);
            return producer;
        }
        finally
        {
            _startGate.Release();
        }
    }

    private async Task HandleAsync(Subscription subscription, Func<IncomingMessage, CancellationToken, Task> handler, ReceivedMessage received, CancellationToken cancellationToken)
    {
        var incoming = OutboxMessageCodec.ToIncoming(received, _time.GetUtcNow());
        try
        {
            await handler(incoming, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (incoming.DeliveryAttempt >= subscription.MaxDeliveryAttempts && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            // The last delivery failed: the consumer forwards it to the dead-letter queue; keep a copy where CouponKit looks.
            Log.BusDeadLettered(_logger, incoming.Message.MessageId, subscription.ConsumerGroup, incoming.DeliveryAttempt, ex);
            await RecordDeadLetterAsync(subscription, incoming, ex).ConfigureAwait(false);
            throw;
        }
    }

    private async Task RecordDeadLetterAsync(Subscription subscription, IncomingMessage incoming, Exception error)
    {
        if (_deadLetters is null)
        {
            return;
        }

        try
        {
            var letter = new DeadLetter(incoming.Message, subscription.ConsumerGroup, incoming.DeliveryAttempt, $"{error.GetType().FullName}: {error.Message}", _time.GetUtcNow());
            await _deadLetters.AddAsync(letter, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The broker's dead-letter queue still has the message; the store's failure is only logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.BusDeadLetterStoreFailed(_logger, incoming.Message.MessageId, subscription.ConsumerGroup, ex);
        }
    }

    private async Task<TransactionResolution> ResolveTransactionAsync(TransactionCheck check, CancellationToken cancellationToken)
    {
        var message = OutboxMessageCodec.ToOutboxMessage(check, _time.GetUtcNow());
        if (_scopes is null)
        {
            Log.BusNoTransactionCheckResolver(_logger, message.MessageId);
            return TransactionResolution.Unknown;
        }

        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var resolver = scope.ServiceProvider.GetService<ITransactionCheckResolver>();
            if (resolver is null)
            {
                Log.BusNoTransactionCheckResolver(_logger, message.MessageId);
                return TransactionResolution.Unknown;
            }

            var outcome = await resolver.ResolveAsync(message, cancellationToken).ConfigureAwait(false);
            Log.BusTransactionCheckResolved(_logger, message.MessageId, outcome);
            return ToResolution(outcome);
        }
    }

    private void Remove(SubscriptionHandle handle)
    {
        lock (_gate)
        {
            _subscriptions.Remove(handle);
        }
    }

    /// <summary>Stops one subscription's consumer gracefully and closes its connection; a second call does nothing.</summary>
    private sealed class SubscriptionHandle(RocketMQMessageBus bus, RocketMQSimpleConsumer consumer, MessagingClient client) : IAsyncDisposable
    {
        private int _disposed;
        private CancellationTokenRegistration _registration;

        public void StopWhenCanceled(CancellationToken cancellationToken)
            => _registration = cancellationToken.Register(static h => _ = Task.Run(() => ((SubscriptionHandle)h!).DisposeAsync().AsTask()), this);

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            await _registration.DisposeAsync().ConfigureAwait(false);
            try
            {
                await consumer.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                client.Dispose();
                bus.Remove(this);
            }
        }
    }
}
