using CouponKit.RocketMQ.Bus;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CouponKit.RocketMQ.DependencyInjection;

/// <summary>Healthy when the proxy answers the route query of the <c>coupon</c> topic; Unhealthy (or the registered failure status) otherwise.</summary>
internal sealed class RocketMQHealthCheck(RocketMQMessageBus bus) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            await bus.CheckHealthAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy("RocketMQ proxy answered the route query.");
        }
        catch (RocketMQException ex)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"RocketMQ route query failed: {ex.Code}.", ex);
        }
    }
}
