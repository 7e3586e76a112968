using CouponKit.InMemory;
using CouponKit.Messaging;
using CouponKit.Ports;
using Microsoft.Extensions.Time.Testing;

namespace CouponKit.Core.Tests.Gate;

public sealed class InMemoryTransactionalMessageBusTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero));
    private readonly RecordingBus _bus = new();
    private readonly ScriptedResolver _resolver = new();

    [Fact]
    public async Task Publish_LocalCommits_MessageDelivered()
    {
        using var tx = new InMemoryTransactionalMessageBus(_bus, _resolver, _clock);

        Assert.Equal(TransactionOutcome.Committed, await tx.PublishInTransactionAsync(Message("m1"), _ => Task.FromResult(true), default));
        Assert.Equal(["m1"], _bus.Published);
    }

    [Fact]
    public async Task Publish_LocalRollsBack_NothingDelivered()
    {
        using var tx = new InMemoryTransactionalMessageBus(_bus, _resolver, _clock);

        Assert.Equal(TransactionOutcome.RolledBack, await tx.PublishInTransactionAsync(Message("m1"), _ => Task.FromResult(false), default));
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Empty(_bus.Published);
        Assert.Equal(0, _resolver.Calls);
    }

    [Fact]
    public async Task Publish_CrashAfterLocalCommit_CheckBackCommitsOnce()
    {
        using var tx = new InMemoryTransactionalMessageBus(_bus, _resolver, _clock);
        _resolver.Answers.Enqueue(TransactionOutcome.Unknown);
        _resolver.Answers.Enqueue(TransactionOutcome.Committed);

        var outcome = await tx.PublishInTransactionAsync(Message("m1"), _ => throw new InvalidOperationException("crash"), default);

        Assert.Equal(TransactionOutcome.Unknown, outcome);
        Assert.Empty(_bus.Published);
        _clock.Advance(TimeSpan.FromMinutes(1));
        await _resolver.WaitForCallsAsync(1);
        for (var i = 0; i < 500 && tx.PendingChecks == 0; i++)
        {
            await Task.Delay(10); // the unknown answer reschedules the check from the timer's thread
        }

        Assert.Empty(_bus.Published);
        Assert.Equal(1, tx.PendingChecks);
        _clock.Advance(TimeSpan.FromMinutes(1));
        await _bus.WaitForAsync(1);
        Assert.Equal(["m1"], _bus.Published);
        Assert.Equal(0, tx.PendingChecks);
    }

    [Fact]
    public async Task Publish_CrashAndResolverSaysRollback_NeverDelivered()
    {
        using var tx = new InMemoryTransactionalMessageBus(_bus, _resolver, _clock);
        _resolver.Answers.Enqueue(TransactionOutcome.RolledBack);

        await tx.PublishInTransactionAsync(Message("m1"), _ => throw new InvalidOperationException("crash"), default);
        _clock.Advance(TimeSpan.FromMinutes(1));
        await _resolver.WaitForCallsAsync(1);
        _clock.Advance(TimeSpan.FromHours(1));

        Assert.Empty(_bus.Published);
        Assert.Equal(1, _resolver.Calls);
    }

    private static OutboxMessage Message(string id) => new(id, CouponTopics.Coupon, CouponTopics.Issued, "t1", "{}", DateTimeOffset.UnixEpoch);

    private sealed class RecordingBus : IMessageBus
    {
        private readonly List<string> _published = [];

        public IReadOnlyList<string> Published
        {
            get
            {
                lock (_published)
                {
                    return _published.ToArray();
                }
            }
        }

        public Task PublishAsync(OutboxMessage message, CancellationToken cancellationToken)
        {
            lock (_published)
            {
                _published.Add(message.MessageId);
            }

            return Task.CompletedTask;
        }

        public Task<IAsyncDisposable> SubscribeAsync(Subscription subscription, Func<IncomingMessage, CancellationToken, Task> handler, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public async Task WaitForAsync(int count)
        {
            for (var i = 0; i < 500 && Published.Count < count; i++)
            {
                await Task.Delay(10);
            }
        }
    }

    private sealed class ScriptedResolver : ITransactionCheckResolver
    {
        private int _calls;

        public Queue<TransactionOutcome> Answers { get; } = new();

        public int Calls => Volatile.Read(ref _calls);

        public Task<TransactionOutcome> ResolveAsync(OutboxMessage message, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            lock (Answers)
            {
                return Task.FromResult(Answers.Count > 0 ? Answers.Dequeue() : TransactionOutcome.Unknown);
            }
        }

        public async Task WaitForCallsAsync(int count)
        {
            for (var i = 0; i < 500 && Calls < count; i++)
            {
                await Task.Delay(10);
            }
        }
    }
}
