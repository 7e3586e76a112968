using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Rules;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CouponKit.EfCore.Tests.Postgres;

/// <summary>One app instance on a PostgreSQL database: <c>AddCouponKit().UseEntityFrameworkCore()</c> with a pooled context factory.</summary>
internal static class PostgresKit
{
    public static ServiceProvider Create(
        string connectionString,
        Action<EfCoreCouponKitOptions>? store = null,
        IMessageBus? bus = null,
        Action<OutboxDispatcherOptions>? dispatcher = null)
    {
        var services = new ServiceCollection();
        services.AddPooledDbContextFactory<CouponKitDbContext>(o => o.UseNpgsql(connectionString), poolSize: 256);

        // The claim tests measure the store, not the rate limiter: limits far above the attempts.
        services.AddCouponKit(o =>
        {
            o.ClaimsPerUser = 1_000_000;
            o.ClaimsPerIp = 10_000_000;
        }).UseEntityFrameworkCore<CouponKitDbContext>(store);
        if (bus is not null)
        {
            services.AddSingleton(bus);
        }

        if (dispatcher is not null)
        {
            services.Configure(dispatcher);
        }

        return services.BuildServiceProvider();
    }

    /// <summary>Creates and activates a template ("t1") with the stock and per-user limit.</summary>
    public static async Task ActiveTemplateAsync(IServiceProvider provider, int stock, int perUserLimit)
    {
        var templates = provider.GetRequiredService<CouponTemplates>();
        var template = await templates.CreateAsync(new TemplateDraft
        {
            Id = "t1",
            Name = "10 off 100",
            Rule = new ThresholdRebateRule(Threshold.Spend(Money.Of(100m, "CNY")), Money.Of(10m, "CNY")),
            TotalInventory = stock,
            PerUserLimit = perUserLimit,
            Validity = CouponValidity.ForDaysAfterClaim(7),
        });
        await templates.ActivateAsync(template.Id);
    }
}
