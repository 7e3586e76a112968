using CouponKit.EfCore.Stores;
using CouponKit.EfCore.Tests.Postgres;
using CouponKit.EfCore.Tests.Segments;
using CouponKit.InMemory;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Redemption;
using CouponKit.Rewards;
using CouponKit.Rules;
using CouponKit.Statistics;
using Microsoft.Extensions.Time.Testing;

namespace CouponKit.EfCore.Tests.Rewards;

/// <summary>
/// Order rewards on the EF Core store: the same scenario of duplicated, reordered and late events as in memory, the conditional
/// revocation, and the ledger of refunds and losses.
/// </summary>
public abstract class RewardStoreTests : DatabaseTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(T0);

    [Fact]
    public async Task Events_DuplicatedReorderedAndLate_OneRewardPerOrderAndRefundsTakeItBack()
    {
        var store = await CreateStoreAsync();
        var templates = new CouponTemplates(store, _time);
        var redemptions = new CouponRedemptions(store, _time, Microsoft.Extensions.Options.Options.Create(new CouponKitOptions()));
        await templates.ActivateAsync((await templates.CreateAsync(new TemplateDraft
        {
            Id = "t20",
            Name = "Thank you: 20 off",
            Rule = new ThresholdRebateRule(Threshold.Spend(Money.Of(100m, "CNY")), Money.Of(20m, "CNY")),
            TotalInventory = 100,
            PerUserLimit = 10,
            Validity = CouponValidity.ForDaysAfterClaim(30),
        })).Id);
        await using var bus = new InMemoryMessageBus(_time, store);
        var options = new RewardOptions();
        options.Rules.Add(new RewardRule { RuleId = "r300", TemplateId = "t20", MinimumOrderAmount = 300m, Currency = "CNY" });
        var consumers = new RewardConsumers(bus, store, store, store, store, store, store, _time, Microsoft.Extensions.Options.Options.Create(options));
        await consumers.StartAsync(default);
        try
        {
            // o1: paid twice, refunded, paid again late. o2: refunded before paid. o3: paid, then re-sent under another id.
            // o4: paid, its reward used by order o9, then refunded twice. o5: below the threshold.
            await PublishAsync(bus, Paid("o1", "u1"), Paid("o1", "u1"), Paid("o3", "u3"), Paid("o4", "u4"), Paid("o5", "u5", 299m), Refunded("o2", "u2"));
            await PublishAsync(bus, Refunded("o1", "u1"), Paid("o2", "u2"), Paid("o3", "u3") with { MessageId = "resent-o3" });
            var o4 = (await store.FindByClaimKeyAsync("reward:r300:o4", default))!;
            Assert.True((await redemptions.LockAsync("o9", "u4", [o4.CouponId])).Succeeded);
            Assert.True((await redemptions.ConfirmAsync("o9", "u4")).Succeeded);
            await store.RecordAsync([new CouponDiscount("o9", o4.CouponId, Money.Of(20m, "CNY"))], default);
            _time.Advance(TimeSpan.FromDays(2));
            await PublishAsync(bus, Refunded("o4", "u4"), Refunded("o4", "u4") with { MessageId = "resent-o4" }, Paid("o1", "u1") with { MessageId = "late-o1" });

            Assert.Equal(CouponState.Revoked, (await RewardOf(store, "o1"))!.State);
            Assert.Null(await RewardOf(store, "o2"));
            Assert.Equal(CouponState.Available, (await RewardOf(store, "o3"))!.State);
            Assert.Equal(CouponState.Used, (await RewardOf(store, "o4"))!.State);
            Assert.Null(await RewardOf(store, "o5"));
            foreach (var user in new[] { "u1", "u2", "u3", "u4", "u5" })
            {
                Assert.True((await store.ListByUserAsync(user, default)).Count <= 1, user);
            }

            Assert.Equal(new TemplateStock(100, 3), await store.GetStockAsync("t20", default));
            var loss = Assert.Single(await store.ListLossesAsync(T0, T0.AddDays(3), default));
            Assert.Equal(new RewardLoss("r300", "o4", o4.CouponId, "t20", "u4", "o9", Money.Of(20m, "CNY"), T0.AddDays(2)), loss);
            Assert.True(await store.IsRefundedAsync("o2", default));
        }
        finally
        {
            await consumers.StopAsync(default);
        }
    }

    [Fact]
    public async Task TryRevokeAsync_OnlyAnAvailableCouponMovesAndOnlyOnce()
    {
        var store = await CreateStoreAsync();
        var templates = new CouponTemplates(store, _time);
        var redemptions = new CouponRedemptions(store, _time, Microsoft.Extensions.Options.Options.Create(new CouponKitOptions()));
        await templates.CreateAsync(new TemplateDraft
        {
            Id = "t1",
            Name = "10 off",
            Rule = new ThresholdRebateRule(Threshold.Spend(Money.Of(100m, "CNY")), Money.Of(10m, "CNY")),
            TotalInventory = 10,
            Validity = CouponValidity.ForDaysAfterClaim(7),
        });
        var coupon = new IssuedCoupon("c1", "t1", "u1", CouponState.Available, T0, T0.AddDays(7), T0, ClaimChannels.Push, null, 1);
        await store.IssueAsync(new IssueCommand("k1", coupon, 1, []), default);
        var revokedEvent = new OutboxMessage("coupon:c1:revoked", CouponTopics.Coupon, RewardConsumers.RevokedTag, "c1", "{}", T0);
        await redemptions.LockAsync("o1", "u1", ["c1"]);

        Assert.Null(await store.TryRevokeAsync("c1", [revokedEvent], default)); // locked: unchanged
        Assert.Null(await store.TryRevokeAsync("no-such-coupon", [revokedEvent], default));
        await redemptions.ReleaseAsync("o1", "u1");
        var revoked = await store.TryRevokeAsync("c1", [revokedEvent], default);
        Assert.Null(await store.TryRevokeAsync("c1", [revokedEvent], default));

        Assert.Equal((CouponState.Revoked, 4L), (revoked!.State, revoked.Version));
        Assert.Equal(revoked, await ((ICouponStore)store).FindAsync("c1", default));
        var due = await store.LeaseDueAsync(T0.AddDays(1), 100, TimeSpan.FromMinutes(1), default);
        Assert.Single(due, e => e.Message.Tag == RewardConsumers.RevokedTag);
        Assert.Equal(RedemptionRefusal.CouponNotAvailable, (await redemptions.LockAsync("o2", "u1", ["c1"])).Refusal);
    }

    [Fact]
    public async Task Ledger_RefundsAndLossesAreRecordedOnce()
    {
        var store = await CreateStoreAsync();
        var loss = new RewardLoss("r1", "o1", "c1", "t1", "u1", null, null, T0);

        Assert.False(await store.IsRefundedAsync("o1", default));
        Assert.True(await store.MarkRefundedAsync("o1", T0, default));
        Assert.False(await store.MarkRefundedAsync("o1", T0.AddHours(1), default));
        Assert.True(await store.IsRefundedAsync("o1", default));
        Assert.True(await store.AddLossAsync(loss, default));
        Assert.False(await store.AddLossAsync(loss with { CouponId = "c2" }, default));

        Assert.Equal([loss], await store.ListLossesAsync(T0, T0.AddTicks(1), default));
        Assert.Empty(await store.ListLossesAsync(T0.AddTicks(1), T0.AddDays(1), default));
    }

    private static OutboxMessage Paid(string orderId, string userId, decimal amount = 350m) => OrderEvents.Paid(new OrderPaid(orderId, userId, amount, "CNY", T0));

    private static OutboxMessage Refunded(string orderId, string userId) => OrderEvents.Refunded(new OrderRefunded(orderId, userId, T0));

    private static Task<IssuedCoupon?> RewardOf(EfCoreCouponKitStore<CouponKitDbContext> store, string orderId) =>
        store.FindByClaimKeyAsync("reward:r300:" + orderId, default);

    private static async Task PublishAsync(InMemoryMessageBus bus, params OutboxMessage[] messages)
    {
        foreach (var message in messages)
        {
            await bus.PublishAsync(message, default);
        }

        await bus.WhenIdleAsync();
    }

    private async Task<EfCoreCouponKitStore<CouponKitDbContext>> CreateStoreAsync() =>
        (await CreateDatabaseAsync()).CreateStore(new EfCoreCouponKitOptions { MaxAttempts = 100 }, _time);
}

/// <summary>Order rewards on SQLite.</summary>
public sealed class SqliteRewardStoreTests : RewardStoreTests
{
    private protected override Task<TestDatabase> CreateDatabaseCoreAsync() => Task.FromResult(TestDatabase.Sqlite());
}

/// <summary>Order rewards on PostgreSQL 15.</summary>
[Collection(PostgresFixture.Name)]
public sealed class PostgresRewardStoreTests(PostgresServer server) : RewardStoreTests
{
    private protected override Task<TestDatabase> CreateDatabaseCoreAsync() => TestDatabase.PostgresAsync(server, "rewards");
}
