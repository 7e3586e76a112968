using CouponKit.InMemory;
using CouponKit.Messaging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using static CouponKit.Core.Tests.Messaging.MessagingTestKit;

namespace CouponKit.Core.Tests.Messaging;

public sealed class InMemoryMessageBusTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = Clock();
    private readonly InMemoryCouponKitStore _store = new();
    private readonly ListLogger<InMemoryMessageBus> _log = new();
    private InMemoryMessageBus _bus = null!;

    public Task InitializeAsync()
    {
        _bus = CreateSut();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _bus.DisposeAsync();

    [Fact]
    public async Task Publish_Immediate_DeliveredOnceWithAttemptOne()
    {
        var handler = new RecordingHandler(_time);
        await _bus.SubscribeAsync(Subscription("g1"), handler.HandleAsync, default);

        await _bus.PublishAsync(Message("m1"), default);
        await _bus.WhenIdleAsync().WithTimeout();

        var (received, _) = Assert.Single(handler.Received);
        Assert.Equal("m1", received.Message.MessageId);
        Assert.Equal(1, received.DeliveryAttempt);
    }

    [Fact]
    public async Task Publish_Delayed_InvisibleUntilFakeClockReachesDeliverAt()
    {
        var handler = new RecordingHandler(_time);
        await _bus.SubscribeAsync(Subscription("g1"), handler.HandleAsync, default);
        var deliverAt = Shop.Now.AddMinutes(30);

        await _bus.PublishAsync(Message("m1", deliverAt: deliverAt), default);
        await _bus.WhenIdleAsync().WithTimeout();
        Assert.Empty(handler.Received);

        _time.Advance(TimeSpan.FromMinutes(30) - TimeSpan.FromTicks(1));
        await _bus.WhenIdleAsync().WithTimeout();
        Assert.Empty(handler.Received);

        _time.Advance(TimeSpan.FromTicks(1));
        await _bus.WhenIdleAsync().WithTimeout();
        var (message, at) = Assert.Single(handler.Received);
        Assert.Equal("m1", message.Message.MessageId);
        Assert.Equal(deliverAt, at);
    }

    [Fact]
    public async Task Publish_DeliverAtInThePast_DeliveredAtOnce()
    {
        var handler = new RecordingHandler(_time);
        await _bus.SubscribeAsync(Subscription("g1"), handler.HandleAsync, default);

        await _bus.PublishAsync(Message("m1", deliverAt: Shop.Now.AddSeconds(-5)), default);
        await _bus.WhenIdleAsync().WithTimeout();

        Assert.Single(handler.Received);
    }

    [Fact]
    public async Task Publish_DelayedMessages_BecomeVisibleInDeliveryTimeOrder()
    {
        await using var ordered = new InMemoryMessageBus(_time, _store, maxConcurrentHandlers: 1);
        var inOrder = new RecordingHandler(_time);
        await ordered.SubscribeAsync(Subscription("g1"), inOrder.HandleAsync, default);

        foreach (var (id, minutes) in new[] { ("late", 3), ("early", 1), ("middle", 2) })
        {
            await ordered.PublishAsync(Message(id, deliverAt: Shop.Now.AddMinutes(minutes)), default);
        }

        _time.Advance(TimeSpan.FromMinutes(5));
        await ordered.WhenIdleAsync().WithTimeout();

        Assert.Equal(["early", "middle", "late"], inOrder.Ids);
    }

    [Fact]
    public async Task Subscribe_TagFilter_ReceivesOnlyAcceptedTags()
    {
        var locks = new RecordingHandler(_time);
        var all = new RecordingHandler(_time);
        await _bus.SubscribeAsync(Subscription("locks", CouponTopics.Locked, CouponTopics.Released), locks.HandleAsync, default);
        await _bus.SubscribeAsync(Subscription("all"), all.HandleAsync, default);

        await _bus.PublishAsync(Message("m1", CouponTopics.Locked), default);
        await _bus.PublishAsync(Message("m2", CouponTopics.Issued), default);
        await _bus.PublishAsync(Message("m3", CouponTopics.Released), default);
        await _bus.PublishAsync(Message("m4", CouponTopics.Locked, topic: "other-topic"), default);
        await _bus.WhenIdleAsync().WithTimeout();

        Assert.Equal(["m1", "m3"], locks.Ids.Order());
        Assert.Equal(["m1", "m2", "m3"], all.Ids.Order());
    }

    [Fact]
    public async Task Publish_TwoConsumerGroups_EachReceivesItsOwnCopy()
    {
        var first = new RecordingHandler(_time, (_, n) => n == 1 ? throw new InvalidOperationException("first fails once") : Task.CompletedTask);
        var second = new RecordingHandler(_time);
        await _bus.SubscribeAsync(Subscription("g1"), first.HandleAsync, default);
        await _bus.SubscribeAsync(Subscription("g2"), second.HandleAsync, default);

        await _bus.PublishAsync(Message("m1"), default);
        await _bus.WhenIdleAsync().WithTimeout();
        Assert.Equal(1, first.Calls);
        Assert.Equal(1, second.Calls);

        _time.Advance(TimeSpan.FromSeconds(1));
        await _bus.WhenIdleAsync().WithTimeout();

        Assert.Equal([1, 2], first.Received.Select(r => r.Message.DeliveryAttempt));
        Assert.Equal([1], second.Received.Select(r => r.Message.DeliveryAttempt)); // one group's retry is not the other's
    }

    [Fact]
    public async Task Subscribe_SameGroupAndTopicTwice_Throws()
    {
        await _bus.SubscribeAsync(Subscription("g1"), (_, _) => Task.CompletedTask, default);

        await Assert.ThrowsAsync<InvalidOperationException>(() => _bus.SubscribeAsync(Subscription("g1", "Other"), (_, _) => Task.CompletedTask, default));
    }

    [Fact]
    public async Task Subscribe_AfterDelayedPublishBeforeItIsDue_ReceivesIt()
    {
        await _bus.PublishAsync(Message("gone"), default);
        await _bus.PublishAsync(Message("delayed", deliverAt: Shop.Now.AddMinutes(1)), default);
        var handler = new RecordingHandler(_time);
        await _bus.SubscribeAsync(Subscription("late"), handler.HandleAsync, default);

        _time.Advance(TimeSpan.FromMinutes(1));
        await _bus.WhenIdleAsync().WithTimeout();

        Assert.Equal(["delayed"], handler.Ids); // like a new group starting at the latest offset
    }

    [Fact]
    public async Task Handler_AlwaysFails_RetriedWithBackoffThenDeadLetteredAfterMaxAttempts()
    {
        var subscription = new Subscription
        {
            ConsumerGroup = "g1",
            Topic = CouponTopics.Coupon,
            InitialBackoff = TimeSpan.FromSeconds(1),
            MaxBackoff = TimeSpan.FromMinutes(1),
        };
        var handler = new RecordingHandler(_time, (m, _) => throw new InvalidOperationException($"boom {m.DeliveryAttempt}"));
        await _bus.SubscribeAsync(subscription, handler.HandleAsync, default);

        await _bus.PublishAsync(Message("m1"), default);
        await _bus.WhenIdleAsync().WithTimeout();
        for (var attempt = 1; attempt < 16; attempt++)
        {
            Assert.Equal(attempt, handler.Calls);
            var backoff = subscription.BackoffAfter(attempt);
            Assert.Equal(TimeSpan.FromSeconds(Math.Min(Math.Pow(2, attempt - 1), 60)), backoff);

            _time.Advance(backoff - TimeSpan.FromTicks(1));
            await _bus.WhenIdleAsync().WithTimeout();
            Assert.Equal(attempt, handler.Calls); // not before its backoff

            _time.Advance(TimeSpan.FromTicks(1));
            await _bus.WhenIdleAsync().WithTimeout();
        }

        Assert.Equal(16, handler.Calls);
        Assert.Equal(Enumerable.Range(1, 16), handler.Received.Select(r => r.Message.DeliveryAttempt));
        var letter = Assert.Single(await _store.ListAsync(10, default));
        Assert.Equal("m1", letter.Message.MessageId);
        Assert.Equal("g1", letter.ConsumerGroup);
        Assert.Equal(16, letter.Attempts);
        Assert.Contains("boom 16", letter.LastError, StringComparison.Ordinal);
        Assert.Equal(_time.GetUtcNow(), letter.DeadAt);
        Assert.Equal(15, _log.Count(1100));
        var warning = Assert.Single(_log.Entries, e => e.Id.Id == 1101);
        Assert.Equal(LogLevel.Warning, warning.Level);

        _time.Advance(TimeSpan.FromDays(1));
        await _bus.WhenIdleAsync().WithTimeout();
        Assert.Equal(16, handler.Calls); // no delivery after the dead letter
    }

    [Fact]
    public async Task Handler_FailsTwiceThenSucceeds_NotDeadLettered()
    {
        var handler = new RecordingHandler(_time, (_, n) => n <= 2 ? throw new InvalidOperationException("transient") : Task.CompletedTask);
        await _bus.SubscribeAsync(Subscription("g1"), handler.HandleAsync, default);

        await _bus.PublishAsync(Message("m1"), default);
        await _bus.WhenIdleAsync().WithTimeout();
        _time.Advance(TimeSpan.FromSeconds(1));
        await _bus.WhenIdleAsync().WithTimeout();
        _time.Advance(TimeSpan.FromSeconds(2));
        await _bus.WhenIdleAsync().WithTimeout();
        _time.Advance(TimeSpan.FromHours(3));
        await _bus.WhenIdleAsync().WithTimeout();

        Assert.Equal([1, 2, 3], handler.Received.Select(r => r.Message.DeliveryAttempt));
        Assert.Equal([Shop.Now, Shop.Now.AddSeconds(1), Shop.Now.AddSeconds(3)], handler.Received.Select(r => r.At));
        Assert.Empty(await _store.ListAsync(10, default));
    }

    [Fact]
    public async Task Handler_PublishesFollowUp_WhenIdleWaitsForBoth()
    {
        var followUps = new RecordingHandler(_time);
        await _bus.SubscribeAsync(Subscription("chain", "First"), (m, ct) => _bus.PublishAsync(Message("second", "Second"), ct), default);
        await _bus.SubscribeAsync(Subscription("end", "Second"), followUps.HandleAsync, default);

        await _bus.PublishAsync(Message("first", "First"), default);
        await _bus.WhenIdleAsync().WithTimeout();

        Assert.Equal(["second"], followUps.Ids);
    }

    [Fact]
    public async Task Handlers_OfOneGroup_RunConcurrentlyUpToTheBound()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var eightRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int running = 0, max = 0;
        await _bus.SubscribeAsync(Subscription("g1"), async (_, _) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref max, now);
            if (now == InMemoryMessageBus.DefaultMaxConcurrentHandlers)
            {
                eightRunning.TrySetResult();
            }

            await release.Task;
            Interlocked.Decrement(ref running);
        }, default);

        for (var i = 0; i < 20; i++)
        {
            await _bus.PublishAsync(Message("m" + i), default);
        }

        await eightRunning.Task.WithTimeout();
        Assert.Equal(8, Volatile.Read(ref running));
        release.SetResult();
        await _bus.WhenIdleAsync().WithTimeout();

        Assert.Equal(8, max);
    }

    [Fact]
    public async Task Handlers_WithOneAtATime_RunInPublicationOrder()
    {
        await using var bus = new InMemoryMessageBus(_time, _store, maxConcurrentHandlers: 1);
        int running = 0, max = 0;
        var order = new List<string>();
        await bus.SubscribeAsync(Subscription("g1"), async (m, _) =>
        {
            InterlockedMax(ref max, Interlocked.Increment(ref running));
            await Task.Yield();
            lock (order)
            {
                order.Add(m.Message.MessageId);
            }

            Interlocked.Decrement(ref running);
        }, default);

        var ids = Enumerable.Range(0, 30).Select(i => "m" + i).ToArray();
        foreach (var id in ids)
        {
            await bus.PublishAsync(Message(id), default);
        }

        await bus.WhenIdleAsync().WithTimeout();

        Assert.Equal(ids, order);
        Assert.Equal(1, max);
    }

    [Fact]
    public async Task DisposeHandle_WaitsForInFlightHandler_ThenStopsDeliveries()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = false;
        var calls = 0;
        var handle = await _bus.SubscribeAsync(Subscription("g1"), async (_, ct) =>
        {
            Interlocked.Increment(ref calls);
            started.TrySetResult();
            await release.Task;
            Assert.False(ct.IsCancellationRequested); // a graceful stop lets the handler finish its work
            Volatile.Write(ref finished, true);
        }, default);
        await _bus.PublishAsync(Message("m1"), default);
        await started.Task.WithTimeout();

        var disposing = handle.DisposeAsync().AsTask();
        await _bus.PublishAsync(Message("m2"), default);
        Assert.False(disposing.IsCompleted);

        release.SetResult();
        await disposing.WithTimeout();
        Assert.True(Volatile.Read(ref finished));

        await _bus.PublishAsync(Message("m3"), default);
        await _bus.WhenIdleAsync().WithTimeout();
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task DisposeHandle_CancelsPendingRedeliveries()
    {
        var handler = new RecordingHandler(_time, (_, _) => throw new InvalidOperationException("boom"));
        var handle = await _bus.SubscribeAsync(Subscription("g1"), handler.HandleAsync, default);
        await _bus.PublishAsync(Message("m1"), default);
        await _bus.WhenIdleAsync().WithTimeout();

        await handle.DisposeAsync();
        _time.Advance(TimeSpan.FromHours(3));
        await _bus.WhenIdleAsync().WithTimeout();

        Assert.Equal(1, handler.Calls);
        Assert.Empty(await _store.ListAsync(10, default));
    }

    [Fact]
    public async Task SubscribeToken_Cancelled_StopsSubscriptionAndCancelsRunningHandler()
    {
        using var subscribing = new CancellationTokenSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        await _bus.SubscribeAsync(Subscription("g1"), async (_, ct) =>
        {
            Interlocked.Increment(ref calls);
            started.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
        }, subscribing.Token);
        await _bus.PublishAsync(Message("m1"), default);
        await started.Task.WithTimeout();

        await subscribing.CancelAsync();
        await _bus.WhenIdleAsync().WithTimeout();
        await _bus.PublishAsync(Message("m2"), default);
        _time.Advance(TimeSpan.FromHours(3));
        await _bus.WhenIdleAsync().WithTimeout();

        Assert.Equal(1, calls);
        Assert.Empty(await _store.ListAsync(10, default));
    }

    [Fact]
    public async Task DisposeBus_ThenPublish_Throws()
    {
        await _bus.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => _bus.PublishAsync(Message("m1"), default));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private InMemoryMessageBus CreateSut() => new(_time, _store, _log);
}
