using CouponKit.DependencyInjection;
using CouponKit.EfCore;
using CouponKit.EfCore.Stores;
using CouponKit.Issuance.Gated;
using CouponKit.Ports;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Wires CouponKit's stores on Entity Framework Core.</summary>
public static class EfCoreCouponKitBuilderExtensions
{
    /// <summary>
    /// Replaces the in-memory stores of templates, coupons, redemptions (TCC), expiry, outbox, inbox, dead letters, recorded
    /// discounts, the products once-per-product templates discounted, statistics, reconciliation, the claim gate's holder
    /// counts, issuance schedules, the dead-letter audit log, the audit trail of merchant operations (<see cref="IAuditLog"/>),
    /// the promo-code attempt throttle (<see cref="IAttemptThrottle"/>), coupon revocation and the order rewards' ledger with
    /// stores on <typeparamref name="TContext"/>. Register the context's factory yourself
    /// (<c>services.AddDbContextFactory&lt;TContext&gt;(o =&gt; o.UseSqlite(...))</c>) and call
    /// <c>modelBuilder.ApplyCouponKit()</c> in its <c>OnModelCreating</c> (or use <see cref="CouponKitDbContext"/>).
    /// Also registers an <see cref="ITransactionCheckResolver"/> that answers a broker's check-back of transactional messages
    /// from these tables (unless one is registered already), configured by <see cref="EfCoreTransactionCheckOptions"/>.
    /// </summary>
    /// <typeparam name="TContext">The context holding CouponKit's tables.</typeparam>
    /// <param name="builder">The CouponKit builder.</param>
    /// <param name="configure">Configures retries.</param>
    /// <returns>The builder.</returns>
    public static ICouponKitBuilder UseEntityFrameworkCore<TContext>(this ICouponKitBuilder builder, Action<EfCoreCouponKitOptions>? configure = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<EfCoreCouponKitOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EfCoreCouponKitOptions>, EfCoreCouponKitOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<EfCoreCouponKitStore<TContext>>();
        services.Replace(ServiceDescriptor.Singleton<ITemplateStore>(sp => sp.GetRequiredService<EfCoreCouponKitStore<TContext>>()));
        services.Replace(ServiceDescriptor.Singleton<ICouponStore>(sp => sp.GetRequiredService<EfCoreCouponKitStore<TContext>>()));
        services.Replace(ServiceDescriptor.Singleton<IRedemptionStore>(sp => sp.GetRequiredService<EfCoreCouponKitStore<TContext>>()));
        services.Replace(ServiceDescriptor.Singleton<IExpiryStore>(sp => sp.GetRequiredService<EfCoreCouponKitStore<TContext>>()));
        services.Replace(ServiceDescriptor.Singleton<IOutboxStore>(sp => sp.GetRequiredService<EfCoreCouponKitStore<TContext>>()));
        services.Replace(ServiceDescriptor.Singleton<IInboxStore>(sp => sp.GetRequiredService<EfCoreCouponKitStore<TContext>>()));
        services.Replace(ServiceDescriptor.Singleton<IDeadLetterStore>(sp => sp.GetRequiredService<EfCoreCouponKitStore<TContext>>()));
        services.Replace(ServiceDescriptor.Singleton<IStatisticsStore>(sp => sp.GetRequiredService<EfCoreCouponKitStore<TContext>>()));
        services.Replace(ServiceDescriptor.Singleton<ICouponDiscountStore>(sp => sp.GetRequiredService<EfCoreCouponKitStore<TContext>>()));
        services.Replace(ServiceDescriptor.Singleton<IProductDiscountHistory>(sp => sp.GetRequiredService<EfCoreCouponKitStore<TContext>>()));
        services.Replace(ServiceDescriptor.Singleton<IReconciliationStore>(sp => sp.GetRequiredService<EfCoreCouponKitStore<TContext>>()));
        services.Replace(ServiceDescriptor.Singleton<IClaimHolderSource>(sp => sp.GetRequiredService<EfCoreCouponKitStore<TContext>>()));
        services.Replace(ServiceDescriptor.Singleton<INotifyStore>(sp => sp.GetRequiredService<EfCoreCouponKitStore<TContext>>()));
        services.Replace(ServiceDescriptor.Singleton<CouponKit.Scheduling.IIssuanceScheduleStore>(sp => sp.GetRequiredService<EfCoreCouponKitStore<TContext>>()));
        services.Replace(ServiceDescriptor.Singleton<CouponKit.Messaging.DeadLetters.IDeadLetterAuditLog>(sp => sp.GetRequiredService<EfCoreCouponKitStore<TContext>>()));
        services.Replace(ServiceDescriptor.Singleton<IAuditLog>(sp => sp.GetRequiredService<EfCoreCouponKitStore<TContext>>()));
        services.Replace(ServiceDescriptor.Singleton<IAttemptThrottle>(sp => sp.GetRequiredService<EfCoreCouponKitStore<TContext>>()));
        services.Replace(ServiceDescriptor.Singleton<CouponKit.Rewards.ICouponRevocationStore>(sp => sp.GetRequiredService<EfCoreCouponKitStore<TContext>>()));
        services.Replace(ServiceDescriptor.Singleton<CouponKit.Rewards.IRewardLedger>(sp => sp.GetRequiredService<EfCoreCouponKitStore<TContext>>()));

        // The broker's check-back of transactional messages, answered from these tables (unless the shop registered its own).
        services.AddOptions<EfCoreTransactionCheckOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EfCoreTransactionCheckOptions>, EfCoreTransactionCheckOptionsValidator>());
        services.TryAddSingleton<ITransactionCheckResolver, EfCoreTransactionCheckResolver<TContext>>();
        return builder;
    }
}
