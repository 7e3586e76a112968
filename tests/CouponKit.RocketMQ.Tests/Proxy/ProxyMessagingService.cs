using CouponKit.RocketMQ.Protocol;
using CouponKit.RocketMQ.Protocol.V2;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Status = CouponKit.RocketMQ.Protocol.V2.Status;

namespace CouponKit.RocketMQ.Tests.Proxy;

/// <summary>
/// <c>apache.rocketmq.v2.MessagingService</c> over the <see cref="ProxyBroker"/>. As a real RocketMQ 5 proxy,
/// refusals travel as the <see cref="Status"/> of the response (gRPC status OK), with the protocol's codes.
/// </summary>
internal sealed class ProxyMessagingService(ProxyBroker broker) : MessagingService.MessagingServiceBase
{
    public override Task<QueryRouteResponse> QueryRoute(QueryRouteRequest request, ServerCallContext context)
    {
        if (Refuse(context) is { } refused)
        {
            return Task.FromResult(new QueryRouteResponse { Status = refused });
        }

        var status = broker.QueryRoute(request.Topic ?? new Resource(), request.Endpoints, out var queues);
        var response = new QueryRouteResponse { Status = status };
        response.MessageQueues.AddRange(queues);
        return Task.FromResult(response);
    }

    public override Task<QueryAssignmentResponse> QueryAssignment(QueryAssignmentRequest request, ServerCallContext context)
    {
        if (Refuse(context) is { } refused)
        {
            return Task.FromResult(new QueryAssignmentResponse { Status = refused });
        }

        var status = broker.QueryAssignment(request.Topic ?? new Resource(), request.Group ?? new Resource(), out var assignments);
        var response = new QueryAssignmentResponse { Status = status };
        response.Assignments.AddRange(assignments);
        return Task.FromResult(response);
    }

    public override Task<HeartbeatResponse> Heartbeat(HeartbeatRequest request, ServerCallContext context)
        => Task.FromResult(new HeartbeatResponse { Status = Refuse(context) ?? broker.Heartbeat(request) });

    public override Task<SendMessageResponse> SendMessage(SendMessageRequest request, ServerCallContext context)
    {
        if (Refuse(context) is { } refused)
        {
            return Task.FromResult(new SendMessageResponse { Status = refused });
        }

        if (request.Messages.Count == 0)
        {
            return Task.FromResult(new SendMessageResponse { Status = ProxyBroker.Fail(Code.BadRequest, "no message") });
        }

        var response = new SendMessageResponse();
        foreach (var message in request.Messages)
        {
            response.Entries.Add(broker.Send(message));
        }

        // As the real proxy: one entry's status is the response's status; mixed results are MULTIPLE_RESULTS.
        var codes = response.Entries.Select(e => e.Status.Code).Distinct().ToList();
        response.Status = codes.Count == 1 ? response.Entries[0].Status.Clone() : ProxyBroker.Fail(Code.MultipleResults, "multiple results");
        return Task.FromResult(response);
    }

    public override async Task ReceiveMessage(ReceiveMessageRequest request, IServerStreamWriter<ReceiveMessageResponse> responseStream, ServerCallContext context)
    {
        if (Refuse(context) is { } refused)
        {
            await responseStream.WriteAsync(new ReceiveMessageResponse { Status = refused }).ConfigureAwait(false);
            return;
        }

        await responseStream.WriteAsync(new ReceiveMessageResponse { DeliveryTimestamp = Timestamp.FromDateTimeOffset(broker.Time.GetUtcNow()) }).ConfigureAwait(false);
        var (status, messages) = await broker.ReceiveAsync(request, context.CancellationToken).ConfigureAwait(false);
        await responseStream.WriteAsync(new ReceiveMessageResponse { Status = status }).ConfigureAwait(false);
        foreach (var message in messages)
        {
            await responseStream.WriteAsync(new ReceiveMessageResponse { Message = message }).ConfigureAwait(false);
        }
    }

