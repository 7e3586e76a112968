using CouponKit;
using CouponKit.DependencyInjection;
using CouponKit.InMemory;
using CouponKit.Issuance;
using CouponKit.Ports;
using CouponKit.Redemption;
using CouponKit.Rules;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers CouponKit in a service collection.</summary>
public static class CouponKitServiceCollectionExtensions
{
    /// <summary>
    /// Adds CouponKit: the rule engine, the template, claim and redemption services, and in-memory implementations of every
    /// port (replaced by the adapters chained on the returned builder). Options are validated at start-up. Calling it again
    /// only applies <paramref name="configure"/> again.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>The builder adapters chain on.</returns>
    public static ICouponKitBuilder AddCouponKit(this IServiceCollection services, Action<CouponKitOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<CouponKitOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (services.Any(d => d.ServiceType == typeof(CouponKitMarker)))
        {
            return new CouponKitBuilder(services);
        }

        services.AddSingleton<CouponKitMarker>();
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CouponKitOptions>, CouponKitOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(QuoteOptions.Default);
        services.TryAddSingleton(sp => new QuoteEngine(sp.GetRequiredService<QuoteOptions>()));

        services.TryAddSingleton<InMemoryCouponKitStore>();
        services.TryAddSingleton<ITemplateStore>(sp => sp.GetRequiredService<InMemoryCouponKitStore>());
        services.TryAddSingleton<ICouponStore>(sp => sp.GetRequiredService<InMemoryCouponKitStore>());
        services.TryAddSingleton<IRedemptionStore>(sp => sp.GetRequiredService<InMemoryCouponKitStore>());
        services.TryAddSingleton<IOutboxStore>(sp => sp.GetRequiredService<InMemoryCouponKitStore>());
        services.TryAddSingleton<IInboxStore>(sp => sp.GetRequiredService<InMemoryCouponKitStore>());
        services.TryAddSingleton<IDeadLetterStore>(sp => sp.GetRequiredService<InMemoryCouponKitStore>());
        services.TryAddSingleton<IRateLimiter, InMemoryRateLimiter>();
        services.TryAddSingleton<IPointsLedger, InMemoryPointsLedger>();

        services.TryAddSingleton<CouponTemplates>();
        services.TryAddSingleton<CouponClaims>();
        services.TryAddSingleton<CouponRedemptions>();

        services.AddHealthChecks().AddCheck<CouponKitHealthCheck>("couponkit", HealthStatus.Degraded, ["couponkit"]);
        return new CouponKitBuilder(services);
    }

    private sealed class CouponKitMarker
    {
    }
}
