using CouponKit.InMemory;
using CouponKit.Messaging;
using CouponKit.Ports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static CouponKit.Core.Tests.Messaging.MessagingTestKit;

namespace CouponKit.Core.Tests.Messaging;

public sealed class OutboxDispatcherTests
{
    private readonly FakeTimeProvider _time = Clock();
    private readonly InMemoryCouponKitStore _store = new();
    private readonly FakeBus _bus = new();
    private readonly ListLogger<OutboxDispatcher> _log = new();

    [Fact]
    public async Task DispatchOnce_SeveralKeys_PublishesOnePerKeyPerSweepInWrittenOrder()
    {
        await AddToOutboxAsync(_store, "t1", Message("a1", key: "A"), Message("a2", key: "A"), Message("b1", key: "B"), Message("a3", key: "A"), Message("c1", key: "C"));
        var sut = CreateSut();

        Assert.Equal(3, await sut.DispatchOnceAsync(default));
        Assert.Equal(["a1", "b1", "c1"], _bus.Published.Select(m => m.MessageId));

        Assert.Equal(1, await sut.DispatchOnceAsync(default));
        Assert.Equal(1, await sut.DispatchOnceAsync(default));
        Assert.Equal(0, await sut.DispatchOnceAsync(default));

        Assert.Equal(["a1", "a2", "a3"], _bus.Published.Where(m => m.Key == "A").Select(m => m.MessageId));
        Assert.All(_store.OutboxEntries, e => Assert.Equal(OutboxStatus.Published, e.Status));
    }

    [Fact]
    public async Task DispatchOnce_BatchSize_LimitsOneSweep()
    {
        await AddToOutboxAsync(_store, "t1", Enumerable.Range(0, 5).Select(i => Message("m" + i, key: "k" + i)).ToArray());
        var sut = CreateSut(o => o.BatchSize = 2);

        Assert.Equal(2, await sut.DispatchOnceAsync(default));
        Assert.Equal(2, await sut.DispatchOnceAsync(default));
        Assert.Equal(1, await sut.DispatchOnceAsync(default));
    }

    [Fact]
    public async Task DispatchOnce_DelayedMessage_PublishedAtOnceForTheBusToHold()
    {
        await AddToOutboxAsync(_store, "t1", Message("later", deliverAt: Shop.Now.AddMinutes(30)));

        Assert.Equal(1, await CreateSut().DispatchOnceAsync(default));
        Assert.Equal(Shop.Now.AddMinutes(30), Assert.Single(_bus.Published).DeliverAt);
    }

    [Fact]
    public async Task DispatchOnce_BusFailing_RetriedWithExponentialBackoffAndHoldsTheKey()
    {
        _bus.Fails = (m, _) => m.MessageId == "a1" && _bus.Calls <= 3;
        await AddToOutboxAsync(_store, "t1", Message("a1", key: "A"), Message("a2", key: "A"));
        var sut = CreateSut();

        Assert.Equal(0, await sut.DispatchOnceAsync(default)); // attempt 1 fails: next in 1 s
        foreach (var backoff in new[] { 1, 2 })
        {
            _time.Advance(TimeSpan.FromSeconds(backoff) - TimeSpan.FromTicks(1));
            var calls = _bus.Calls;
            Assert.Equal(0, await sut.DispatchOnceAsync(default));
            Assert.Equal(calls, _bus.Calls); // not due yet, and a2 waits behind a1

            _time.Advance(TimeSpan.FromTicks(1));
            Assert.Equal(0, await sut.DispatchOnceAsync(default)); // attempts 2 and 3 fail
            Assert.Equal(calls + 1, _bus.Calls);
        }

        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(1, await sut.DispatchOnceAsync(default));
        Assert.Equal(1, await sut.DispatchOnceAsync(default));

        Assert.Equal(["a1", "a2"], _bus.Published.Select(m => m.MessageId));
        Assert.Equal(3, _log.Count(1111));
        var a1 = Assert.Single(_store.OutboxEntries, e => e.Message.MessageId == "a1");
        Assert.Equal((4, OutboxStatus.Published), (a1.Attempts, a1.Status));
    }

    [Fact]
    public async Task DispatchOnce_BusAlwaysFailing_MarkedDeadAfterMaxAttempts()
    {
        _bus.Fails = (m, _) => m.MessageId == "a1";
        await AddToOutboxAsync(_store, "t1", Message("a1", key: "A"), Message("a2", key: "A"));
        var sut = CreateSut();

        for (var i = 0; i < 16; i++)
        {
            Assert.Equal(0, await sut.DispatchOnceAsync(default));
            _time.Advance(TimeSpan.FromMinutes(5)); // MaxBackoff
        }

        Assert.Equal(16, _bus.Calls);
        var a1 = Assert.Single(_store.OutboxEntries, e => e.Message.MessageId == "a1");
        Assert.Equal((16, OutboxStatus.Dead), (a1.Attempts, a1.Status));
        Assert.Equal(15, _log.Count(1111));
        var dead = Assert.Single(_log.Entries, e => e.Id.Id == 1112);
        Assert.Equal(LogLevel.Warning, dead.Level);

        Assert.Equal(1, await sut.DispatchOnceAsync(default)); // a dead message no longer holds its key
        Assert.Equal(0, await sut.DispatchOnceAsync(default));
        Assert.Equal(17, _bus.Calls);
        Assert.Equal(["a2"], _bus.Published.Select(m => m.MessageId));
    }

