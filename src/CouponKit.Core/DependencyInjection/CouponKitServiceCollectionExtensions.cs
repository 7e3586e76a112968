using CouponKit;
using CouponKit.Caching;
using CouponKit.DependencyInjection;
using CouponKit.InMemory;
using CouponKit.Issuance;
using CouponKit.Issuance.Gated;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Redemption;
using CouponKit.Rules;
using CouponKit.Statistics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
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
        services.TryAddSingleton<IExpiryStore>(sp => sp.GetRequiredService<InMemoryCouponKitStore>());
        services.TryAddSingleton<IStatisticsStore>(sp => sp.GetRequiredService<InMemoryCouponKitStore>());
        services.TryAddSingleton<ICouponDiscountStore>(sp => sp.GetRequiredService<InMemoryCouponKitStore>());
        services.TryAddSingleton<IReconciliationStore>(sp => sp.GetRequiredService<InMemoryCouponKitStore>());
        services.TryAddSingleton<IRateLimiter, InMemoryRateLimiter>();
        services.TryAddSingleton<IPointsLedger, InMemoryPointsLedger>();
        services.TryAddSingleton<IWalletLedger, InMemoryWalletLedger>();
        services.TryAddSingleton<CouponKit.Scheduling.IIssuanceScheduleStore, InMemoryIssuanceScheduleStore>();
        services.TryAddSingleton<CouponKit.Messaging.DeadLetters.IDeadLetterAuditLog, InMemoryDeadLetterAuditLog>();
        services.TryAddSingleton<CouponKit.Messaging.DeadLetters.IDeadLetterAdmin, CouponKit.Messaging.DeadLetters.DeadLetterAdmin>();
        services.TryAddSingleton<IBenefitAuditStore>(sp => sp.GetRequiredService<InMemoryCouponKitStore>());
        services.TryAddSingleton<INotifyStore, InMemoryNotifyStore>();
        services.TryAddSingleton<IUserActivity, InMemoryUserActivity>();
        services.TryAddSingleton<INotificationSender, InMemoryNotificationSender>();
        services.TryAddSingleton<IOrderLedger, InMemoryOrderLedger>();
        services.TryAddSingleton<IOrderHistory, InMemoryOrderHistory>();
        services.TryAddSingleton<IProductDiscountHistory, InMemoryProductDiscountHistory>();
        services.TryAddSingleton<IPromoCodeStore, InMemoryPromoCodeStore>();
        services.TryAddSingleton<IAttemptThrottle, InMemoryAttemptThrottle>();
        services.TryAddSingleton<IAuditLog, InMemoryAuditLog>();
        services.TryAddSingleton<IUserSegmentSource, InMemoryUserSegmentSource>();
        services.TryAddSingleton<IPushJobStore, InMemoryPushJobStore>();
        services.TryAddSingleton<CouponKit.Rewards.ICouponRevocationStore>(sp => sp.GetRequiredService<InMemoryCouponKitStore>());
        services.TryAddSingleton<CouponKit.Rewards.IRewardLedger, InMemoryRewardLedger>();
        services.TryAddSingleton<InMemoryMessageBus>();
        services.TryAddSingleton<IMessageBus>(sp => sp.GetRequiredService<InMemoryMessageBus>());

        services.AddOptions<OutboxDispatcherOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OutboxDispatcherOptions>, OutboxDispatcherOptionsValidator>());
        services.AddOptions<PromoCodeRedemptionOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PromoCodeRedemptionOptions>, PromoCodeRedemptionOptionsValidator>());
        services.AddOptions<ExpiryReminderOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ExpiryReminderOptions>, ExpiryReminderOptionsValidator>());

        services.TryAddSingleton<CouponTemplates>();
        services.TryAddSingleton<CouponClaims>();
        services.TryAddSingleton<CouponRedemptions>();
        services.TryAddSingleton<PromoCodeRedemptions>();
        services.TryAddSingleton<CouponCheckout>();
        services.TryAddSingleton<PushIssuance>();
        services.TryAddSingleton<CouponExpiry>();
        services.TryAddSingleton<ExpiryReminders>();
        services.TryAddSingleton<CouponStatistics>();
        services.TryAddSingleton<CouponReconciliation>();
        services.TryAddSingleton<ITemplateCache, PassThroughTemplateCache>();
        services.TryAddSingleton<CachedTemplateReader>();
        services.TryAddSingleton<IPendingClaimStore, InMemoryPendingClaimStore>();
        services.TryAddSingleton<IClaimHolderSource>(sp => new InMemoryClaimHolderSource(sp.GetRequiredService<InMemoryCouponKitStore>()));
        services.AddOptions<CouponKit.Rewards.RewardOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CouponKit.Rewards.RewardOptions>, CouponKit.Rewards.RewardOptionsValidator>());
        services.AddOptions<GatedClaimOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatedClaimOptions>, GatedClaimOptionsValidator>());
        services.TryAddSingleton<GatedClaims>();
        services.TryAddSingleton<CouponKit.Benefits.BenefitStatistics>();
        services.TryAddSingleton<CouponKit.Benefits.BenefitRedemptions>();

        // Consumers subscribe before the dispatcher publishes: hosted services start in registration order.
        services.TryAddSingleton<CouponConsumers>();
        services.TryAddSingleton<OutboxDispatcher>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<CouponConsumers>());
        services.TryAddSingleton<TemplateCacheConsumer>();
        services.TryAddSingleton<GatedIssueConsumer>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<TemplateCacheConsumer>());
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<GatedIssueConsumer>());
        services.TryAddSingleton<CouponKit.Benefits.BenefitConsumers>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<CouponKit.Benefits.BenefitConsumers>());
        services.TryAddSingleton<CouponKit.Scheduling.ScheduledIssuance>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<CouponKit.Scheduling.ScheduledIssuance>());
        services.TryAddSingleton<CouponKit.Scheduling.ScheduledPushIssuance>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<CouponKit.Scheduling.ScheduledPushIssuance>());
        services.TryAddSingleton<CouponKit.Rewards.RewardConsumers>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<CouponKit.Rewards.RewardConsumers>());
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<OutboxDispatcher>());
        services.TryAddSingleton<ExpiryWorker>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<ExpiryWorker>());

        return new CouponKitBuilder(services);
    }

    /// <summary>
    /// Adds CouponKit's health check: Degraded while messages wait in the dead letters, Healthy otherwise. Adapters add their
    /// own checks (database, Redis, broker) with the same tag.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The name of the check.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddCouponKit(this IHealthChecksBuilder builder, string name = "couponkit")
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddCheck<CouponKitHealthCheck>(name, HealthStatus.Degraded, ["couponkit"]);
    }

    private sealed class CouponKitMarker
    {
    }
}
