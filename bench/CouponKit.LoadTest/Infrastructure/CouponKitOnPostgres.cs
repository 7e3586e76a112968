using CouponKit.EfCore;
using CouponKit.Issuance;
using CouponKit.Rules;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace CouponKit.LoadTest.Infrastructure;

/// <summary>CouponKit wired as a shop would: <c>AddCouponKit().UseEntityFrameworkCore&lt;CouponKitDbContext&gt;()</c> on Npgsql.</summary>
internal static class CouponKitOnPostgres
{
    public static ServiceProvider Build(PostgresServer server, int segments = 1, Action<IServiceCollection>? more = null, string? connectionString = null, Action<EfCoreCouponKitOptions>? store = null)
    {
        var services = new ServiceCollection();
        services.AddPooledDbContextFactory<CouponKitDbContext>(o => o.UseNpgsql(connectionString ?? server.ConnectionString()));
        services.AddCouponKit(o =>
        {
            // Distinct users, no client IP: the limits never refuse; set high so that a long run is not cut by them either.
            o.ClaimsPerUser = 1_000_000;
        }).UseEntityFrameworkCore<CouponKitDbContext>(o =>
        {
            StockSegments.Apply(o, segments);
            store?.Invoke(o);
        });
        more?.Invoke(services);
        return services.BuildServiceProvider();
    }

    /// <summary>Creates CouponKit's tables (the documented <c>EnsureCreated</c> path).</summary>
    public static async Task EnsureCreatedAsync(ServiceProvider provider)
    {
        var factory = provider.GetRequiredService<IDbContextFactory<CouponKitDbContext>>();
        await using var db = await factory.CreateDbContextAsync().ConfigureAwait(false);
        await db.Database.EnsureCreatedAsync().ConfigureAwait(false);
    }

    /// <summary>An active template with a fixed-amount rule.</summary>
    public static async Task<CouponTemplate> CreateActiveTemplateAsync(ServiceProvider provider, string id, int stock, ClaimChannels channels = ClaimChannels.All)
    {
        var templates = provider.GetRequiredService<CouponTemplates>();
        await templates.CreateAsync(new TemplateDraft
        {
            Id = id,
            Name = "Load test " + id,
            Rule = new FixedAmountRule(Money.Of(10m, "CNY")),
            TotalInventory = stock,
            Validity = CouponValidity.ForDaysAfterClaim(30),
            PerUserLimit = 1,
            Channels = channels,
        }).ConfigureAwait(false);
        return await templates.ActivateAsync(id).ConfigureAwait(false);
    }

    /// <summary>The table and column names of one of CouponKit's tables, read from the EF model (so a prefix change follows).</summary>
    public static async Task<(string Table, IReadOnlyDictionary<string, string> Columns)> TableAsync(ServiceProvider provider, string tableSuffix)
    {
        var factory = provider.GetRequiredService<IDbContextFactory<CouponKitDbContext>>();
        await using var db = await factory.CreateDbContextAsync().ConfigureAwait(false);
        var entity = db.Model.GetEntityTypes().Single(e => e.GetTableName() == CouponKitModelOptions.DefaultTablePrefix + tableSuffix);
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var columns = entity.GetProperties().ToDictionary(p => p.Name, p => p.GetColumnName(table)!, StringComparer.Ordinal);
        return (entity.GetTableName()!, columns);
    }
}
