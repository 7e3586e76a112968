using CouponKit.RocketMQ.Protocol.V2;
using CouponKit.RocketMQ.Telemetry;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.Logging;
using Status = CouponKit.RocketMQ.Protocol.V2.Status;

namespace CouponKit.RocketMQ.Protocol;

/// <summary>
/// The generated <c>apache.rocketmq.v2.MessagingService</c> client plus what every call needs: the signed metadata,
/// a timeout, retries with exponential backoff on retryable codes, and the mapping of non-OK statuses to
/// <see cref="RocketMQException"/>.
/// </summary>
internal sealed class MessagingClient : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly MessagingService.MessagingServiceClient _client;
    private readonly ILogger _logger;

    public MessagingClient(RocketMQOptions options, TimeProvider timeProvider, ILogger logger, HttpMessageHandler? httpHandler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        RocketMQOptionsValidator.ThrowIfInvalid(options);

        Options = options;
        TimeProvider = timeProvider;
        _logger = logger;
        Endpoints = EndpointList.Parse(options.Endpoints);
        Signer = new RequestSigner(options, RequestSigner.NewClientId(), timeProvider);
        _channel = CreateChannel(Endpoints, options.UseTls, httpHandler);
        _client = new MessagingService.MessagingServiceClient(_channel);
    }

    public RocketMQOptions Options { get; }

    public TimeProvider TimeProvider { get; }

    public EndpointList Endpoints { get; }

    public RequestSigner Signer { get; }

    public Resource Resource(string name) => new() { ResourceNamespace = Options.Namespace ?? string.Empty, Name = name };

    public Task<QueryRouteResponse> QueryRouteAsync(string topic, CancellationToken cancellationToken)
    {
        var request = new QueryRouteRequest { Topic = Resource(topic), Endpoints = Endpoints.ToProtobuf() };
        return CallAsync("QueryRoute", o => _client.QueryRouteAsync(request, o), r => r.Status, retry: true, cancellationToken);
    }

    public Task<QueryAssignmentResponse> QueryAssignmentAsync(string topic, string group, CancellationToken cancellationToken)
    {
        var request = new QueryAssignmentRequest { Topic = Resource(topic), Group = Resource(group), Endpoints = Endpoints.ToProtobuf() };
        return CallAsync("QueryAssignment", o => _client.QueryAssignmentAsync(request, o), r => r.Status, retry: true, cancellationToken);
    }

    public Task<HeartbeatResponse> HeartbeatAsync(ClientType clientType, string? group, CancellationToken cancellationToken)
    {
        var request = new HeartbeatRequest { ClientType = clientType };
        if (group is not null)
        {
            request.Group = Resource(group);
        }

        return CallAsync("Heartbeat", o => _client.HeartbeatAsync(request, o), r => r.Status, retry: false, cancellationToken);
    }

    /// <summary>Sends one message; retried on retryable codes (the message id stays the same, so the broker can de-duplicate).</summary>
    public async Task<SendResultEntry> SendAsync(Message message, CancellationToken cancellationToken)
    {
        var request = new SendMessageRequest { Messages = { message } };
        var response = await CallAsync(
            "SendMessage",
            o => _client.SendMessageAsync(request, o),
            r => !StatusCodes.IsOk(r.Status?.Code ?? Code.Unspecified) ? r.Status
                : r.Entries.Count > 0 ? r.Entries[0].Status
                : new Status { Code = Code.InternalServerError, Message = "the response has no send result" },
            retry: true,
            cancellationToken).ConfigureAwait(false);
        return response.Entries[0];
    }

    /// <summary>One long-polling receive; an empty list when no message arrived in time (<c>MESSAGE_NOT_FOUND</c>).</summary>
    public async Task<IReadOnlyList<Message>> ReceiveAsync(ReceiveMessageRequest request, CancellationToken cancellationToken)
    {
        var headers = Signer.CreateHeaders();
        var requestId = headers.GetValue(ProtocolConstants.RequestIdKey);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.RequestTimeout + (request.LongPollingTimeout?.ToTimeSpan() ?? TimeSpan.Zero));

        Status? status = null;
        var messages = new List<Message>();
        try
        {
            using var call = _client.ReceiveMessage(request, new CallOptions(headers, cancellationToken: timeout.Token));
            while (await call.ResponseStream.MoveNext(timeout.Token).ConfigureAwait(false))
            {
                var item = call.ResponseStream.Current;
                switch (item.ContentCase)
                {
                    case ReceiveMessageResponse.ContentOneofCase.Status:
                        status = item.Status;
                        break;
                    case ReceiveMessageResponse.ContentOneofCase.Message:
                        messages.Add(item.Message);
                        break;
                    default:
                        break;
                }
            }
        }
        catch (RpcException ex) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("RocketMQ ReceiveMessage was canceled.", ex, cancellationToken);
        }
        catch (RpcException ex)
        {
            throw FromRpcException("ReceiveMessage", ex, requestId, timeout.IsCancellationRequested);
        }

        if (status is null)
        {
            throw StatusCodes.ToException("ReceiveMessage", new Status { Code = Code.InternalServerError, Message = "status was not set by the server" }, requestId);
        }

        if (status.Code == Code.MessageNotFound || StatusCodes.IsOk(status.Code))
        {
            return messages;
        }

        throw StatusCodes.ToException("ReceiveMessage", status, requestId);
    }

    public Task<AckMessageResponse> AckAsync(string group, string topic, string messageId, string receiptHandle, CancellationToken cancellationToken)
    {
        var request = new AckMessageRequest
        {
            Group = Resource(group),
            Topic = Resource(topic),
            Entries = { new AckMessageEntry { MessageId = messageId, ReceiptHandle = receiptHandle } },
        };
        return CallAsync(
            "AckMessage",
            o => _client.AckMessageAsync(request, o),
            r => StatusCodes.IsOk(r.Status?.Code ?? Code.Unspecified) && r.Entries.Count > 0 ? r.Entries[0].Status : r.Status,
            retry: true,
            cancellationToken);
    }

    /// <summary>Changes the invisible duration of a received message; returns the new receipt handle.</summary>
    public async Task<string> ChangeInvisibleDurationAsync(string group, string topic, string messageId, string receiptHandle, TimeSpan invisibleDuration, CancellationToken cancellationToken)
    {
        var request = new ChangeInvisibleDurationRequest
        {
            Group = Resource(group),
            Topic = Resource(topic),
            MessageId = messageId,
            ReceiptHandle = receiptHandle,
            InvisibleDuration = Duration.FromTimeSpan(invisibleDuration),
        };
        var response = await CallAsync("ChangeInvisibleDuration", o => _client.ChangeInvisibleDurationAsync(request, o), r => r.Status, retry: true, cancellationToken).ConfigureAwait(false);
        return response.ReceiptHandle;
    }

    public Task<ForwardMessageToDeadLetterQueueResponse> ForwardToDeadLetterQueueAsync(string group, string topic, string messageId, string receiptHandle, int deliveryAttempt, int maxDeliveryAttempts, CancellationToken cancellationToken)
    {
        var request = new ForwardMessageToDeadLetterQueueRequest
        {
            Group = Resource(group),
            Topic = Resource(topic),
            MessageId = messageId,
            ReceiptHandle = receiptHandle,
            DeliveryAttempt = deliveryAttempt,
            MaxDeliveryAttempts = maxDeliveryAttempts,
        };
        return CallAsync("ForwardMessageToDeadLetterQueue", o => _client.ForwardMessageToDeadLetterQueueAsync(request, o), r => r.Status, retry: true, cancellationToken);
    }

    public Task<EndTransactionResponse> EndTransactionAsync(string topic, string messageId, string transactionId, V2.TransactionResolution resolution, TransactionSource source, CancellationToken cancellationToken)
    {
        var request = new EndTransactionRequest
        {
            Topic = Resource(topic),
            MessageId = messageId,
            TransactionId = transactionId,
            Resolution = resolution,
            Source = source,
        };
        return CallAsync("EndTransaction", o => _client.EndTransactionAsync(request, o), r => r.Status, retry: true, cancellationToken);
    }

    public Task<NotifyClientTerminationResponse> NotifyClientTerminationAsync(string? group, CancellationToken cancellationToken)
    {
        var request = new NotifyClientTerminationRequest();
        if (group is not null)
        {
            request.Group = Resource(group);
        }

        return CallAsync("NotifyClientTermination", o => _client.NotifyClientTerminationAsync(request, o), r => r.Status, retry: false, cancellationToken);
    }

    /// <summary>Opens the bidirectional telemetry stream (no timeout: it lives as long as the client).</summary>
    public AsyncDuplexStreamingCall<TelemetryCommand, TelemetryCommand> OpenTelemetry(CancellationToken cancellationToken)
        => _client.Telemetry(new CallOptions(Signer.CreateHeaders(), cancellationToken: cancellationToken));

    public void Dispose() => _channel.Dispose();

    private async Task<TResponse> CallAsync<TResponse>(
        string operation,
        Func<CallOptions, AsyncUnaryCall<TResponse>> invoke,
        Func<TResponse, Status?> statusOf,
        bool retry,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var headers = Signer.CreateHeaders();
            var requestId = headers.GetValue(ProtocolConstants.RequestIdKey);
            RocketMQException failure;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(Options.RequestTimeout);
                try
                {
                    var response = await invoke(new CallOptions(headers, cancellationToken: timeout.Token)).ConfigureAwait(false);
                    var status = statusOf(response);
                    if (status is not null && StatusCodes.IsOk(status.Code))
                    {
                        return response;
                    }

                    failure = StatusCodes.ToException(operation, status ?? new Status { Code = Code.InternalServerError, Message = "status was not set by the server" }, requestId);
                }
                catch (RpcException ex) when (cancellationToken.IsCancellationRequested)
                {
                    throw new OperationCanceledException($"RocketMQ {operation} was canceled.", ex, cancellationToken);
                }
                catch (RpcException ex)
                {
                    failure = FromRpcException(operation, ex, requestId, timeout.IsCancellationRequested);
                }
            }

            if (!retry || !failure.IsRetryable || attempt >= Options.MaxRequestAttempts)
            {
                throw failure;
            }

            var delay = Backoff(Options.RequestRetryBackoff, attempt, TimeSpan.FromSeconds(10));
            Log.RequestRetrying(_logger, operation, failure.Code, attempt, delay);
            await Task.Delay(delay, TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One access point: a plain channel. Several IP access points: one channel balancing round robin over them
    /// (a static resolver), so that a proxy that is down is skipped, as the official clients' <c>ipv4:a,b</c> targets do.
    /// </summary>
    private static GrpcChannel CreateChannel(EndpointList endpoints, bool useTls, HttpMessageHandler? httpHandler)
    {
        var options = new GrpcChannelOptions
        {
            HttpHandler = httpHandler ?? new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
            DisposeHttpClient = true,
        };
        if (endpoints.Addresses.Count == 1)
        {
            return GrpcChannel.ForAddress(endpoints.ToUri(useTls), options);
        }

        var addresses = endpoints.Addresses.Select(a => new BalancerAddress(a.Host, a.Port)).ToArray();
        options.ServiceProvider = new ResolverServiceProvider(new StaticResolverFactory(_ => addresses));
        options.ServiceConfig = new ServiceConfig { LoadBalancingConfigs = { new RoundRobinConfig() } };
        options.Credentials = useTls ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure;
        return GrpcChannel.ForAddress("static:///rocketmq-proxy", options);
    }

    /// <summary><paramref name="initial"/> doubled per attempt after the first, capped at <paramref name="max"/>.</summary>
    public static TimeSpan Backoff(TimeSpan initial, int attempt, TimeSpan max)
    {
        var factor = Math.Pow(2, Math.Clamp(attempt - 1, 0, 30));
        var ticks = Math.Min(initial.Ticks * factor, max.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    private static RocketMQException FromRpcException(string operation, RpcException ex, string? requestId, bool timedOut)
    {
        var (code, retryable) = timedOut
            ? (RocketMQStatusCode.RequestTimeout, true)
            : ex.StatusCode switch
            {
                StatusCode.Unauthenticated => (RocketMQStatusCode.Unauthorized, false),
                StatusCode.PermissionDenied => (RocketMQStatusCode.Forbidden, false),
                StatusCode.NotFound => (RocketMQStatusCode.NotFound, false),
                StatusCode.DeadlineExceeded => (RocketMQStatusCode.RequestTimeout, true),
                StatusCode.ResourceExhausted => (RocketMQStatusCode.TooManyRequests, true),
                StatusCode.Unavailable => (RocketMQStatusCode.Unspecified, true),
                _ => (RocketMQStatusCode.Unspecified, false),
            };
        return new RocketMQException(code, $"RocketMQ {operation} failed at the transport: {ex.StatusCode} {ex.Status.Detail}", requestId, retryable, ex);
    }

    /// <summary>Gives the channel its resolver without a dependency-injection container.</summary>
    private sealed class ResolverServiceProvider(ResolverFactory factory) : IServiceProvider
    {
        public object? GetService(System.Type serviceType)
        {
            if (serviceType == typeof(IEnumerable<ResolverFactory>))
            {
                return new[] { factory };
            }

            return serviceType == typeof(ResolverFactory) ? factory : null;
        }
    }
}