    public override Task<AckMessageResponse> AckMessage(AckMessageRequest request, ServerCallContext context)
    {
        if (Refuse(context) is { } refused)
        {
            return Task.FromResult(new AckMessageResponse { Status = refused });
        }

        var response = new AckMessageResponse();
        foreach (var entry in request.Entries)
        {
            var status = broker.Ack(request.Group ?? new Resource(), request.Topic ?? new Resource(), entry);
            response.Entries.Add(new AckMessageResultEntry { MessageId = entry.MessageId, ReceiptHandle = entry.ReceiptHandle, Status = status });
        }

        var codes = response.Entries.Select(e => e.Status.Code).Distinct().ToList();
        response.Status = codes.Count == 1 ? response.Entries[0].Status.Clone() : ProxyBroker.Fail(Code.MultipleResults, "multiple results");
        return Task.FromResult(response);
    }

    public override Task<ChangeInvisibleDurationResponse> ChangeInvisibleDuration(ChangeInvisibleDurationRequest request, ServerCallContext context)
    {
        if (Refuse(context) is { } refused)
        {
            return Task.FromResult(new ChangeInvisibleDurationResponse { Status = refused });
        }

        var status = broker.ChangeInvisibleDuration(request, out var handle);
        return Task.FromResult(new ChangeInvisibleDurationResponse { Status = status, ReceiptHandle = handle });
    }

    public override Task<ForwardMessageToDeadLetterQueueResponse> ForwardMessageToDeadLetterQueue(ForwardMessageToDeadLetterQueueRequest request, ServerCallContext context)
        => Task.FromResult(new ForwardMessageToDeadLetterQueueResponse { Status = Refuse(context) ?? broker.ForwardToDeadLetterQueue(request) });

    public override Task<EndTransactionResponse> EndTransaction(EndTransactionRequest request, ServerCallContext context)
        => Task.FromResult(new EndTransactionResponse { Status = Refuse(context) ?? broker.EndTransaction(request) });

    public override Task<NotifyClientTerminationResponse> NotifyClientTermination(NotifyClientTerminationRequest request, ServerCallContext context)
        => Task.FromResult(new NotifyClientTerminationResponse { Status = Refuse(context) ?? new Status { Code = Code.Ok, Message = "OK" } });

    public override async Task Telemetry(IAsyncStreamReader<TelemetryCommand> requestStream, IServerStreamWriter<TelemetryCommand> responseStream, ServerCallContext context)
    {
        if (Refuse(context) is { } refused)
        {
            await responseStream.WriteAsync(new TelemetryCommand { Status = refused }).ConfigureAwait(false);
            return;
        }

        var clientId = context.RequestHeaders.GetValue(ProtocolConstants.ClientIdKey)!;
        TelemetryPeer? peer = null;
        using var stream = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        broker.TrackTelemetryStream(stream);
        try
        {
            while (await requestStream.MoveNext(stream.Token).ConfigureAwait(false))
            {
                var command = requestStream.Current;
                if (command.CommandCase != TelemetryCommand.CommandOneofCase.Settings)
                {
                    continue;
                }

                var settings = command.Settings;
                if (!settings.HasClientType || settings.ClientType == ClientType.Unspecified)
                {
                    await responseStream.WriteAsync(new TelemetryCommand { Status = ProxyBroker.Fail(Code.UnrecognizedClientType, "client type is not set") }).ConfigureAwait(false);
                    continue;
                }

                if (peer is not null)
                {
                    broker.Unregister(peer);
                }

                peer = new TelemetryPeer(clientId, settings, responseStream);
                broker.Register(peer);

                // The broker answers with the effective settings (here: the client's, plus a backoff policy for consumers).
                var answer = settings.Clone();
                if (settings.ClientType == ClientType.SimpleConsumer)
                {
                    answer.BackoffPolicy = new RetryPolicy
                    {
                        MaxAttempts = 16,
                        ExponentialBackoff = new ExponentialBackoff { Initial = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)), Max = Duration.FromTimeSpan(TimeSpan.FromMinutes(10)), Multiplier = 2 },
                    };
                }

                await peer.SendAsync(new TelemetryCommand { Status = new Status { Code = Code.Ok, Message = "OK" }, Settings = answer }).ConfigureAwait(false);
            }
        }
        catch (IOException)
        {
            // The client went away.
        }
        catch (OperationCanceledException)
        {
            // The client went away.
        }
        finally
        {
            broker.UntrackTelemetryStream(stream);
            if (peer is not null)
            {
                broker.Unregister(peer);
            }
        }
    }

    private Status? Refuse(ServerCallContext context) => ProxyAuthenticator.Check(context, broker.Options);
}
