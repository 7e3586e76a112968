using System.Diagnostics.Metrics;
using CouponKit.Telemetry;

namespace CouponKit.Redis.Telemetry;

/// <summary>The Redis adapter's instruments, on the <c>CouponKit</c> meter.</summary>
internal sealed class RedisMetrics
{
    private readonly Counter<long> _drift;
    private readonly Counter<long> _fallbacks;

    private RedisMetrics(Meter meter)
    {
        _drift = meter.CreateCounter<long>("couponkit.redis.reconcile.drift", "{difference}", "Differences between the claim gate in Redis and the database found (and repaired) by reconciliation, by kind.");
        _fallbacks = meter.CreateCounter<long>("couponkit.redis.fallbacks", "{claim}", "Claims sent to the database because Redis failed (FallbackToDatabase).");
    }

    public static RedisMetrics Shared { get; } = new(new Meter(CouponKitDiagnostics.Name));

    public void Drift(string kind) => _drift.Add(1, new KeyValuePair<string, object?>("couponkit.redis.drift.kind", kind));

    public void Fallback() => _fallbacks.Add(1);
}
