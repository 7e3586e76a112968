using CouponKit.RocketMQ.Protocol;
using CouponKit.RocketMQ.Protocol.V2;
using CouponKit.RocketMQ.Telemetry;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;

namespace CouponKit.RocketMQ.Consuming;

/// <summary>
/// RocketMQ 5 simple consumer: long-polling receive filtered by tag, the handler, Ack on success,
/// ChangeInvisibleDuration with exponential backoff on failure, and the dead-letter queue after
/// <see cref="RocketMQOptions.MaxDeliveryAttempts"/> deliveries. <see cref="StopAsync"/> stops receiving,
/// lets in-flight handlers finish, and leaves unacked messages to reappear after their invisible duration.
/// </summary>
internal sealed class RocketMQSimpleConsumer : IAsyncDisposable
{
    private readonly MessagingClient _client;
    private readonly string _topic;
    private readonly string _group;
    private readonly FilterExpression _filter;
    private readonly Func<ReceivedMessage, CancellationToken, Task> _handler;
    private readonly ILogger _logger;
    private readonly int _maxDeliveryAttempts;
    private readonly Func<int, TimeSpan> _backoffAfter;
    private readonly TelemetrySession _telemetry;
    private readonly CancellationTokenSource _receiving = new();
    private readonly CancellationTokenSource _handling = new();
    private MessageQueue? _assignedQueue;
    private DateTimeOffset _assignedAt;
    private Task _loop = Task.CompletedTask;
    private ITimer? _heartbeatTimer;

    /// <param name="client">The connection.</param>
    /// <param name="topic">The topic to consume.</param>
    /// <param name="tagExpression">The tag filter: <c>*</c> for all, or tags separated by <c>||</c>.</param>
    /// <param name="handler">Handles one message; a throw means failure (the message is retried later).</param>
    /// <param name="logger">The logger.</param>
    public RocketMQSimpleConsumer(MessagingClient client, string topic, string tagExpression, Func<ReceivedMessage, CancellationToken, Task> handler, ILogger logger)
        : this(client, FromOptions(client, topic, tagExpression), handler, logger)
    {
    }

    /// <param name="client">The connection.</param>
    /// <param name="settings">The group, topic, tag filter, maximum deliveries and retry backoff of this consumer.</param>
    /// <param name="handler">Handles one message; a throw means failure (the message is retried later).</param>
    /// <param name="logger">The logger.</param>
    public RocketMQSimpleConsumer(MessagingClient client, SimpleConsumerSettings settings, Func<ReceivedMessage, CancellationToken, Task> handler, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(logger);
        if (!ResourceNames.IsValid(settings.Topic))
        {
            throw new ArgumentException($"RocketMQ: topic '{settings.Topic}' is not valid.", nameof(settings));
        }

        if (!ResourceNames.IsValid(settings.ConsumerGroup))
        {
            throw new ArgumentException($"RocketMQ: consumer group '{settings.ConsumerGroup}' is not valid.", nameof(settings));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(settings.MaxDeliveryAttempts, 1, nameof(settings));
        ArgumentNullException.ThrowIfNull(settings.BackoffAfter, nameof(settings));

        _client = client;
        _topic = settings.Topic;
        _group = settings.ConsumerGroup;
        _filter = new FilterExpression { Type = FilterType.Tag, Expression = string.IsNullOrWhiteSpace(settings.TagExpression) ? "*" : settings.TagExpression };
        _maxDeliveryAttempts = settings.MaxDeliveryAttempts;
        _backoffAfter = settings.BackoffAfter;
        _handler = handler;
        _logger = logger;
        _telemetry = new TelemetrySession(client, CreateSettings, static (_, _) => Task.CompletedTask, logger);
    }

    /// <summary>Heartbeat, telemetry settings and the queue assignment (fails fast), then the receive loop in the background.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        _loop = Task.Run(() => RunAsync(_receiving.Token, _handling.Token), CancellationToken.None);
    }

