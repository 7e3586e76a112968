using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Redemption;
using CouponKit.RocketMQ.Bus;
using Microsoft.Extensions.Logging.Abstractions;

namespace CouponKit.RocketMQ.Tests.Bus;

/// <summary>
/// The decorator that turns an issue's Issued event into a transactional message around the store's transaction: what it sends,
/// what it tells the broker for each store answer, and that the store's failure reaches the caller.
/// </summary>
public sealed class TransactionalIssuedCouponStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task IssueAsync_Issued_SendsTheIssuedEventTransactionallyAndCommits_OtherEventsStayInTheCommand()
    {
        var coupon = Coupon("c1");
        var other = new OutboxMessage("m-other", CouponTopics.Coupon, CouponTopics.TemplateChanged, "t1", "{}", T0);
        var store = new FakeStore(_ => new IssueOutcome(IssueStatus.Issued, coupon));
        var bus = new RecordingBus();
        var sut = new TransactionalIssuedCouponStore(store, bus, NullLogger.Instance);

        var outcome = await sut.IssueAsync(new IssueCommand("key-1", coupon, 1, [CouponEvents.Issued(coupon, "key-1"), other]), default);

        Assert.Equal(IssueStatus.Issued, outcome.Status);
        var sent = Assert.Single(bus.Sent);
        Assert.Equal(CouponEvents.Issued(coupon, "key-1"), sent.Message);
        Assert.True(sent.Commit);
        Assert.Equal([other], Assert.Single(store.Commands).Events);
    }

    [Theory]
    [InlineData(IssueStatus.SoldOut, false)]
    [InlineData(IssueStatus.LimitReached, false)]
    [InlineData(IssueStatus.KeyConflict, false)]
    public async Task IssueAsync_Refused_RollsTheMessageBack(IssueStatus status, bool commit)
    {
        var coupon = Coupon("c1");
        var bus = new RecordingBus();
        var sut = new TransactionalIssuedCouponStore(new FakeStore(_ => new IssueOutcome(status, null)), bus, NullLogger.Instance);

        var outcome = await sut.IssueAsync(new IssueCommand("key-1", coupon, 1, [CouponEvents.Issued(coupon, "key-1")]), default);

        Assert.Equal(status, outcome.Status);
        Assert.Equal(commit, Assert.Single(bus.Sent).Commit);
    }

    [Fact]
    public async Task IssueAsync_ReplayOfThisCoupon_Commits_ReplayOfAnEarlierClaim_RollsBack()
    {
        // The store's commit went through but its answer was lost, and its retry read the claim back: the coupon is this one.
        var coupon = Coupon("c1");
        var bus = new RecordingBus();
        var own = new TransactionalIssuedCouponStore(new FakeStore(_ => new IssueOutcome(IssueStatus.Replayed, coupon)), bus, NullLogger.Instance);
        var earlier = new TransactionalIssuedCouponStore(new FakeStore(_ => new IssueOutcome(IssueStatus.Replayed, Coupon("c0"))), bus, NullLogger.Instance);

        await own.IssueAsync(new IssueCommand("key-1", coupon, 1, [CouponEvents.Issued(coupon, "key-1")]), default);
        await earlier.IssueAsync(new IssueCommand("key-1", coupon, 1, [CouponEvents.Issued(coupon, "key-1")]), default);

        Assert.Equal([true, false], bus.Sent.Select(s => s.Commit));
    }

    [Fact]
    public async Task IssueAsync_StoreThrows_TheCallerGetsTheErrorAndTheBrokerDecidesByCheckBack()
    {
        var coupon = Coupon("c1");
        var bus = new RecordingBus();
        var sut = new TransactionalIssuedCouponStore(new FakeStore(_ => throw new TimeoutException("the database went away")), bus, NullLogger.Instance);

        var ex = await Assert.ThrowsAsync<TimeoutException>(() => sut.IssueAsync(new IssueCommand("key-1", coupon, 1, [CouponEvents.Issued(coupon, "key-1")]), default));

        Assert.Equal("the database went away", ex.Message);
        Assert.Null(Assert.Single(bus.Sent).Commit);
    }

    [Fact]
    public async Task IssueAsync_HalfMessageCannotBeSent_StoreIsNotTouched()
    {
        var coupon = Coupon("c1");
        var store = new FakeStore(_ => new IssueOutcome(IssueStatus.Issued, coupon));
        var sut = new TransactionalIssuedCouponStore(store, new RecordingBus { SendFails = true }, NullLogger.Instance);

        await Assert.ThrowsAsync<RocketMQException>(() => sut.IssueAsync(new IssueCommand("key-1", coupon, 1, [CouponEvents.Issued(coupon, "key-1")]), default));

        Assert.Empty(store.Commands);
    }

    [Fact]
    public async Task IssueAsync_NoIssuedEvent_GoesStraightToTheStore()
    {
        var coupon = Coupon("c1");
        var store = new FakeStore(_ => new IssueOutcome(IssueStatus.Issued, coupon));
        var bus = new RecordingBus();
        var sut = new TransactionalIssuedCouponStore(store, bus, NullLogger.Instance);
        var command = new IssueCommand("key-1", coupon, 1, []);

        await sut.IssueAsync(command, default);

        Assert.Empty(bus.Sent);
        Assert.Same(command, Assert.Single(store.Commands));
    }

    private static IssuedCoupon Coupon(string id) => new(id, "t1", "alice", CouponState.Available, T0, T0.AddDays(7), T0, ClaimChannels.Grab, null, 1);

    private sealed class RecordingBus : ITransactionalMessageBus
    {
        public List<(OutboxMessage Message, bool? Commit)> Sent { get; } = [];

        public bool SendFails { get; init; }

        public async Task<TransactionOutcome> PublishInTransactionAsync(OutboxMessage message, Func<CancellationToken, Task<bool>> localTransaction, CancellationToken cancellationToken)
        {
            if (SendFails)
            {
                throw new RocketMQException(RocketMQStatusCode.InternalServerError, "the proxy is down");
            }

            bool commit;
            try
            {
                commit = await localTransaction(cancellationToken);
            }
            catch (Exception)
            {
                Sent.Add((message, null));
                return TransactionOutcome.Unknown;
            }

            Sent.Add((message, commit));
            return commit ? TransactionOutcome.Committed : TransactionOutcome.RolledBack;
        }
    }

    private sealed class FakeStore(Func<IssueCommand, IssueOutcome> issue) : ICouponStore
    {
        public List<IssueCommand> Commands { get; } = [];

        public Task<IssueOutcome> IssueAsync(IssueCommand command, CancellationToken cancellationToken)
        {
            Commands.Add(command);
            return Task.FromResult(issue(command));
        }

        public Task<IssuedCoupon?> FindByClaimKeyAsync(string claimKey, CancellationToken cancellationToken) => Task.FromResult<IssuedCoupon?>(null);

        public Task<IssuedCoupon?> FindAsync(string couponId, CancellationToken cancellationToken) => Task.FromResult<IssuedCoupon?>(null);

        public Task<IReadOnlyList<IssuedCoupon>> ListByUserAsync(string userId, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<IssuedCoupon>>([]);
    }
}
