using CouponKit.DependencyInjection;
using CouponKit.EfCore;
using CouponKit.EfCore.Stores;
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
    /// discounts, statistics and reconciliation with
    /// stores on <typeparamref name="TContext"/>. Register the context's factory yourself
    /// (<c>services.AddDbContextFactory&lt;TContext&gt;(o =&gt; o.UseSqlite(...))</c>) and call
    /// <c>modelBuilder.ApplyCouponKit()</c> in its <c>OnModelCreating</c> (or use <see cref="CouponKitDbContext"/>).
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
        services.Replace(ServiceDescriptor.Singleton<IReconciliationStore>(sp => sp.GetRequiredService<EfCoreCouponKitStore<TContext>>()));
        return builder;
    }
}
