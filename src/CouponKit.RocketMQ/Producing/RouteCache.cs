using System.Collections.Concurrent;
using CouponKit.RocketMQ.Protocol;
using CouponKit.RocketMQ.Protocol.V2;
using CouponKit.RocketMQ.Telemetry;
using Microsoft.Extensions.Logging;

namespace CouponKit.RocketMQ.Producing;

/// <summary>Topic routes (QueryRoute), kept for <see cref="RocketMQOptions.RouteRefreshInterval"/>; a stale route is used while a refresh fails transiently.</summary>
internal sealed class RouteCache
{
    private readonly MessagingClient _client;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Entry> _routes = new(StringComparer.Ordinal);

    public RouteCache(MessagingClient client, ILogger logger)
    {
        _client = client;
        _logger = logger;
    }

    public async ValueTask<IReadOnlyList<MessageQueue>> GetAsync(string topic, CancellationToken cancellationToken)
    {
        var now = _client.TimeProvider.GetUtcNow();
        var cached = _routes.TryGetValue(topic, out var entry) ? entry : null;
        if (cached is not null && now - cached.FetchedAt < _client.Options.RouteRefreshInterval)
        {
            return cached.Queues;
        }

        QueryRouteResponse response;
        try
        {
            response = await _client.QueryRouteAsync(topic, cancellationToken).ConfigureAwait(false);
        }
        catch (RocketMQException ex) when (cached is not null && ex.IsRetryable)
        {
            Log.RouteRefreshFailed(_logger, topic, ex);
            return cached.Queues;
        }

        var queues = response.MessageQueues.ToList();
        _routes[topic] = new Entry(queues, now);
        Log.RouteRefreshed(_logger, topic, queues.Count);
        return queues;
    }

    public void Invalidate(string topic) => _routes.TryRemove(topic, out _);

    private sealed record Entry(IReadOnlyList<MessageQueue> Queues, DateTimeOffset FetchedAt);
}
