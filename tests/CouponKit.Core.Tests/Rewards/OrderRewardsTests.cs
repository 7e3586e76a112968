using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Redemption;
using CouponKit.Rewards;
using CouponKit.Statistics;

namespace CouponKit.Core.Tests.Rewards;

/// <summary>Order rewards: one reward per order and rule whatever the events' duplication and order; refunds take it back.</summary>
public sealed class OrderRewardsTests : IAsyncDisposable
{
    private readonly RewardHarness _h = new();

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    [Fact]
    public async Task Paid_OverTheThreshold_IssuesOneRewardValid30Days()
    {
        var template = await _h.RewardTemplateAsync();

        await _h.PaidAsync(RewardHarness.Paid("o1", 300m));

        var reward = Assert.Single(_h.Rewards);
        Assert.Equal((template.Id, "u1", CouponState.Available), (reward.TemplateId, reward.UserId, reward.State));
        Assert.Equal(Shop.Now.AddDays(30), reward.ValidUntil);
        Assert.Equal(reward, await _h.RewardOfAsync("o1"));
        Assert.Equal(new TemplateStock(_h.Inventory, 1), await _h.Templates.GetStockAsync(template.Id));
    }

    [Fact]
    public async Task Paid_BelowTheThresholdOrInAnotherCurrency_IssuesNothing()
    {
        await _h.RewardTemplateAsync();

        await _h.PaidAsync(RewardHarness.Paid("o1", 299.99m));
        await _h.PaidAsync(new OrderPaid("o2", "u1", 5_000m, "USD", Shop.Now));

        Assert.Empty(_h.Rewards);
    }

    [Fact]
    public async Task Paid_DuplicatedAndRepublishedThroughTheBus_IssuesOneReward()
    {
        await _h.RewardTemplateAsync();
        await _h.Sut.StartAsync(CancellationToken.None);
        var message = OrderEvents.Paid(RewardHarness.Paid("o1"));

        await _h.Bus.PublishAsync(message, CancellationToken.None);
        await _h.Bus.PublishAsync(message, CancellationToken.None);
        await _h.Bus.PublishAsync(message with { MessageId = "shop-retry-1" }, CancellationToken.None); // the shop re-sent it under another id
        await _h.Bus.WhenIdleAsync();

        Assert.Single(_h.Rewards);
        Assert.True(await _h.Store.ContainsAsync(RewardConsumers.PaidGroup, message.MessageId, CancellationToken.None));
    }

    [Fact]
    public async Task StartAsync_WithoutRules_SubscribesNothing()
    {
        await using var h = new RewardHarness(rules: []);
        await h.RewardTemplateAsync();
        await h.Sut.StartAsync(CancellationToken.None);

        await h.Bus.PublishAsync(OrderEvents.Paid(RewardHarness.Paid("o1")), CancellationToken.None);
        await h.Bus.WhenIdleAsync();

        Assert.False(await h.Store.ContainsAsync(RewardConsumers.PaidGroup, "order:o1:paid", CancellationToken.None));
        Assert.Empty(h.Rewards);
    }

    [Fact]
    public async Task Refunded_UnusedReward_IsRevokedAndCannotBeLocked()
    {
        await _h.RewardTemplateAsync();
        await _h.PaidAsync(RewardHarness.Paid("o1"));

        await _h.RefundedAsync(RewardHarness.Refunded("o1"));
        await _h.RefundedAsync(RewardHarness.Refunded("o1"), attempt: 2);

        var reward = Assert.Single(_h.Rewards);
        Assert.Equal(CouponState.Revoked, reward.State);
        Assert.Equal(2, reward.Version);
        var locked = await _h.Redemptions.LockAsync("o2", "u1", [reward.CouponId]);
        Assert.Equal(RedemptionRefusal.CouponNotAvailable, locked.Refusal);
        var revoked = Assert.Single(_h.Store.OutboxEntries, e => e.Message.Tag == RewardConsumers.RevokedTag);
        var body = CouponEvents.Read<CouponRevoked>(revoked.Message);
        Assert.Equal((reward.CouponId, RewardHarness.Rule, "o1"), (body.CouponId, body.RuleId, body.OrderId));
    }

    [Fact]
    public async Task Paid_LateAfterTheRewardWasRevoked_IssuesNothingNew()
    {
        await _h.RewardTemplateAsync();
        await _h.PaidAsync(RewardHarness.Paid("o1"));
        await _h.RefundedAsync(RewardHarness.Refunded("o1"));
        _h.Time.Advance(TimeSpan.FromDays(3));

        await _h.Sut.Engine.PaidAsync(RewardHarness.Paid("o1"), CancellationToken.None); // late, and past the inbox

        Assert.Equal(CouponState.Revoked, Assert.Single(_h.Rewards).State);
    }

