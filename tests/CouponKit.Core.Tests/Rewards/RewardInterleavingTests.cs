using CouponKit.InMemory;
using CouponKit.Redemption;
using CouponKit.Rewards;

namespace CouponKit.Core.Tests.Rewards;

/// <summary>
/// The interleaving a paid event and a refund can have: the refund lands after the paid event checked the tombstone and before
/// it issued, so the refund finds no coupon. The paid event's second check must then take back what it issued.
/// </summary>
public sealed class RewardInterleavingTests
{
    [Fact]
    public async Task Refunded_BetweenThePaidEventsCheckAndItsIssue_TheRewardIsRevoked()
    {
        await using var h = new RewardHarness();
        await h.RewardTemplateAsync();
        var ledger = new InterleavingLedger();
        var options = new RewardOptions();
        options.Rules.Add(new RewardRule { RuleId = RewardHarness.Rule, TemplateId = "t20", MinimumOrderAmount = 300m, Currency = "CNY" });
        var sut = new RewardConsumers(h.Bus, h.Store, h.Store, h.Store, ledger, h.Store, h.Store, h.Time, Microsoft.Extensions.Options.Options.Create(options));
        IReadOnlyList<(string, RewardOutcome)>? refund = null;
        ledger.AfterFirstCheck = async () => refund = await sut.Engine.RefundedAsync(RewardHarness.Refunded("o1"), CancellationToken.None);

        var paid = await sut.Engine.PaidAsync(RewardHarness.Paid("o1"), CancellationToken.None);

        Assert.Equal([(RewardHarness.Rule, RewardOutcome.NothingIssued)], refund); // the refund came before the coupon existed
        Assert.Equal([(RewardHarness.Rule, RewardOutcome.Revoked)], paid);
        Assert.Equal(CouponState.Revoked, Assert.Single(h.Rewards).State);
    }

    /// <summary>A ledger that runs an action right after the first tombstone check has answered "not refunded".</summary>
    private sealed class InterleavingLedger : IRewardLedger
    {
        private readonly InMemoryRewardLedger _inner = new();
        private int _checks;

        public Func<Task>? AfterFirstCheck { get; set; }

        public Task<bool> MarkRefundedAsync(string orderId, DateTimeOffset refundedAt, CancellationToken cancellationToken) => _inner.MarkRefundedAsync(orderId, refundedAt, cancellationToken);

        public async Task<bool> IsRefundedAsync(string orderId, CancellationToken cancellationToken)
        {
            var refunded = await _inner.IsRefundedAsync(orderId, cancellationToken);
            if (Interlocked.Increment(ref _checks) == 1 && AfterFirstCheck is { } action)
            {
                await action();
            }

            return refunded;
        }

        public Task<bool> AddLossAsync(RewardLoss loss, CancellationToken cancellationToken) => _inner.AddLossAsync(loss, cancellationToken);

        public Task<IReadOnlyList<RewardLoss>> ListLossesAsync(DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken) => _inner.ListLossesAsync(from, until, cancellationToken);
    }
}
