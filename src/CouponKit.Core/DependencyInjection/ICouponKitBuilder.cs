using Microsoft.Extensions.DependencyInjection;

namespace CouponKit.DependencyInjection;

/// <summary>
/// Returned by <c>services.AddCouponKit()</c>; adapters chain on it (<c>.UseEntityFrameworkCore&lt;TContext&gt;()</c>,
/// <c>.UseRedis(...)</c>, <c>.UseRocketMQ(...)</c>) and replace the in-memory defaults of the ports they implement.
/// </summary>
public interface ICouponKitBuilder
{
    /// <summary>Gets the service collection.</summary>
    IServiceCollection Services { get; }
}

/// <summary>The builder returned by <c>AddCouponKit</c>.</summary>
internal sealed class CouponKitBuilder(IServiceCollection services) : ICouponKitBuilder
{
    public IServiceCollection Services { get; } = services;
}
