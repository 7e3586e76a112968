using CouponKit.RocketMQ.Protocol.V2;
using Grpc.Core;

namespace CouponKit.RocketMQ.Tests.Proxy;

/// <summary>One client's open telemetry stream, with the settings it announced.</summary>
internal sealed class TelemetryPeer
{
    private readonly IServerStreamWriter<TelemetryCommand> _writer;
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    public TelemetryPeer(string clientId, Settings settings, IServerStreamWriter<TelemetryCommand> writer)
    {
        ClientId = clientId;
        Settings = settings;
        _writer = writer;
    }

    public string ClientId { get; }

    public Settings Settings { get; }

    public bool Publishes(string topic)
        => Settings.ClientType == ClientType.Producer && Settings.Publishing is { } publishing && publishing.Topics.Any(t => t.Name == topic);

    public async Task SendAsync(TelemetryCommand command)
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await _writer.WriteAsync(command).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // The stream already ended: the broker checks again later.
        }
        finally
        {
            _writeLock.Release();
        }
    }
}
