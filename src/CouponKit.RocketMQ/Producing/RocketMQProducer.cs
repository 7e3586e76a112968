using CouponKit.RocketMQ.Protocol;
using CouponKit.RocketMQ.Protocol.V2;
using CouponKit.RocketMQ.Telemetry;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Proto = CouponKit.RocketMQ.Protocol.V2;

namespace CouponKit.RocketMQ.Producing;

/// <summary>
/// RocketMQ 5 producer: route cache, queue selection, normal, delayed, FIFO and transactional sends, heartbeats,
/// and the telemetry stream that answers the broker's transaction check-backs from a resolver.
/// </summary>
internal sealed class RocketMQProducer : IAsyncDisposable
{
    private readonly MessagingClient _client;
    private readonly IReadOnlyList<string> _topics;
    private readonly Func<TransactionCheck, CancellationToken, Task<TransactionResolution>>? _resolver;
    private readonly ILogger _logger;
    private readonly RouteCache _routes;
    private readonly QueueSelector _selector = new();
    private readonly TelemetrySession _telemetry;
    private ITimer? _heartbeatTimer;

    /// <param name="client">The connection.</param>
    /// <param name="topics">The topics this producer sends to (announced in its settings; their routes are loaded at start).</param>
    /// <param name="transactionResolver">Answers the broker's check-back of orphaned transactional messages.</param>
    /// <param name="logger">The logger.</param>
    public RocketMQProducer(MessagingClient client, IEnumerable<string> topics, Func<TransactionCheck, CancellationToken, Task<TransactionResolution>>? transactionResolver, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(logger);
        _client = client;
        _topics = topics.ToList();
        _resolver = transactionResolver;
        _logger = logger;
        _routes = new RouteCache(client, logger);
        _telemetry = new TelemetrySession(client, CreateSettings, OnRecoverOrphanedTransactionAsync, logger);
    }

    /// <summary>Heartbeat, telemetry settings and the routes of the known topics; fails fast on bad credentials or unknown topics.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _client.HeartbeatAsync(ClientType.Producer, group: null, cancellationToken).ConfigureAwait(false);
        await _telemetry.StartAsync(cancellationToken).ConfigureAwait(false);
        foreach (var topic in _topics)
        {
            await _routes.GetAsync(topic, cancellationToken).ConfigureAwait(false);
        }

