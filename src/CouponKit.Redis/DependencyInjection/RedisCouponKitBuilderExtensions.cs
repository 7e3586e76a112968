using CouponKit.Caching;
using CouponKit.DependencyInjection;
using CouponKit.Issuance.Gated;
using CouponKit.Ports;
using CouponKit.Redis;
using CouponKit.Redis.Caching;
using CouponKit.Redis.Gated;
using CouponKit.Redis.DependencyInjection;
using CouponKit.Redis.Internal;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Puts CouponKit's claim gate and rate limiter on Redis.</summary>
public static class RedisCouponKitBuilderExtensions
{
    /// <summary>
    /// Uses Redis for the claim gate (<see cref="IClaimGate"/>, added: claims go through it), the rate limiter
    /// (<see cref="IRateLimiter"/>, replaced), the template cache (<see cref="ITemplateCache"/>, replaced: the
    /// <see cref="TemplateCacheConsumer"/> keeps it current) and the pending claims of the gated flow
    /// (<see cref="IPendingClaimStore"/>, replaced); adds the <see cref="RedisGateReconciler"/> (warm-up and reconciliation). Registers a lazily connected <see cref="IConnectionMultiplexer"/> singleton from
    /// <see cref="RedisCouponKitOptions.Configuration"/> or <see cref="RedisCouponKitOptions.ConnectionMultiplexerFactory"/>
    /// unless one is already registered, which is then used. Options are validated at start-up.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddCouponKit</c>.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>The builder.</returns>
    public static ICouponKitBuilder UseRedis(this ICouponKitBuilder builder, Action<RedisCouponKitOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        var options = services.AddOptions<RedisCouponKitOptions>().Configure(configure);
        if (services.Any(d => d.ServiceType == typeof(IConnectionMultiplexer)))
        {
            // The application's own connection is used; nothing more to configure.
            options.PostConfigure(o => o.ConnectionMultiplexerFactory ??= sp => sp.GetRequiredService<IConnectionMultiplexer>());
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisCouponKitOptions>, RedisCouponKitOptionsValidator>());
        services.TryAddSingleton<IConnectionMultiplexer>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<RedisCouponKitOptions>>().Value;
            return o.ConnectionMultiplexerFactory is { } factory ? factory(sp) : ConnectionMultiplexer.Connect(o.Configuration!);
        });
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<RedisCouponKitOptions>>().Value;
            var logger = sp.GetService<ILoggerFactory>()?.CreateLogger("CouponKit.Redis");
            return new RedisConnection(() => sp.GetRequiredService<IConnectionMultiplexer>(), o.KeyPrefix, o.Database, logger);
        });
        services.Replace(ServiceDescriptor.Singleton<IRateLimiter, RedisRateLimiter>());
        services.Replace(ServiceDescriptor.Singleton<IClaimGate, RedisClaimGate>());
        services.Replace(ServiceDescriptor.Singleton<ITemplateCache, RedisTemplateCache>());
        services.Replace(ServiceDescriptor.Singleton<IPendingClaimStore, RedisPendingClaimStore>());
        services.TryAddSingleton(sp => new RedisGateReconciler(
            sp.GetRequiredService<RedisConnection>(),
            sp.GetRequiredService<ITemplateStore>(),
            sp.GetRequiredService<ICouponStore>(),
            sp.GetRequiredService<IClaimHolderSource>(),
            sp.GetRequiredService<IPendingClaimStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<RedisCouponKitOptions>>()));
        return builder;
    }

    /// <summary>Adds a health check that PINGs CouponKit's Redis: Healthy when it answers, <paramref name="failureStatus"/> otherwise.</summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The name of the check.</param>
    /// <param name="failureStatus">The status reported when Redis does not answer.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddCouponKitRedis(this IHealthChecksBuilder builder, string name = "couponkit-redis", HealthStatus failureStatus = HealthStatus.Unhealthy)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddCheck<RedisHealthCheck>(name, failureStatus, ["couponkit"]);
    }
}
