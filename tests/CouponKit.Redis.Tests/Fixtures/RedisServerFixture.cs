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
