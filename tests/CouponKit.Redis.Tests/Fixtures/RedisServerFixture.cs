using CouponKit.Redis.Internal;
using StackExchange.Redis;

namespace CouponKit.Redis.Tests.Fixtures;

/// <summary>One redis-server for the tests of the <see cref="RedisGroup"/>, with an admin connection to it.</summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private RedisServer? _server;
    private ConnectionMultiplexer? _multiplexer;

    public int Port => Server.Port;

    public string Configuration => Server.Configuration;

    public IConnectionMultiplexer Multiplexer => _multiplexer ?? throw new InvalidOperationException("The fixture has not started.");

    internal RedisServer Server => _server ?? throw new InvalidOperationException("The fixture has not started.");

    /// <summary>A fresh key prefix, so that tests sharing the server never see each other's keys.</summary>
    public static string NewPrefix() => "ck" + Guid.NewGuid().ToString("N")[..12];

    internal RedisConnection Connection(string? prefix = null) => new(Multiplexer, prefix ?? NewPrefix());

    /// <summary>Starts a redis-server of the test's own, for outages (<see cref="RedisServer.Kill"/>, <see cref="RedisServer.RestartAsync"/>) that must not disturb the shared one.</summary>
    /// <returns>The server; dispose it.</returns>
    internal static Task<RedisServer> StartDedicatedAsync() => RedisServer.StartAsync();

    /// <summary>Kills the shared server (an outage for every connection to it); <paramref name="keepData"/> snapshots it first.</summary>
    /// <param name="keepData">Whether the data survives <see cref="RestartAsync"/>.</param>
    internal void Kill(bool keepData) => Server.Kill(keepData);

    /// <summary>Starts the shared server again on the same port.</summary>
    /// <returns>A task that completes when it answers PING.</returns>
    internal Task RestartAsync() => Server.RestartAsync();

    public async Task InitializeAsync()
    {
        _server = await RedisServer.StartAsync();
        _multiplexer = await ConnectionMultiplexer.ConnectAsync(_server.Configuration);
    }

    public async Task DisposeAsync()
    {
        if (_multiplexer is not null)
        {
            await _multiplexer.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>The tests that share one redis-server.</summary>
[CollectionDefinition(Name)]
public sealed class RedisGroup : ICollectionFixture<RedisServerFixture>
{
    public const string Name = "redis";
}
