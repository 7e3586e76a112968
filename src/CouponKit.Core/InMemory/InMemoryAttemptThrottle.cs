using CouponKit.Ports;

namespace CouponKit.InMemory;

/// <summary>Miss counting and exponential lock-out in process memory, on an injected clock; for tests, samples and single-process shops.</summary>
public sealed class InMemoryAttemptThrottle : IAttemptThrottle
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    /// <summary>Initializes a new instance of the <see cref="InMemoryAttemptThrottle"/> class.</summary>
    /// <param name="time">The clock.</param>
    public InMemoryAttemptThrottle(TimeProvider time)
    {
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <inheritdoc />
    public ValueTask<AttemptThrottleState> GetAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_gate)
        {
            return ValueTask.FromResult(_entries.TryGetValue(key, out var entry) ? new AttemptThrottleState(entry.Misses, entry.LockedUntil) : AttemptThrottleState.None);
        }
    }

    /// <inheritdoc />
    public ValueTask<AttemptThrottleState> RecordMissAsync(string key, LockoutPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        Check(policy);
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out var entry) || now - entry.LastMiss >= policy.ForgetAfter)
            {
                _entries[key] = entry = new Entry();
            }

            entry.Misses = checked(entry.Misses + 1);
            entry.LastMiss = now;
            if (entry.Misses >= policy.FreeMisses)
            {
                entry.LockedUntil = now + Lockout(policy, entry.Misses - policy.FreeMisses);
            }

            return ValueTask.FromResult(new AttemptThrottleState(entry.Misses, entry.LockedUntil));
        }
    }

    /// <summary>The lock-out after <paramref name="excess"/> misses beyond the free ones: base × 2^excess, capped, without overflow.</summary>
    internal static TimeSpan Lockout(LockoutPolicy policy, int excess)
    {
        var ticks = policy.BaseLockout.Ticks;
        for (var i = 0; i < excess && ticks < policy.MaxLockout.Ticks; i++)
        {
            ticks = ticks > long.MaxValue / 2 ? long.MaxValue : ticks * 2;
        }

        return TimeSpan.FromTicks(Math.Min(ticks, policy.MaxLockout.Ticks));
    }

    private static void Check(LockoutPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.FreeMisses is < 1 or > 1_000 || policy.BaseLockout <= TimeSpan.Zero || policy.MaxLockout < policy.BaseLockout || policy.ForgetAfter <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(policy), "A lock-out policy needs 1 to 1,000 free misses, a positive base, a maximum not below it and a positive forget time.");
        }
    }

    private sealed class Entry
    {
        public int Misses { get; set; }

        public DateTimeOffset LastMiss { get; set; }

        public DateTimeOffset? LockedUntil { get; set; }
    }
}
