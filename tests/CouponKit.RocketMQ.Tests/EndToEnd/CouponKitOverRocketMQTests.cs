using CouponKit.InMemory;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Redemption;
using CouponKit.Rules;
using CouponKit.RocketMQ.Tests.Proxy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MessageType = CouponKit.RocketMQ.Protocol.V2.MessageType;

namespace CouponKit.RocketMQ.Tests.EndToEnd;

/// <summary>CouponKit's outbox, dispatcher and built-in consumers with RocketMQ as the bus, through the test proxy.</summary>
public sealed class CouponKitOverRocketMQTests
{
    [Fact]
    public async Task UnpaidOrder_LockIsReleasedByTheDelayedRocketMQMessage_PaidOrderIsNot()
    {
        await using var harness = await BusHarness.StartAsync(s => s.AddCouponKit(o => o.LockTimeout = TimeSpan.FromMinutes(30)));
        var services = harness.Services;
        var templates = services.GetRequiredService<CouponTemplates>();
        var claims = services.GetRequiredService<CouponClaims>();
        var redemptions = services.GetRequiredService<CouponRedemptions>();
        var dispatcher = services.GetRequiredService<OutboxDispatcher>();
        var store = services.GetRequiredService<InMemoryCouponKitStore>();
        await services.GetRequiredService<CouponConsumers>().StartAsync(TestTimeout.Token());

        var template = await templates.CreateAsync(new TemplateDraft
        {
            Name = "Spend 100 get 20",
            Rule = new ThresholdRebateRule(Threshold.Spend(Money.Of(100, "CNY")), Money.Of(20, "CNY")),
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

        while (await dispatcher.DispatchOnceAsync(TestTimeout.Token()) > 0)
        {
        }

        var lockTimeouts = harness.Broker.MessagesOf(CouponTopics.Coupon).Where(m => m.SystemProperties.Tag == CouponTopics.LockTimeout).ToList();
        Assert.Equal(2, lockTimeouts.Count);
        Assert.All(lockTimeouts, m => Assert.Equal(MessageType.Delay, m.SystemProperties.MessageType));

        // 29 minutes: the lock timeouts are not visible yet.
        await Eventually.TrueAsync(() => harness.Broker.WaitingReceivers >= 2);
        harness.Time.Advance(TimeSpan.FromMinutes(29));
        await Eventually.TrueAsync(() => harness.Broker.WaitingReceivers >= 2);
        Assert.Equal(CouponState.Locked, StateOf(store, unpaid.Coupon.CouponId));

        // Past 30 minutes: the unpaid order's coupon is released; the paid one stays used.
        harness.Time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => StateOf(store, unpaid.Coupon.CouponId) == CouponState.Available);
        Assert.Equal(CouponState.Used, StateOf(store, paid.Coupon.CouponId));
    }

    [Fact]
    public async Task Host_StartsEveryHostedServiceOverRocketMQ_AndStops()
    {
        // Every hosted consumer's group is created on first use, as a broker with autoCreateSubscriptionGroup does.
        await using var proxy = await ProxyHarness.StartAsync(o => o.AutoCreateConsumerGroups = true);
        proxy.Broker.CreateTopic(CouponTopics.Coupon, MessageType.Normal, MessageType.Delay, MessageType.Transaction);

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(proxy.Time);
        builder.Services.AddCouponKit().UseRocketMQ(o =>
        {
            o.Endpoints = proxy.Proxy.Endpoint;
            o.HeartbeatInterval = TimeSpan.FromMinutes(5);
        });
        using var host = builder.Build();

        await host.StartAsync(TestTimeout.Token(30));
        string[] builtIn = [CouponConsumers.LockTimeoutGroup, CouponConsumers.PointsRefundGroup, ExpiryWorker.ReminderGroup];
        await Eventually.TrueAsync(() => builtIn.All(proxy.Broker.ConsumerGroups.Contains) && proxy.Broker.WaitingReceivers >= builtIn.Length);
        Assert.True(proxy.Broker.TelemetryPeerCount >= 1 + builtIn.Length); // the producer, started by its hosted service, and the consumers
        await host.StopAsync(TestTimeout.Token(30));
    }

    [Fact]
    public async Task Host_InvalidRocketMQOptions_FailsTheStart()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddCouponKit().UseRocketMQ(o => o.Endpoints = string.Empty);
        using var host = builder.Build();

        await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => host.StartAsync(TestTimeout.Token(30)));
    }

    private static CouponState StateOf(InMemoryCouponKitStore store, string couponId) => store.Coupons.Single(c => c.CouponId == couponId).State;
}
