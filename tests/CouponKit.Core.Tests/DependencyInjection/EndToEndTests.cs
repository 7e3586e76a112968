using CouponKit.InMemory;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Redemption;
using CouponKit.Rules;
using CouponKit.Statistics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using static CouponKit.Core.Tests.Shop;

namespace CouponKit.Core.Tests.DependencyInjection;

/// <summary>The whole life of a coupon in one process, wired only by <c>AddCouponKit()</c>.</summary>
public sealed class EndToEndTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 11, 12, 0, 0, TimeSpan.Zero));
    private ServiceProvider _provider = null!;

    public async Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_clock);
        services.AddCouponKit(o => o.LockTimeout = TimeSpan.FromMinutes(30));
        _provider = services.BuildServiceProvider(validateScopes: true);
        foreach (var hosted in _provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var hosted in _provider.GetServices<IHostedService>().Reverse())
        {
            await hosted.StopAsync(CancellationToken.None);
        }

        await _provider.DisposeAsync();
    }

    [Fact]
    public void AddCouponKit_EveryPublicServiceResolves()
    {
        Assert.NotNull(_provider.GetRequiredService<CouponClaims>());
        Assert.NotNull(_provider.GetRequiredService<PromoCodeRedemptions>());
        Assert.NotNull(_provider.GetRequiredService<PushIssuance>());
        Assert.NotNull(_provider.GetRequiredService<ExpiryReminders>());
        Assert.NotNull(_provider.GetRequiredService<CouponExpiry>());
        Assert.NotNull(_provider.GetRequiredService<CouponStatistics>());
        Assert.NotNull(_provider.GetRequiredService<CouponReconciliation>());
        Assert.NotNull(_provider.GetRequiredService<OutboxDispatcher>());
    }

    [Fact]
    public async Task UnpaidOrder_LockIsReleasedByTheDelayedMessage_PaidOrderIsNot()
    {
        var templates = _provider.GetRequiredService<CouponTemplates>();
        var claims = _provider.GetRequiredService<CouponClaims>();
        var redemptions = _provider.GetRequiredService<CouponRedemptions>();
        var dispatcher = _provider.GetRequiredService<OutboxDispatcher>();
        var bus = _provider.GetRequiredService<InMemoryMessageBus>();
        var store = _provider.GetRequiredService<InMemoryCouponKitStore>();

        var template = await templates.CreateAsync(new TemplateDraft
        {
            Name = "Spend 100 get 20",
            Rule = Rebate(100, 20),
            TotalInventory = 10,
            Validity = CouponValidity.ForDaysAfterClaim(7),
        });
        await templates.ActivateAsync(template.Id);
        var unpaid = await claims.ClaimAsync(new ClaimRequest { TemplateId = template.Id, User = new UserProfile("alice"), IdempotencyKey = "k-alice" });
        var paid = await claims.ClaimAsync(new ClaimRequest { TemplateId = template.Id, User = new UserProfile("bob"), IdempotencyKey = "k-bob" });
        Assert.True(unpaid.IsIssued && paid.IsIssued);

        Assert.Equal(RedemptionStatus.Locked, (await redemptions.LockAsync("order-1", "alice", [unpaid.Coupon!.CouponId])).Status);
        Assert.Equal(RedemptionStatus.Locked, (await redemptions.LockAsync("order-2", "bob", [paid.Coupon!.CouponId])).Status);
        Assert.Equal(RedemptionStatus.Confirmed, (await redemptions.ConfirmAsync("order-2", "bob")).Status);

        while (await dispatcher.DispatchOnceAsync(CancellationToken.None) > 0)
        {
        }

        await bus.WhenIdleAsync();
        Assert.Equal(CouponState.Locked, StateOf(store, unpaid.Coupon.CouponId));

        _clock.Advance(TimeSpan.FromMinutes(29));
        await bus.WhenIdleAsync();
        Assert.Equal(CouponState.Locked, StateOf(store, unpaid.Coupon.CouponId));

        _clock.Advance(TimeSpan.FromMinutes(1));
        await bus.WhenIdleAsync();
        Assert.Equal(CouponState.Available, StateOf(store, unpaid.Coupon.CouponId));
        Assert.Equal(CouponState.Used, StateOf(store, paid.Coupon.CouponId));

        var stats = await _provider.GetRequiredService<CouponStatistics>().GetTemplateAsync(template.Id);
        Assert.Equal((2, 1, 1), (stats.Issued, stats.Used, stats.Released));
    }

    [Fact]
    public async Task IssuedCoupon_IsRemindedBeforeItsEndAndExpiresAtIt()
    {
        var templates = _provider.GetRequiredService<CouponTemplates>();
        var claims = _provider.GetRequiredService<CouponClaims>();
        var dispatcher = _provider.GetRequiredService<OutboxDispatcher>();
        var bus = _provider.GetRequiredService<InMemoryMessageBus>();
        var worker = _provider.GetRequiredService<ExpiryWorker>();
        var sender = (InMemoryNotificationSender)_provider.GetRequiredService<CouponKit.Ports.INotificationSender>();
        var store = _provider.GetRequiredService<InMemoryCouponKitStore>();
        var template = await templates.CreateAsync(new TemplateDraft { Name = "3-day coupon", Rule = Rebate(100, 20), TotalInventory = 5, Validity = CouponValidity.ForDaysAfterClaim(3) });
        await templates.ActivateAsync(template.Id);
        var claim = await claims.ClaimAsync(new ClaimRequest { TemplateId = template.Id, User = new UserProfile("carol"), IdempotencyKey = "k-carol" });
        while (await dispatcher.DispatchOnceAsync(CancellationToken.None) > 0)
        {
        }

        await bus.WhenIdleAsync(); // the Issued event schedules the reminder

        _clock.Advance(TimeSpan.FromDays(2) + TimeSpan.FromMinutes(1)); // one day before the end
        await worker.SweepOnceAsync(CancellationToken.None);
        Assert.Contains(sender.Sent, r => r.UserId == "carol" && r.TemplateId == template.Id);
        Assert.Equal(CouponState.Available, StateOf(store, claim.Coupon!.CouponId));

        _clock.Advance(TimeSpan.FromDays(1));
        await worker.SweepOnceAsync(CancellationToken.None);
        Assert.Equal(CouponState.Expired, StateOf(store, claim.Coupon.CouponId));
        Assert.All(sender.Sent, r => Assert.Equal("carol", r.UserId));
    }

    private static CouponState StateOf(InMemoryCouponKitStore store, string couponId) => store.Coupons.Single(c => c.CouponId == couponId).State;
}
