using CouponKit.EfCore.Stores;
using CouponKit.Issuance;
using CouponKit.Ports;
using CouponKit.Redemption;
using CouponKit.Rules;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CouponKit.EfCore.Tests;

/// <summary><c>AddCouponKit().UseEntityFrameworkCore&lt;CouponKitDbContext&gt;()</c> on SQLite: claim, lock, confirm.</summary>
public sealed class EndToEndTests : IDisposable
{
    private readonly SqliteDatabase _database = new(create: false);

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task ClaimLockConfirm_ThroughTheContainer_IsStoredInSqlite()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddDbContextFactory<CouponKitDbContext>(o => o.UseSqlite(_database.ConnectionString));
        services.AddCouponKit().UseEntityFrameworkCore<CouponKitDbContext>(o => o.MaxAttempts = 20);
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        await using (var db = await provider.GetRequiredService<IDbContextFactory<CouponKitDbContext>>().CreateDbContextAsync())
        {
            await db.Database.EnsureCreatedAsync();
        }

        Assert.IsType<EfCoreCouponKitStore<CouponKitDbContext>>(provider.GetRequiredService<ICouponStore>());
        Assert.IsType<EfCoreCouponKitStore<CouponKitDbContext>>(provider.GetRequiredService<IOutboxStore>());
        var templates = provider.GetRequiredService<CouponTemplates>();
        var template = await templates.CreateAsync(new TemplateDraft
        {
            Id = "spring",
            Name = "10 off 100",
            Rule = new ThresholdRebateRule(Threshold.Spend(Money.Of(100m, "CNY")), Money.Of(10m, "CNY")),
            TotalInventory = 10,
            Validity = CouponValidity.ForDaysAfterClaim(7),
        });
        await templates.ActivateAsync(template.Id);

        var claim = await provider.GetRequiredService<CouponClaims>().ClaimAsync(new ClaimRequest { TemplateId = "spring", User = new UserProfile("u1"), IdempotencyKey = "claim-1" });
        Assert.True(claim.IsIssued, claim.ToString());
        var redemptions = provider.GetRequiredService<CouponRedemptions>();
        var locked = await redemptions.LockAsync("order-1", "u1", [claim.Coupon!.CouponId]);
        Assert.Equal(RedemptionStatus.Locked, locked.Status);
        var confirmed = await redemptions.ConfirmAsync("order-1", "u1");
        Assert.Equal(RedemptionStatus.Confirmed, confirmed.Status);

        // A new provider on the same file sees it all: it is in the database, not in memory.
        var reopened = new ServiceCollection();
        reopened.AddDbContextFactory<CouponKitDbContext>(o => o.UseSqlite(_database.ConnectionString));
        reopened.AddCouponKit().UseEntityFrameworkCore<CouponKitDbContext>();
        await using var second = reopened.BuildServiceProvider();
        var stored = await second.GetRequiredService<ICouponStore>().FindAsync(claim.Coupon.CouponId, default);
        Assert.Equal(CouponState.Used, stored!.State);
        Assert.Equal("order-1", stored.OrderId);
        Assert.Equal(new TemplateStock(10, 1), await second.GetRequiredService<ITemplateStore>().GetStockAsync("spring", default));
        Assert.Equal([TccPhase.Try, TccPhase.Confirm], (await second.GetRequiredService<IRedemptionStore>().ListRecordsAsync("order-1", default)).Select(r => r.Phase));
        Assert.NotEmpty(await second.GetRequiredService<IOutboxStore>().LeaseDueAsync(time.GetUtcNow().AddDays(1), 100, TimeSpan.FromMinutes(1), default));
    }

    [Fact]
    public void UseEntityFrameworkCore_ReplacesEveryStorePortItImplements()
    {
        var services = new ServiceCollection();
        services.AddDbContextFactory<CouponKitDbContext>(o => o.UseSqlite(_database.ConnectionString));
        services.AddCouponKit().UseEntityFrameworkCore<CouponKitDbContext>();
        services.AddCouponKit(); // a second call is harmless and keeps the EF Core stores
        using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<EfCoreCouponKitStore<CouponKitDbContext>>();
        Assert.Same(store, provider.GetRequiredService<ITemplateStore>());
        Assert.Same(store, provider.GetRequiredService<ICouponStore>());
        Assert.Same(store, provider.GetRequiredService<IRedemptionStore>());
        Assert.Same(store, provider.GetRequiredService<IExpiryStore>());
        Assert.Same(store, provider.GetRequiredService<IOutboxStore>());
        Assert.Same(store, provider.GetRequiredService<IInboxStore>());
        Assert.Same(store, provider.GetRequiredService<IDeadLetterStore>());
        Assert.Same(store, provider.GetRequiredService<ICouponDiscountStore>());
        Assert.Same(store, provider.GetRequiredService<IStatisticsStore>());
        Assert.Same(store, provider.GetRequiredService<IReconciliationStore>());
        Assert.Single(services, d => d.ServiceType == typeof(ICouponStore));
    }

    [Theory]
    [InlineData(0, 5, 200, 2)]
    [InlineData(5, 500, 200, 2)]
    [InlineData(5, 5, 200, 0)]
    [InlineData(5, 5, 200, 5)]
    public void UseEntityFrameworkCore_InvalidOptions_FailValidation(int attempts, int backoffMs, int maxBackoffMs, int pushChunksInFlight)
    {
        var services = new ServiceCollection();
        services.AddDbContextFactory<CouponKitDbContext>(o => o.UseSqlite(_database.ConnectionString));
        services.AddCouponKit().UseEntityFrameworkCore<CouponKitDbContext>(o =>
        {
            o.MaxAttempts = attempts;
            o.RetryBackoff = TimeSpan.FromMilliseconds(backoffMs);
            o.MaxRetryBackoff = TimeSpan.FromMilliseconds(maxBackoffMs);
            o.PushChunksInFlight = pushChunksInFlight;
        });
        using var provider = services.BuildServiceProvider();

        Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<EfCoreCouponKitOptions>>().Value);
    }
}
