using CouponKit.DependencyInjection;
using CouponKit.Issuance;
using CouponKit.Ports;
using CouponKit.RocketMQ;
using CouponKit.RocketMQ.Bus;
using CouponKit.RocketMQ.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Chains the RocketMQ adapter on CouponKit's builder, and adds its health check.</summary>
public static class RocketMQCouponKitBuilderExtensions
{
    /// <summary>
    /// Uses RocketMQ 5 as CouponKit's message bus: replaces the in-memory <see cref="IMessageBus"/>, registers
    /// <see cref="ITransactionalMessageBus"/>, validates <see cref="RocketMQOptions"/> at start-up and starts the producer with
    /// the host. For transactional sends, register an <see cref="ITransactionCheckResolver"/> as well: it answers the broker's
    /// check-back of a half message whose local transaction threw or whose sender died (the EF Core adapter registers one).
    /// With <see cref="RocketMQOptions.TransactionalIssuedEvents"/>, <see cref="CouponClaims"/> and <see cref="PushIssuance"/>
    /// send each coupon's <c>Issued</c> event as a transactional message around the store's transaction instead of through the
    /// outbox. Calling it again only applies <paramref name="configure"/> again.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddCouponKit()</c>.</param>
    /// <param name="configure">Configures the options (at least <see cref="RocketMQOptions.Endpoints"/>).</param>
    /// <returns>The builder.</returns>
    public static ICouponKitBuilder UseRocketMQ(this ICouponKitBuilder builder, Action<RocketMQOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptions<RocketMQOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RocketMQOptions>, RocketMQOptionsValidator>());
        services.TryAddSingleton(sp => new RocketMQMessageBus(
            sp.GetRequiredService<IOptions<RocketMQOptions>>().Value,
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetService<ILoggerFactory>(),
            sp.GetService<IServiceScopeFactory>(),
            sp.GetService<IDeadLetterStore>()));
        services.Replace(ServiceDescriptor.Singleton<IMessageBus>(sp => sp.GetRequiredService<RocketMQMessageBus>()));
        services.Replace(ServiceDescriptor.Singleton<ITransactionalMessageBus>(sp => sp.GetRequiredService<RocketMQMessageBus>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RocketMQProducerHostedService>());

        // The issuing services get the coupon store through TransactionalIssuedCouponStore when TransactionalIssuedEvents is on;
        // decided when they are resolved, so that it wraps whichever store adapter is registered, in any order.
        services.Replace(ServiceDescriptor.Singleton(IssuingService<CouponClaims>));
        services.Replace(ServiceDescriptor.Singleton(IssuingService<PushIssuance>));
        return builder;
    }

    private static T IssuingService<T>(IServiceProvider services)
        where T : class
    {
        if (!services.GetRequiredService<IOptions<RocketMQOptions>>().Value.TransactionalIssuedEvents)
        {
            return ActivatorUtilities.CreateInstance<T>(services);
        }

        var logger = services.GetService<ILoggerFactory>()?.CreateLogger("CouponKit.RocketMQ") ?? NullLogger.Instance;
        var store = new TransactionalIssuedCouponStore(services.GetRequiredService<ICouponStore>(), services.GetRequiredService<ITransactionalMessageBus>(), logger);
        return ActivatorUtilities.CreateInstance<T>(services, store);
    }

    /// <summary>
    /// Adds the RocketMQ health check: Healthy when the proxy answers the route query of the <c>coupon</c> topic (endpoint,
    /// credentials and topic are good), <paramref name="failureStatus"/> otherwise. Needs <see cref="UseRocketMQ"/>.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The name of the check.</param>
    /// <param name="failureStatus">The status reported when the proxy does not answer; <see langword="null"/> for Unhealthy.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddCouponKitRocketMQ(this IHealthChecksBuilder builder, string name = "couponkit-rocketmq", HealthStatus? failureStatus = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddCheck<RocketMQHealthCheck>(name, failureStatus, ["couponkit", "rocketmq"]);
    }
}
