using CouponKit.Ports;
using CouponKit.Redis.Internal;
using StackExchange.Redis;

namespace CouponKit.Redis;

/// <summary>
/// A token-bucket rate limiter in Redis, shared by every application instance: one hash per key
/// (<c>{prefix}:ratelimit:{key}</c>, for example <c>claim:user:42</c>, <c>claim:ip:1.2.3.4</c>), updated by one Lua script.
/// The time is the injected <see cref="TimeProvider"/>'s, passed to the script (so tests use a fake clock); instances must keep
/// their clocks in sync (NTP). A clock behind the bucket's last update refills nothing. A key lives one window after its last
/// use: by then its bucket would be full again, so expiry changes nothing. Redis failures throw
/// <see cref="CouponKitRedisException"/> (fail closed: no permit without Redis).
/// </summary>
internal sealed class RedisRateLimiter : IRateLimiter
{
    private readonly RedisConnection _connection;
    private readonly RedisScript _bucket;
    private readonly TimeProvider _time;

    public RedisRateLimiter(RedisConnection connection, TimeProvider time)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _bucket = new RedisScript(connection, "token-bucket");
    }

    public async ValueTask<RateLimitDecision> TryAcquireAsync(string key, RateLimitPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.PermitLimit is < 1 or > 1_000_000 || policy.Window <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(policy), "A rate-limit policy needs 1 to 1,000,000 permits and a positive window.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var nowMicros = (_time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TicksPerMicrosecond;
        var windowMicros = Math.Max(1, policy.Window.Ticks / TicksPerMicrosecond);
        var ttlMillis = Math.Max(1, (long)Math.Ceiling(policy.Window.TotalMilliseconds));
        var result = await _bucket.EvaluateAsync(
            "rate-limit",
            [RedisKeys.RateLimit(_connection.KeyPrefix, key)],
            [nowMicros, policy.PermitLimit, windowMicros, ttlMillis]).ConfigureAwait(false);
        var parts = (RedisResult[]?)result;
        if (parts is not { Length: 2 })
        {
            throw new CouponKitRedisException("rate-limit", "The token-bucket script returned an unexpected reply.");
        }

        return (long)parts[0] == 1
            ? RateLimitDecision.Allow
            : new RateLimitDecision(false, TimeSpan.FromTicks((long)parts[1] * TicksPerMicrosecond));
    }

    private const long TicksPerMicrosecond = 10;
}
