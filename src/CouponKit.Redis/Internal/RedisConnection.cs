using CouponKit.Redis.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace CouponKit.Redis.Internal;

/// <summary>
/// The adapter's handle on Redis: gets the connection lazily (a failed connect is retried on the next call, not cached) and
/// turns every failure of the Redis client into a <see cref="CouponKitRedisException"/>, so callers fail closed on one type.
/// </summary>
internal sealed class RedisConnection
{
    private readonly Func<IConnectionMultiplexer> _factory;
    private readonly int _database;
    private readonly object _lock = new();
    private IConnectionMultiplexer? _multiplexer;

    public RedisConnection(Func<IConnectionMultiplexer> factory, string keyPrefix, int database = -1, ILogger? logger = null)
    {
        _factory = factory ?? throw new ArgumentNullException(nameof(factory));
        KeyPrefix = keyPrefix ?? throw new ArgumentNullException(nameof(keyPrefix));
        _database = database;
        Logger = logger ?? NullLogger.Instance;
    }

    public RedisConnection(IConnectionMultiplexer multiplexer, string keyPrefix = RedisCouponKitOptions.DefaultKeyPrefix, int database = -1, ILogger? logger = null)
        : this(() => multiplexer, keyPrefix, database, logger)
    {
        ArgumentNullException.ThrowIfNull(multiplexer);
    }

    public string KeyPrefix { get; }

    public ILogger Logger { get; }

    public IConnectionMultiplexer Multiplexer
    {
        get
        {
            if (Volatile.Read(ref _multiplexer) is { } existing)
            {
                return existing;
            }

            lock (_lock)
            {
                if (_multiplexer is null)
                {
                    try
                    {
                        _multiplexer = _factory() ?? throw new InvalidOperationException("The connection factory returned null.");
                    }
                    catch (Exception ex) when (ex is not CouponKitRedisException)
                    {
                        Log.RedisFailed(Logger, ex, "connect");
                        throw new CouponKitRedisException("connect", "Could not connect to Redis: " + ex.Message, ex);
                    }
                }

                return _multiplexer;
            }
        }
    }

    public IDatabase Database => Multiplexer.GetDatabase(_database);

    /// <summary>Runs a Redis call, turning client failures into <see cref="CouponKitRedisException"/>.</summary>
    public async Task<T> RunAsync<T>(string operation, Func<IDatabase, Task<T>> call)
    {
        try
        {
            return await call(Database).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            Log.RedisFailed(Logger, ex, operation);
            throw new CouponKitRedisException(operation, $"Redis failed during {operation}: {ex.Message}", ex);
        }
    }

    public static bool IsRedisFailure(Exception ex) =>
        ex is RedisException or RedisTimeoutException or RedisCommandException or TimeoutException or ObjectDisposedException;
}