    /// <summary>Heartbeat, telemetry and assignment without the background loop (used by <see cref="StartAsync"/> and by step-by-step tests).</summary>
    internal async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _client.HeartbeatAsync(ClientType.SimpleConsumer, _group, cancellationToken).ConfigureAwait(false);
        await _telemetry.StartAsync(cancellationToken).ConfigureAwait(false);
        await GetQueueAsync(cancellationToken).ConfigureAwait(false);
        var interval = _client.Options.HeartbeatInterval;
        _heartbeatTimer = _client.TimeProvider.CreateTimer(_ => _ = HeartbeatAsync(), null, interval, interval);
    }

    /// <summary>
    /// Stops receiving and waits for the handlers in flight to finish (and be acked). If <paramref name="cancellationToken"/>
    /// fires first, the handlers are canceled; whatever is not acked reappears after its invisible duration.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _receiving.CancelAsync().ConfigureAwait(false);
        using (cancellationToken.Register(static s => ((CancellationTokenSource)s!).Cancel(), _handling))
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }

        if (_heartbeatTimer is not null)
        {
            await _heartbeatTimer.DisposeAsync().ConfigureAwait(false);
            _heartbeatTimer = null;
        }

        Log.ConsumerStopped(_logger, _group, _topic);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _telemetry.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _client.NotifyClientTerminationAsync(_group, CancellationToken.None).ConfigureAwait(false);
        }
        catch (RocketMQException ex)
        {
            Log.NotifyClientTerminationFailed(_logger, ex);
        }

        _receiving.Dispose();
        _handling.Dispose();
    }

    /// <summary>One receive (long polling) and the handling of what came; returns how many messages were handled.</summary>
    internal async Task<int> PollOnceAsync(CancellationToken receiveToken, CancellationToken handlerToken)
    {
        var queue = await GetQueueAsync(receiveToken).ConfigureAwait(false);
        var request = new ReceiveMessageRequest
        {
            Group = _client.Resource(_group),
            MessageQueue = queue,
            FilterExpression = _filter,
            BatchSize = _client.Options.ReceiveBatchSize,
            InvisibleDuration = Duration.FromTimeSpan(_client.Options.InvisibleDuration),
            AutoRenew = false,
            LongPollingTimeout = Duration.FromTimeSpan(_client.Options.LongPollingTimeout),
            AttemptId = Guid.NewGuid().ToString(),
        };

        var messages = await _client.ReceiveAsync(request, receiveToken).ConfigureAwait(false);
        var handled = 0;
        HashSet<string>? failedGroups = null;
        foreach (var proto in messages)
        {
            if (receiveToken.IsCancellationRequested)
            {
                // Stopping: messages not started yet stay unacked and reappear after their invisible duration.
                break;
            }

            var message = ReceivedMessage.FromProtobuf(proto);
            if (message.MessageGroup is { } skipped && failedGroups?.Contains(skipped) == true)
            {
                // FIFO: a later message of a group whose earlier message failed must not overtake it; unacked, it reappears.
                continue;
            }

            if (!await HandleAsync(message, handlerToken).ConfigureAwait(false) && message.MessageGroup is { } group)
            {
                (failedGroups ??= new HashSet<string>(StringComparer.Ordinal)).Add(group);
            }

            handled++;
        }

        return handled;
    }

    private async Task RunAsync(CancellationToken receiveToken, CancellationToken handlerToken)
    {
        var failures = 0;
        while (!receiveToken.IsCancellationRequested)
        {
            try
            {
                await PollOnceAsync(receiveToken, handlerToken).ConfigureAwait(false);
                failures = 0;
            }
            catch (OperationCanceledException) when (receiveToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Receive errors (throttling, a proxy restart) must not end the loop: back off and poll again.
                Log.ReceiveFailed(_logger, _topic, ex);
                failures++;
                var delay = MessagingClient.Backoff(_client.Options.RequestRetryBackoff, failures, _client.Options.LongPollingTimeout);
                try
                {
                    await Task.Delay(delay, _client.TimeProvider, receiveToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Handles one message, then acks it, backs it off or dead-letters it; returns whether it is settled (acked or dead-lettered).</summary>
    private async Task<bool> HandleAsync(ReceivedMessage message, CancellationToken handlerToken)
    {
        try
        {
            await _handler(message, handlerToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !handlerToken.IsCancellationRequested)
        {
            Log.HandlerFailed(_logger, message.Topic, message.MessageId, message.DeliveryAttempt, ex);
            return await OnHandlerFailedAsync(message, handlerToken).ConfigureAwait(false);
        }

        try
        {
            await _client.AckAsync(_group, message.Topic, message.MessageId, message.ReceiptHandle, handlerToken).ConfigureAwait(false);
        }
        catch (RocketMQException ex)
        {
            Log.AckFailed(_logger, message.MessageId, ex);
        }

        return true;
    }

    /// <summary>Forwards the message to the dead-letter queue after its last attempt (returns <see langword="true"/> when done), or backs it off.</summary>
    private async Task<bool> OnHandlerFailedAsync(ReceivedMessage message, CancellationToken handlerToken)
    {
        var max = _maxDeliveryAttempts;
        if (message.DeliveryAttempt >= max)
        {
            Log.ForwardingToDeadLetterQueue(_logger, message.Topic, message.MessageId, message.DeliveryAttempt);
            try
            {
                await _client.ForwardToDeadLetterQueueAsync(_group, message.Topic, message.MessageId, message.ReceiptHandle, message.DeliveryAttempt, max, handlerToken).ConfigureAwait(false);
                return true;
            }
            catch (RocketMQException ex)
            {
                Log.ForwardToDeadLetterQueueFailed(_logger, message.MessageId, ex);
                return false;
            }
        }

        var backoff = _backoffAfter(message.DeliveryAttempt);
        try
        {
            message.ReceiptHandle = await _client.ChangeInvisibleDurationAsync(_group, message.Topic, message.MessageId, message.ReceiptHandle, backoff, handlerToken).ConfigureAwait(false);
        }
        catch (RocketMQException ex)
        {
            Log.ChangeInvisibleDurationFailed(_logger, message.MessageId, ex);
        }

        return false;
    }

    private static SimpleConsumerSettings FromOptions(MessagingClient client, string topic, string tagExpression)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (string.IsNullOrEmpty(client.Options.ConsumerGroup))
        {
            throw new ArgumentException("RocketMQ: ConsumerGroup must be set to consume.", nameof(client));
        }

        var options = client.Options;
        return new SimpleConsumerSettings(
            options.ConsumerGroup,
            topic,
            tagExpression,
            options.MaxDeliveryAttempts,
            attempt => MessagingClient.Backoff(options.ConsumeRetryInitialBackoff, attempt, options.ConsumeRetryMaxBackoff));
    }

    private async ValueTask<MessageQueue> GetQueueAsync(CancellationToken cancellationToken)
    {
        var now = _client.TimeProvider.GetUtcNow();
        if (_assignedQueue is not null && now - _assignedAt < _client.Options.RouteRefreshInterval)
        {
            return _assignedQueue;
        }

        var response = await _client.QueryAssignmentAsync(_topic, _group, cancellationToken).ConfigureAwait(false);
        var readable = response.Assignments
            .Select(a => a.MessageQueue)
            .FirstOrDefault(q => q is not null && q.Permission is Permission.Read or Permission.ReadWrite);
        _assignedQueue = readable ?? throw new RocketMQException(RocketMQStatusCode.Forbidden, $"RocketMQ: no readable queue is assigned to group '{_group}' on topic '{_topic}'.");
        _assignedAt = now;
        return _assignedQueue;
    }

    private async Task HeartbeatAsync()
    {
        try
        {
            await _client.HeartbeatAsync(ClientType.SimpleConsumer, _group, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RocketMQException or ObjectDisposedException or OperationCanceledException)
        {
            // A missed heartbeat is retried on the next tick; the client may also be shutting down.
            Log.HeartbeatFailed(_logger, ex);
        }
    }

    private Settings CreateSettings()
    {
        var subscription = new Subscription
        {
            Group = _client.Resource(_group),
            LongPollingTimeout = Duration.FromTimeSpan(_client.Options.LongPollingTimeout),
            ReceiveBatchSize = _client.Options.ReceiveBatchSize,
        };
        subscription.Subscriptions.Add(new SubscriptionEntry { Topic = _client.Resource(_topic), Expression = _filter });
        return new Settings
        {
            ClientType = ClientType.SimpleConsumer,
            AccessPoint = _client.Endpoints.ToProtobuf(),
            RequestTimeout = Duration.FromTimeSpan(_client.Options.RequestTimeout),
            Subscription = subscription,
            UserAgent = UserAgent.Create(),
        };
    }
}

/// <summary>What one simple consumer receives and how it retries.</summary>
/// <param name="ConsumerGroup">The consumer group.</param>
/// <param name="Topic">The topic.</param>
/// <param name="TagExpression">The tag filter: <c>*</c> for all, or tags separated by <c>||</c>.</param>
/// <param name="MaxDeliveryAttempts">How many deliveries a message gets before it goes to the dead-letter queue.</param>
/// <param name="BackoffAfter">The invisible duration set after the given failed delivery attempt (from 1).</param>
internal sealed record SimpleConsumerSettings(string ConsumerGroup, string Topic, string TagExpression, int MaxDeliveryAttempts, Func<int, TimeSpan> BackoffAfter);
