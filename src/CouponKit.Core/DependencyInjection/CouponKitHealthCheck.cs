using CouponKit.Ports;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CouponKit.DependencyInjection;

/// <summary>Reports Degraded while messages sit in the dead letters (they need a look and a replay), Healthy otherwise.</summary>
internal sealed class CouponKitHealthCheck(IDeadLetterStore deadLetters) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var letters = await deadLetters.ListAsync(1, cancellationToken).ConfigureAwait(false);
        return letters.Count == 0
            ? HealthCheckResult.Healthy("No dead letters.")
            : HealthCheckResult.Degraded($"Dead letters are waiting (oldest: {letters[0].Message.Topic}/{letters[0].Message.Tag} in group {letters[0].ConsumerGroup}).");
    }
}
