using CouponKit.Ports;

namespace CouponKit.InMemory;

/// <summary>A token-bucket rate limiter in process memory, on an injected clock.</summary>
public sealed class InMemoryRateLimiter : IRateLimiter
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    /// <summary>Initializes a new instance of the <see cref="InMemoryRateLimiter"/> class.</summary>
    /// <param name="time">The clock.</param>
    public InMemoryRateLimiter(TimeProvider time)
    {
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <inheritdoc />
    public ValueTask<RateLimitDecision> TryAcquireAsync(string key, RateLimitPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.PermitLimit is < 1 or > 1_000_000 || policy.Window <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(policy), "A rate-limit policy needs 1 to 1,000,000 permits and a positive window.");
        }

        var now = _time.GetUtcNow();
        var refillPerTick = (double)policy.PermitLimit / policy.Window.Ticks;
        lock (_gate)
        {
            if (!_buckets.TryGetValue(key, out var bucket))
            {
                _buckets[key] = bucket = new Bucket { Tokens = policy.PermitLimit, At = now };
            }

            bucket.Tokens = Math.Min(policy.PermitLimit, bucket.Tokens + ((now - bucket.At).Ticks * refillPerTick));
            bucket.At = now;
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                return ValueTask.FromResult(RateLimitDecision.Allow);
            }

            var wait = TimeSpan.FromTicks((long)Math.Ceiling((1 - bucket.Tokens) / refillPerTick));
            return ValueTask.FromResult(new RateLimitDecision(false, wait));
        }
    }

    private sealed class Bucket
    {
        public double Tokens { get; set; }

        public DateTimeOffset At { get; set; }
    }
}
