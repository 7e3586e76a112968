using CouponKit.Redis.Internal;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CouponKit.Redis.DependencyInjection;

/// <summary>Healthy while Redis answers PING; the registration's failure status otherwise.</summary>
internal sealed class RedisHealthCheck(RedisConnection connection) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            var latency = await connection.RunAsync("ping", db => db.PingAsync()).WaitAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"Redis answered PING in {latency.TotalMilliseconds:0.#} ms.");
        }
        catch (CouponKitRedisException ex)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "Redis did not answer PING; claims through the gate fail closed.", ex);
        }
    }
}
