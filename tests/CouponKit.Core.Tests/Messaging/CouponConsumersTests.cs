using System.Text.Json;
using CouponKit.InMemory;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Redemption;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static CouponKit.Core.Tests.Messaging.MessagingTestKit;

namespace CouponKit.Core.Tests.Messaging;

public sealed class CouponConsumersTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = Clock();
    private readonly InMemoryCouponKitStore _store = new();
    private readonly ListLogger<CouponConsumers> _log = new();
    private readonly InMemoryMessageBus _bus;
    private readonly OutboxDispatcher _dispatcher;
    private CouponRedemptions _redemptions;

    public CouponConsumersTests()
    {
        _bus = new InMemoryMessageBus(_time, _store);
        _dispatcher = new OutboxDispatcher(_store, _bus, _time, Options.Create(new OutboxDispatcherOptions()));
        _redemptions = Redemptions(TimeSpan.FromMinutes(30));
    }

    public Task InitializeAsync() => SeedCouponAsync(_store);

    public async Task DisposeAsync() => await _bus.DisposeAsync();

    [Fact]
    public async Task LockTimeout_NotConfirmedIn30Minutes_ReleasesTheCoupon()
    {
        await using var consumers = await StartConsumersAsync();

        var locked = await _redemptions.LockAsync("order-1", "user-1", ["coupon-1"]);
        Assert.Equal(RedemptionStatus.Locked, locked.Status);
        var timeout = Assert.Single(_store.OutboxEntries, e => e.Message.Tag == CouponTopics.LockTimeout).Message;
        Assert.Equal(Shop.Now.AddMinutes(30), timeout.DeliverAt);

        await DispatchAllAsync();
        Assert.Equal(CouponState.Locked, (await CouponAsync(_store, "coupon-1")).State);

        _time.Advance(TimeSpan.FromMinutes(30) - TimeSpan.FromSeconds(1));
        await _bus.WhenIdleAsync().WithTimeout();
        Assert.Equal(CouponState.Locked, (await CouponAsync(_store, "coupon-1")).State);

        _time.Advance(TimeSpan.FromSeconds(1));
        await _bus.WhenIdleAsync().WithTimeout();

        var coupon = await CouponAsync(_store, "coupon-1");
        Assert.Equal(CouponState.Available, coupon.State);
        Assert.Null(coupon.OrderId);
        var released = Assert.Single(_store.OutboxEntries, e => e.Message.Tag == CouponTopics.Released).Message;
        Assert.Equal("timeout", CouponEvents.Read<CouponEvents.OrderCoupons>(released).Reason);
        Assert.True(await _store.ContainsAsync(CouponConsumers.LockTimeoutGroup, timeout.MessageId, default));
        Assert.Equal(1, _log.Count(1121));
        Assert.Empty(await _store.ListAsync(10, default));
    }

    [Fact]
    public async Task LockTimeout_ConfirmedBefore_DoesNothingAndIsAcknowledged()
    {
        await using var consumers = await StartConsumersAsync();
        await _redemptions.LockAsync("order-1", "user-1", ["coupon-1"]);
        await DispatchAllAsync();

        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(RedemptionStatus.Confirmed, (await _redemptions.ConfirmAsync("order-1", "user-1")).Status);
        _time.Advance(TimeSpan.FromMinutes(20));
        await _bus.WhenIdleAsync().WithTimeout();
        _time.Advance(TimeSpan.FromDays(1));
        await _bus.WhenIdleAsync().WithTimeout();

        var coupon = await CouponAsync(_store, "coupon-1");
        Assert.Equal((CouponState.Used, "order-1"), (coupon.State, coupon.OrderId));
        Assert.DoesNotContain(_store.OutboxEntries, e => e.Message.Tag == CouponTopics.Released);
        Assert.True(await _store.ContainsAsync(CouponConsumers.LockTimeoutGroup, "order:order-1:lock-timeout", default));
        Assert.Equal(1, _log.Count(1122));
        Assert.Empty(await _store.ListAsync(10, default));
    }

    [Fact]
    public async Task LockTimeout_Configured5Minutes_ReleasesAfter5Minutes()
    {
        _redemptions = Redemptions(TimeSpan.FromMinutes(5));
        await using var consumers = await StartConsumersAsync();
        await _redemptions.LockAsync("order-1", "user-1", ["coupon-1"]);
        await DispatchAllAsync();

        _time.Advance(TimeSpan.FromMinutes(5));
        await _bus.WhenIdleAsync().WithTimeout();

        Assert.Equal(CouponState.Available, (await CouponAsync(_store, "coupon-1")).State);
    }

    [Fact]
    public async Task LockTimeout_ReleasedByTheShopBefore_IsAlreadyDone()
    {
        await using var consumers = await StartConsumersAsync();
        await _redemptions.LockAsync("order-1", "user-1", ["coupon-1"]);
        await DispatchAllAsync();
        await _redemptions.ReleaseAsync("order-1", "user-1", reason: "payment failed");

        _time.Advance(TimeSpan.FromMinutes(30));
        await _bus.WhenIdleAsync().WithTimeout();

        Assert.Equal(CouponState.Available, (await CouponAsync(_store, "coupon-1")).State);
        Assert.Single(_store.OutboxEntries, e => e.Message.Tag == CouponTopics.Released);
        Assert.Equal(1, _log.Count(1122));
    }

    [Fact]
    public async Task LockTimeout_DeliveredAgainAfterSuccess_SkippedByTheInbox()
    {
        await using var consumers = await StartConsumersAsync();
        await _redemptions.LockAsync("order-1", "user-1", ["coupon-1"]);
        await DispatchAllAsync();
        _time.Advance(TimeSpan.FromMinutes(30));
        await _bus.WhenIdleAsync().WithTimeout();
        var timeout = Assert.Single(_store.OutboxEntries, e => e.Message.Tag == CouponTopics.LockTimeout).Message;

        await _bus.PublishAsync(timeout, default); // the broker delivers it again
        await _bus.WhenIdleAsync().WithTimeout();

        Assert.Equal(1, _log.Count(1121));
        Assert.Equal(1, _log.Count(1120));
    }

    [Fact]
    public async Task PointsRefund_DuplicatePublication_HandledOncePerGroup()
    {
        var ledger = new CountingLedger();
        await using var consumers = await StartConsumersAsync(ledger);
        var otherEffects = 0;
        var other = new InboxGuard(_store, "shop-audit", _log);
        await _bus.SubscribeAsync(Subscription("shop-audit", CouponTopics.PointsRefund), (m, ct) => other.RunOnceAsync(m.Message, _ =>
        {
            Interlocked.Increment(ref otherEffects);
            return Task.Delay(1, ct);
        }, ct), default);
        var refund = PointsRefund("claim:key-1");

        await _bus.PublishAsync(refund, default);
        await _bus.PublishAsync(refund, default);
        await _bus.PublishAsync(refund with { CreatedAt = Shop.Now.AddSeconds(1) }, default);
        await _bus.WhenIdleAsync().WithTimeout();

        Assert.Equal(1, ledger.Calls);
        Assert.Equal(1, otherEffects);
        Assert.True(await _store.ContainsAsync(CouponConsumers.PointsRefundGroup, refund.MessageId, default));
        Assert.True(await _store.ContainsAsync("shop-audit", refund.MessageId, default));
        Assert.Equal(4, _log.Count(1120)); // two skipped copies in each group
    }

    [Fact]
    public async Task PointsRefund_BodyWrittenByCouponClaims_RefundsThePoints()
    {
        var ledger = new InMemoryPointsLedger();
        ledger.SetBalance("user-1", 100);
        Assert.True(await ledger.TryDeductAsync("user-1", 30, "claim:key-1", default));
        await using var consumers = await StartConsumersAsync(ledger);

        await _bus.PublishAsync(PointsRefund("claim:key-1"), default);
        await _bus.WhenIdleAsync().WithTimeout();

        Assert.Equal(100, ledger.BalanceOf("user-1"));
        Assert.Equal(1, _log.Count(1124));
    }

    [Fact]
    public async Task PointsRefund_LedgerFailsTwice_RetriedUntilRefunded()
    {
        var ledger = new CountingLedger(failures: 2);
        await using var consumers = await StartConsumersAsync(ledger);
        var refund = PointsRefund("claim:key-1");

        await _bus.PublishAsync(refund, default);
        await _bus.WhenIdleAsync().WithTimeout();
        Assert.False(await _store.ContainsAsync(CouponConsumers.PointsRefundGroup, refund.MessageId, default)); // not recorded on failure
        _time.Advance(TimeSpan.FromSeconds(1));
        await _bus.WhenIdleAsync().WithTimeout();
        _time.Advance(TimeSpan.FromSeconds(2));
        await _bus.WhenIdleAsync().WithTimeout();

        Assert.Equal((3, 1), (ledger.Calls, ledger.Refunds));
        Assert.True(await _store.ContainsAsync(CouponConsumers.PointsRefundGroup, refund.MessageId, default));
    }

    [Fact]
    public async Task Consumers_StartTwiceAndStop_SubscribeOnceThenUnsubscribe()
    {
        var ledger = new CountingLedger();
        var consumers = new CouponConsumers(_bus, _redemptions, ledger, _store, _log);

        await consumers.StartAsync(default);
        await consumers.StartAsync(default);
        await consumers.StopAsync(default);
        await _bus.PublishAsync(PointsRefund("claim:key-1"), default);
        await _bus.WhenIdleAsync().WithTimeout();
        await consumers.DisposeAsync();

        Assert.Equal(0, ledger.Calls);
    }

    [Fact]
    public async Task SubscribeAll_ReturnsOneHandleForEveryConsumer()
    {
        var ledger = new CountingLedger();
        var consumers = new CouponConsumers(_bus, _redemptions, ledger, _store, _log);

        var handle = await consumers.SubscribeAllAsync(default);
        await _bus.PublishAsync(PointsRefund("claim:key-1"), default);
        await _bus.WhenIdleAsync().WithTimeout();
        await handle.DisposeAsync();
        await _bus.PublishAsync(PointsRefund("claim:key-2"), default);
        await _bus.WhenIdleAsync().WithTimeout();

        Assert.Equal(1, ledger.Calls);
        await consumers.DisposeAsync();
    }

    private static OutboxMessage PointsRefund(string key)
    {
        // the same body and id as CouponClaims writes when the ledger fails
        var body = JsonSerializer.Serialize(new CouponClaims.PointsRefund("user-1", 30, key));
        return new OutboxMessage($"points-refund:{key}", CouponTopics.Coupon, CouponTopics.PointsRefund, "user-1", body, Shop.Now);
    }

    private CouponRedemptions Redemptions(TimeSpan lockTimeout) =>
        new(_store, _time, Options.Create(new CouponKitOptions { LockTimeout = lockTimeout }));

    private async Task<CouponConsumers> StartConsumersAsync(IPointsLedger? ledger = null)
    {
        var consumers = new CouponConsumers(_bus, _redemptions, ledger ?? new CountingLedger(), _store, _log);
        await consumers.StartAsync(default);
        return consumers;
    }

    private async Task DispatchAllAsync()
    {
        while (await _dispatcher.DispatchOnceAsync(default) > 0)
        {
        }

        await _bus.WhenIdleAsync().WithTimeout();
    }
}
