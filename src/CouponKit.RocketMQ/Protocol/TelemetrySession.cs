using CouponKit.RocketMQ.Protocol.V2;
using CouponKit.RocketMQ.Telemetry;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace CouponKit.RocketMQ.Protocol;

/// <summary>
/// The client's telemetry stream: announces the client <see cref="Settings"/> when opened, waits for the broker's
/// settings, then serves the broker's commands (RecoverOrphanedTransactionCommand). Opened again if it breaks.
/// </summary>
internal sealed class TelemetrySession : IAsyncDisposable
{
    private readonly MessagingClient _client;
    private readonly Func<Settings> _settings;
    private readonly Func<RecoverOrphanedTransactionCommand, CancellationToken, Task> _onRecover;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly TaskCompletionSource<Settings> _firstSettings = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _loop = Task.CompletedTask;

    public TelemetrySession(MessagingClient client, Func<Settings> settings, Func<RecoverOrphanedTransactionCommand, CancellationToken, Task> onRecover, ILogger logger)
    {
        _client = client;
        _settings = settings;
        _onRecover = onRecover;
        _logger = logger;
    }

    /// <summary>Gets the settings the broker answered with, once it has.</summary>
    public Settings? ServerSettings { get; private set; }

    /// <summary>Opens the stream and waits (up to the request timeout) for the broker's settings.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = RunAsync(_lifetime.Token);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_client.Options.RequestTimeout);
        try
        {
            await _firstSettings.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RocketMQException(RocketMQStatusCode.RequestTimeout, "RocketMQ: the broker did not answer the client settings on the telemetry stream in time.", isRetryable: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _lifetime.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        _lifetime.Dispose();
    }

    private async Task RunAsync(CancellationToken lifetime)
    {
        await Task.Yield();
        while (!lifetime.IsCancellationRequested)
        {
            try
            {
                using var call = _client.OpenTelemetry(lifetime);
                await call.RequestStream.WriteAsync(new TelemetryCommand { Settings = _settings() }, lifetime).ConfigureAwait(false);
                Log.TelemetrySessionOpened(_logger, _client.Signer.ClientId);
                while (await call.ResponseStream.MoveNext(lifetime).ConfigureAwait(false))
                {
                    var command = call.ResponseStream.Current;
                    if (command.CommandCase == TelemetryCommand.CommandOneofCase.None && command.Status is { } refused && !StatusCodes.IsOk(refused.Code))
                    {
                        // The broker refused the session (for example UNAUTHORIZED): fail the start with its code.
                        _firstSettings.TrySetException(StatusCodes.ToException("Telemetry", refused, requestId: null));
                        continue;
                    }

                    switch (command.CommandCase)
                    {
                        case TelemetryCommand.CommandOneofCase.Settings:
                            ServerSettings = command.Settings;
                            _firstSettings.TrySetResult(command.Settings);
                            break;
                        case TelemetryCommand.CommandOneofCase.RecoverOrphanedTransactionCommand:
                            // Served off the read loop so a slow resolver does not block the stream.
                            _ = Task.Run(() => _onRecover(command.RecoverOrphanedTransactionCommand, lifetime), lifetime);
                            break;
                        default:
                            break;
                    }
                }
            }
            catch (Exception ex) when (lifetime.IsCancellationRequested && ex is OperationCanceledException or RpcException)
            {
                return;
            }
            catch (Exception ex) when (!lifetime.IsCancellationRequested)
            {
                // Whatever broke the stream (transport, proxy restart), it is opened again after a short backoff.
                Log.TelemetrySessionFailed(_logger, ex);
                if (ex is RpcException { StatusCode: StatusCode.Unauthenticated } rpc)
                {
                    _firstSettings.TrySetException(new RocketMQException(RocketMQStatusCode.Unauthorized, "RocketMQ: the telemetry stream was refused: " + rpc.Status.Detail, innerException: rpc));
                }
            }

            if (!lifetime.IsCancellationRequested)
            {
                await Task.Delay(_client.Options.RequestRetryBackoff + TimeSpan.FromMilliseconds(1), _client.TimeProvider, lifetime).ConfigureAwait(false);
            }
        }
    }
}