    [Fact]
    public void BackoffAfter_Doubles_CappedAtMaxBackoff()
    {
        var options = new OutboxDispatcherOptions();

        Assert.Equal(
            [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300],
            Enumerable.Range(1, 11).Select(a => options.BackoffAfter(a).TotalSeconds));
    }

    [Fact]
    public async Task HostedLoop_Notify_PublishesWithoutWaitingForThePoll()
    {
        var sut = CreateSut(o => o.PollInterval = TimeSpan.FromHours(1));
        await sut.StartAsync(default);
        try
        {
            await sut.WaitingForWork.WithTimeout();
            await AddToOutboxAsync(_store, "t1", Message("m1"));

            sut.Notify();

            Assert.Equal("m1", (await _bus.FirstPublished.Task.WithTimeout()).MessageId);
        }
        finally
        {
            await sut.StopAsync(default);
        }
    }

    [Fact]
    public async Task HostedLoop_NoNotify_PublishesAtThePollIntervalOfTheFakeClock()
    {
        var sut = CreateSut();
        await sut.StartAsync(default);
        try
        {
            await sut.WaitingForWork.WithTimeout();
            await AddToOutboxAsync(_store, "t1", Message("m1"));

            _time.Advance(TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(1));
            Assert.True(sut.WaitingForWork.IsCompleted); // still waiting: the sweep is not due
            Assert.Empty(_bus.Published);

            _time.Advance(TimeSpan.FromTicks(1));

            Assert.Equal("m1", (await _bus.FirstPublished.Task.WithTimeout()).MessageId);
        }
        finally
        {
            await sut.StopAsync(default);
        }
    }

    [Fact]
    public async Task HostedLoop_StoreFailing_LogsAndKeepsSweeping()
    {
        var outbox = new FailingOnceOutbox(_store);
        var sut = new OutboxDispatcher(outbox, _bus, _time, Options.Create(new OutboxDispatcherOptions()), _log);
        await AddToOutboxAsync(_store, "t1", Message("m1"));
        await sut.StartAsync(default);
        try
        {
            await sut.WaitingForWork.WithTimeout(); // the first sweep failed
            Assert.Equal(1, _log.Count(1113));

            sut.Notify();

            Assert.Equal("m1", (await _bus.FirstPublished.Task.WithTimeout()).MessageId);
        }
        finally
        {
            await sut.StopAsync(default);
        }
    }

    [Fact]
    public void Options_Defaults_AreDocumented()
    {
        var options = new OutboxDispatcherOptions();

        Assert.Equal(TimeSpan.FromSeconds(1), options.PollInterval);
        Assert.Equal(100, options.BatchSize);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Lease);
        Assert.Equal(16, options.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(1), options.InitialBackoff);
        Assert.Equal(TimeSpan.FromMinutes(5), options.MaxBackoff);
    }

    [Theory]
    [InlineData(nameof(OutboxDispatcherOptions.BatchSize))]
    [InlineData(nameof(OutboxDispatcherOptions.MaxAttempts))]
    [InlineData(nameof(OutboxDispatcherOptions.PollInterval))]
    [InlineData(nameof(OutboxDispatcherOptions.MaxBackoff))]
    public void Constructor_InvalidOptions_Throws(string property)
    {
        var error = Assert.Throws<OptionsValidationException>(() => CreateSut(o =>
        {
            switch (property)
            {
                case nameof(OutboxDispatcherOptions.BatchSize): o.BatchSize = 0; break;
                case nameof(OutboxDispatcherOptions.MaxAttempts): o.MaxAttempts = 0; break;
                case nameof(OutboxDispatcherOptions.PollInterval): o.PollInterval = TimeSpan.Zero; break;
                default: o.MaxBackoff = TimeSpan.FromMilliseconds(500); break; // below InitialBackoff
            }
        }));

        Assert.Contains(property, error.Message, StringComparison.Ordinal);
    }

    private OutboxDispatcher CreateSut(Action<OutboxDispatcherOptions>? configure = null)
    {
        var options = new OutboxDispatcherOptions();
        configure?.Invoke(options);
        return new OutboxDispatcher(_store, _bus, _time, Options.Create(options), _log);
    }

    private sealed class FailingOnceOutbox(IOutboxStore inner) : IOutboxStore
    {
        private int _leases;

        public Task<IReadOnlyList<OutboxEntry>> LeaseDueAsync(DateTimeOffset now, int max, TimeSpan lease, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _leases) == 1 ? throw new InvalidOperationException("database down") : inner.LeaseDueAsync(now, max, lease, cancellationToken);

        public Task MarkPublishedAsync(string messageId, CancellationToken cancellationToken) => inner.MarkPublishedAsync(messageId, cancellationToken);

        public Task MarkFailedAsync(string messageId, DateTimeOffset? nextAttemptAt, string failure, CancellationToken cancellationToken) =>
            inner.MarkFailedAsync(messageId, nextAttemptAt, failure, cancellationToken);
    }
}