    [Fact]
    public async Task Refunded_AfterTheRewardWasUsed_RecordsTheLossOnce()
    {
        await _h.RewardTemplateAsync();
        await _h.PaidAsync(RewardHarness.Paid("o1"));
        var reward = (await _h.RewardOfAsync("o1"))!;
        Assert.True((await _h.Redemptions.LockAsync("o2", "u1", [reward.CouponId])).Succeeded);
        Assert.True((await _h.Redemptions.ConfirmAsync("o2", "u1")).Succeeded);
        await _h.Store.RecordAsync([new CouponDiscount("o2", reward.CouponId, Shop.Cny(20m))], CancellationToken.None);
        _h.Time.Advance(TimeSpan.FromDays(1));

        await _h.RefundedAsync(RewardHarness.Refunded("o1"));
        await _h.Sut.Engine.RefundedAsync(RewardHarness.Refunded("o1"), CancellationToken.None);

        var loss = Assert.Single(await _h.Ledger.ListLossesAsync(Shop.Now, Shop.Now.AddDays(2), CancellationToken.None));
        Assert.Equal(new RewardLoss(RewardHarness.Rule, "o1", reward.CouponId, "t20", "u1", "o2", Shop.Cny(20m), Shop.Now.AddDays(1)), loss);
        Assert.Equal(CouponState.Used, (await _h.RewardOfAsync("o1"))!.State);
    }

    [Fact]
    public async Task Refunded_WhileTheRewardIsLocked_RevokesItOnceTheLockIsReleased()
    {
        await _h.RewardTemplateAsync();
        await _h.Sut.StartAsync(CancellationToken.None);
        await _h.Bus.PublishAsync(OrderEvents.Paid(RewardHarness.Paid("o1")), CancellationToken.None);
        await _h.Bus.WhenIdleAsync();
        var reward = (await _h.RewardOfAsync("o1"))!;
        await _h.Redemptions.LockAsync("o2", "u1", [reward.CouponId]);

        await _h.Bus.PublishAsync(OrderEvents.Refunded(RewardHarness.Refunded("o1")), CancellationToken.None);
        await _h.Bus.WhenIdleAsync();
        Assert.Equal(CouponState.Locked, (await _h.RewardOfAsync("o1"))!.State);
        await _h.Redemptions.ReleaseAsync("o2", "u1");
        await _h.AdvanceAsync(TimeSpan.FromMinutes(5));

        Assert.Equal(CouponState.Revoked, (await _h.RewardOfAsync("o1"))!.State);
        Assert.Empty(await _h.Ledger.ListLossesAsync(DateTimeOffset.MinValue, DateTimeOffset.MaxValue, CancellationToken.None));
    }

    [Fact]
    public async Task RefundedBeforePaid_ThePaidEventIssuesNothing()
    {
        await _h.RewardTemplateAsync();

        await _h.RefundedAsync(RewardHarness.Refunded("o1"));
        await _h.PaidAsync(RewardHarness.Paid("o1"));

        Assert.Empty(_h.Rewards);
        Assert.True(await _h.Ledger.IsRefundedAsync("o1", CancellationToken.None));
    }

    [Fact]
    public async Task Paid_RuleOfAnUnknownTemplate_ThrowsItsTypedErrorAndChangesNothing()
    {
        var message = OrderEvents.Paid(RewardHarness.Paid("o1"));

        var ex = await Assert.ThrowsAsync<TemplateNotFoundException>(() => _h.Sut.HandlePaidAsync(new IncomingMessage(message, 1), CancellationToken.None));

        Assert.Equal("t20", ex.TemplateId);
        Assert.Empty(_h.Store.Coupons);
        Assert.Empty(_h.Store.OutboxEntries);
        Assert.False(await _h.Store.ContainsAsync(RewardConsumers.PaidGroup, message.MessageId, CancellationToken.None)); // retried, then dead-lettered
    }

    [Fact]
    public async Task Paid_TemplateThatDoesNotAllowPush_IssuesNothing()
    {
        await _h.RewardTemplateAsync(channels: ClaimChannels.Grab);

        await _h.PaidAsync(RewardHarness.Paid("o1"));

        Assert.Empty(_h.Rewards);
    }

    [Fact]
    public async Task Paid_SoldOutOrAtTheUsersLimit_IssuesNothingMore()
    {
        await using var h = new RewardHarness(inventory: 2, perUserLimit: 1);
        await h.RewardTemplateAsync();

        await h.PaidAsync(RewardHarness.Paid("o1", userId: "u1"));
        await h.PaidAsync(RewardHarness.Paid("o2", userId: "u1")); // at the per-user limit
        await h.PaidAsync(RewardHarness.Paid("o3", userId: "u2"));
        await h.PaidAsync(RewardHarness.Paid("o4", userId: "u3")); // sold out

        Assert.Equal(["o1", "o3"], (await Task.WhenAll(new[] { "o1", "o2", "o3", "o4" }.Select(async o => (o, await h.RewardOfAsync(o))))).Where(x => x.Item2 is not null).Select(x => x.o));
    }

    [Fact]
    public async Task PaidAndRefunded_RacingOnManyOrders_LeaveNoUsableRewardOnARefundedOrder()
    {
        await _h.RewardTemplateAsync();
        var orders = Enumerable.Range(0, 200).Select(i => $"o{i}").ToArray();

        await Task.WhenAll(orders.SelectMany(o => new[]
        {
            Task.Run(() => _h.Sut.Engine.PaidAsync(RewardHarness.Paid(o, userId: "u-" + o), CancellationToken.None)),
            Task.Run(() => _h.Sut.Engine.RefundedAsync(RewardHarness.Refunded(o, "u-" + o), CancellationToken.None)),
        }));

        foreach (var order in orders)
        {
            var reward = await _h.RewardOfAsync(order);
            Assert.True(reward is null || reward.State == CouponState.Revoked, $"{order}: {reward?.State}");
        }
    }
}