        var interval = _client.Options.HeartbeatInterval;
        _heartbeatTimer = _client.TimeProvider.CreateTimer(_ => _ = HeartbeatAsync(), null, interval, interval);
    }

    /// <summary>Sends a normal message, or a FIFO one when it has a message group.</summary>
    public Task<SendReceipt> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        MessageCodec.Validate(message);
        var type = message.MessageGroup is null ? MessageType.Normal : MessageType.Fifo;
        return SendCoreAsync(message, type, deliveryTimestamp: null, cancellationToken);
    }

    /// <summary>Sends a message delivered at <paramref name="deliveryTimestamp"/>.</summary>
    public Task<SendReceipt> SendDelayedAsync(OutgoingMessage message, DateTimeOffset deliveryTimestamp, CancellationToken cancellationToken)
    {
        MessageCodec.Validate(message);
        if (message.MessageGroup is not null)
        {
            throw new ArgumentException("RocketMQ: a delayed message cannot have a message group.", nameof(message));
        }

        return SendCoreAsync(message, MessageType.Delay, deliveryTimestamp, cancellationToken);
    }

    /// <summary>Sends a message delivered after <see cref="RocketMQOptions.DefaultDeliveryDelay"/> (30 minutes: the unpaid-order lock release).</summary>
    public Task<SendReceipt> SendDelayedAsync(OutgoingMessage message, CancellationToken cancellationToken)
        => SendDelayedAsync(message, _client.TimeProvider.GetUtcNow() + _client.Options.DefaultDeliveryDelay, cancellationToken);

    /// <summary>
    /// Sends a half message, runs <paramref name="localTransaction"/>, then commits or rolls back with EndTransaction.
    /// If the local transaction throws, or EndTransaction does not reach the broker, nothing is guessed: the half message
    /// stays and the broker's check-back asks the resolver, which answers from the local state.
    /// </summary>
    public async Task<TransactionalSendResult> SendInTransactionAsync(OutgoingMessage message, Func<SendReceipt, CancellationToken, Task<TransactionResolution>> localTransaction, CancellationToken cancellationToken)
    {
        MessageCodec.Validate(message);
        ArgumentNullException.ThrowIfNull(localTransaction);
        if (message.MessageGroup is not null)
        {
            throw new ArgumentException("RocketMQ: a transactional message cannot have a message group.", nameof(message));
        }

        if (!_topics.Contains(message.Topic, StringComparer.Ordinal))
        {
            // The broker sends check-backs to the producers that announced the topic in their telemetry settings.
            throw new ArgumentException($"RocketMQ: topic '{message.Topic}' must be among the producer's topics for transactional sends, so that the broker's check-back reaches this producer.", nameof(message));
        }

        var receipt = await SendCoreAsync(message, MessageType.Transaction, deliveryTimestamp: null, cancellationToken).ConfigureAwait(false);
        TransactionResolution resolution;
        try
        {
            resolution = await localTransaction(receipt, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.LocalTransactionFailed(_logger, receipt.TransactionId, ex);
            throw;
        }

        if (resolution == TransactionResolution.Unknown)
        {
            return new TransactionalSendResult(receipt, resolution, Ended: false);
        }

        try
        {
            await _client.EndTransactionAsync(message.Topic, receipt.MessageId, receipt.TransactionId, ToProtobuf(resolution), TransactionSource.SourceClient, cancellationToken).ConfigureAwait(false);
            return new TransactionalSendResult(receipt, resolution, Ended: true);
        }
        catch (RocketMQException ex)
        {
            Log.EndTransactionFailed(_logger, resolution, receipt.TransactionId, ex);
            return new TransactionalSendResult(receipt, resolution, Ended: false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_heartbeatTimer is not null)
        {
            await _heartbeatTimer.DisposeAsync().ConfigureAwait(false);
        }

        await _telemetry.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _client.NotifyClientTerminationAsync(group: null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (RocketMQException ex)
        {
            Log.NotifyClientTerminationFailed(_logger, ex);
        }
    }

    private async Task<SendReceipt> SendCoreAsync(OutgoingMessage message, MessageType type, DateTimeOffset? deliveryTimestamp, CancellationToken cancellationToken)
    {
        var queues = await _routes.GetAsync(message.Topic, cancellationToken).ConfigureAwait(false);
        var queue = _selector.Select(queues, type, message.MessageGroup);
        var proto = MessageCodec.ToProtobuf(_client, message, type, queue.Id, deliveryTimestamp);
        try
        {
            var entry = await _client.SendAsync(proto, cancellationToken).ConfigureAwait(false);
            return new SendReceipt(entry.MessageId, entry.TransactionId, entry.Offset, queue.Id);
        }
        catch (RocketMQException ex) when (ex.Code is RocketMQStatusCode.TopicNotFound or RocketMQStatusCode.NotFound)
        {
            _routes.Invalidate(message.Topic);
            throw;
        }
    }

    private async Task HeartbeatAsync()
    {
        try
        {
            await _client.HeartbeatAsync(ClientType.Producer, group: null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RocketMQException or ObjectDisposedException or OperationCanceledException)
        {
            // A missed heartbeat is retried on the next tick; the client may also be shutting down.
            Log.HeartbeatFailed(_logger, ex);
        }
    }

    private Settings CreateSettings()
    {
        var publishing = new Publishing { ValidateMessageType = true };
        publishing.Topics.AddRange(_topics.Select(_client.Resource));
        return new Settings
        {
            ClientType = ClientType.Producer,
            AccessPoint = _client.Endpoints.ToProtobuf(),
            RequestTimeout = Duration.FromTimeSpan(_client.Options.RequestTimeout),
            Publishing = publishing,
            UserAgent = UserAgent.Create(),
        };
    }

    private async Task OnRecoverOrphanedTransactionAsync(RecoverOrphanedTransactionCommand command, CancellationToken cancellationToken)
    {
        var check = MessageCodec.ToTransactionCheck(command.Message ?? new Message(), command.TransactionId);
        Log.TransactionCheckReceived(_logger, check.Topic, check.MessageId, check.TransactionId);
        if (_resolver is null)
        {
            Log.NoTransactionResolver(_logger, check.TransactionId);
            return;
        }

        try
        {
            var resolution = await _resolver(check, cancellationToken).ConfigureAwait(false);
            if (resolution == TransactionResolution.Unknown)
            {
                Log.TransactionCheckUnknown(_logger, check.TransactionId);
                return;
            }

            await _client.EndTransactionAsync(check.Topic, check.MessageId, check.TransactionId, ToProtobuf(resolution), TransactionSource.SourceServerCheck, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Whatever failed, nothing was decided: the broker checks the transaction again later.
            Log.TransactionCheckFailed(_logger, check.TransactionId, ex);
        }
    }

    private static Proto.TransactionResolution ToProtobuf(TransactionResolution resolution) => resolution switch
    {
        TransactionResolution.Commit => Proto.TransactionResolution.Commit,
        TransactionResolution.Rollback => Proto.TransactionResolution.Rollback,
        _ => throw new ArgumentOutOfRangeException(nameof(resolution), resolution, "Only Commit or Rollback ends a transaction."),
    };
}
