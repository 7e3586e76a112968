using CouponKit.InMemory;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.RocketMQ.Bus;
using CouponKit.Rules;
using MessageType = CouponKit.RocketMQ.Protocol.V2.MessageType;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CouponKit.RocketMQ.Tests.EndToEnd;

/// <summary>CouponKit's <see cref="IMessageBus"/> over RocketMQ, through the test proxy on loopback.</summary>
public sealed class RocketMQMessageBusTests
{
    [Fact]
    public async Task UseRocketMQ_ReplacesTheInMemoryBusAndResolves()
    {
        await using var harness = await BusHarness.StartAsync();

        var bus = harness.Services.GetRequiredService<IMessageBus>();
        Assert.IsType<RocketMQMessageBus>(bus);
        Assert.Same(bus, harness.Services.GetRequiredService<ITransactionalMessageBus>());
        Assert.Contains(harness.Services.GetServices<IHostedService>(), h => h.GetType().Name == "RocketMQProducerHostedService");
        foreach (var hosted in harness.Services.GetServices<IHostedService>().Where(h => h.GetType().Name == "RocketMQProducerHostedService"))
        {
            await hosted.StartAsync(TestTimeout.Token());
        }

        Assert.True(harness.Broker.TelemetryPeerCount >= 1);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UseRocketMQ_TransactionalIssuedEvents_ChoosesBetweenTheOutboxAndATransactionalMessage(bool transactional)
    {
        await using var harness = await BusHarness.StartAsync(configure: o => o.TransactionalIssuedEvents = transactional);
        var templates = harness.Services.GetRequiredService<CouponTemplates>();
        var template = await templates.CreateAsync(new TemplateDraft
        {
            Name = "Spend 100 get 20",
            Rule = new ThresholdRebateRule(Threshold.Spend(Money.Of(100, "CNY")), Money.Of(20, "CNY")),
            TotalInventory = 10,
            Validity = CouponValidity.ForDaysAfterClaim(7),
        });
        await templates.ActivateAsync(template.Id);
        Assert.NotNull(harness.Services.GetRequiredService<PushIssuance>());

        var claim = await harness.Services.GetRequiredService<CouponClaims>().ClaimAsync(new ClaimRequest { TemplateId = template.Id, User = new UserProfile("alice"), IdempotencyKey = "k-alice" });

        Assert.True(claim.IsIssued);
        var onBroker = harness.Broker.MessagesOf(CouponTopics.Coupon).Where(m => m.SystemProperties.Tag == CouponTopics.Issued).ToList();
        Assert.Equal(transactional ? 0 : 1, (await DrainOutboxAsync(harness)).Count(m => m.Tag == CouponTopics.Issued));
        Assert.Equal(transactional ? 1 : 0, onBroker.Count);
        Assert.All(onBroker, m => Assert.Equal(MessageType.Transaction, m.SystemProperties.MessageType));
    }

    /// <summary>Every message waiting in the outbox (one key's messages are leased one after the other, oldest first).</summary>
    private static async Task<List<OutboxMessage>> DrainOutboxAsync(BusHarness harness)
    {
        var outbox = harness.Services.GetRequiredService<IOutboxStore>();
        var drained = new List<OutboxMessage>();
        while (await outbox.LeaseDueAsync(harness.Time.GetUtcNow(), 100, TimeSpan.FromMinutes(1), TestTimeout.Token()) is { Count: > 0 } leased)
        {
            foreach (var entry in leased)
            {
                drained.Add(entry.Message);
                await outbox.MarkPublishedAsync(entry.Message.MessageId, TestTimeout.Token());
            }
        }

        return drained;
    }

    [Fact]
    public async Task UseRocketMQ_InvalidOptions_FailsWhenTheBusIsResolved()
    {
        var services = new ServiceCollection();
        services.AddCouponKit().UseRocketMQ(o => o.Endpoints = "not an endpoint");
        await using var provider = services.BuildServiceProvider();

        var atStart = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("Endpoints", atStart.Message, StringComparison.Ordinal);
        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IMessageBus>());
        Assert.Contains("Endpoints", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthCheck_ProxyDown_Unhealthy()
    {
        await using var harness = await BusHarness.StartAsync(s => s.AddLogging().AddHealthChecks().AddCouponKitRocketMQ(), o => o.MaxRequestAttempts = 1);
        await harness.Proxy.Proxy.StopAsync();

        var report = await harness.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(TestTimeout.Token());

        Assert.Equal(HealthStatus.Unhealthy, report.Entries["couponkit-rocketmq"].Status);
    }

    [Fact]
    public async Task HealthCheck_ProxyAnswers_Healthy()
    {
        await using var harness = await BusHarness.StartAsync(s => s.AddLogging().AddHealthChecks().AddCouponKitRocketMQ());

        var report = await harness.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(TestTimeout.Token());

        Assert.Equal(HealthStatus.Healthy, report.Entries["couponkit-rocketmq"].Status);
    }

    [Fact]
    public async Task PublishAsync_SubscriptionsReceiveOnlyTheirTags()
    {
        await using var harness = await BusHarness.StartAsync();
        var bus = harness.Bus;
        var locked = new Received();
        var all = new Received();
        await using var lockedOnly = await bus.SubscribeAsync(new Subscription { ConsumerGroup = BusHarness.GroupA, Topic = CouponTopics.Coupon, Tags = [CouponTopics.Locked, CouponTopics.Released] }, locked.Handle, TestTimeout.Token(30));
        await using var everything = await bus.SubscribeAsync(new Subscription { ConsumerGroup = BusHarness.GroupB, Topic = CouponTopics.Coupon }, all.Handle, TestTimeout.Token(30));

        var issued = BusHarness.Message(CouponTopics.Issued);
        var lockedMessage = BusHarness.Message(CouponTopics.Locked, key: "order-42");
        await bus.PublishAsync(issued, TestTimeout.Token());
        await bus.PublishAsync(lockedMessage, TestTimeout.Token());

        await Eventually.TrueAsync(() => all.Count == 2 && locked.Count == 1);
        var got = Assert.Single(locked.Messages);
        Assert.Equal(lockedMessage, got.Message);
        Assert.Equal(1, got.DeliveryAttempt);
        Assert.True(all.Contains(issued.MessageId));

        var stored = Assert.Single(harness.Broker.MessagesOf(CouponTopics.Coupon), m => m.SystemProperties.Tag == CouponTopics.Locked);
        Assert.Equal(["order-42", lockedMessage.MessageId], stored.SystemProperties.Keys);
        Assert.Equal(MessageType.Normal, stored.SystemProperties.MessageType);
    }

    [Fact]
    public async Task PublishAsync_DeliverAtInThirtyMinutes_IsNotReceivedBeforeTheClockPassesIt()
    {
        await using var harness = await BusHarness.StartAsync();
        var received = new Received();
        await using var subscription = await harness.Bus.SubscribeAsync(new Subscription { ConsumerGroup = BusHarness.GroupA, Topic = CouponTopics.Coupon, Tags = [CouponTopics.LockTimeout] }, received.Handle, TestTimeout.Token(30));
        var deliverAt = harness.Time.GetUtcNow() + TimeSpan.FromMinutes(30);
        var message = BusHarness.Message(CouponTopics.LockTimeout, deliverAt: deliverAt);

        await harness.Bus.PublishAsync(message, TestTimeout.Token());
        var stored = Assert.Single(harness.Broker.MessagesOf(CouponTopics.Coupon));
        Assert.Equal(MessageType.Delay, stored.SystemProperties.MessageType);
        Assert.Equal(deliverAt, stored.SystemProperties.DeliveryTimestamp.ToDateTimeOffset());

        // 29 minutes later, the consumer has polled again and got nothing.
        await Eventually.TrueAsync(() => harness.Broker.WaitingReceivers > 0);
        harness.Time.Advance(TimeSpan.FromMinutes(29));
        await Eventually.TrueAsync(() => harness.Broker.WaitingReceivers > 0);
        Assert.Equal(0, received.Count);

        harness.Time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => received.Count == 1);
        Assert.Equal(message, received.Messages[0].Message);
    }

    [Fact]
    public async Task Subscribe_HandlerAlwaysFails_MessageGoesToTheDeadLetterQueueAfterMaxDeliveryAttempts()
    {
        await using var harness = await BusHarness.StartAsync();
        var attempts = new List<int>();
        var subscription = new Subscription { ConsumerGroup = BusHarness.GroupA, Topic = CouponTopics.Coupon, MaxDeliveryAttempts = 3, InitialBackoff = TimeSpan.FromSeconds(1) };
        await using var handle = await harness.Bus.SubscribeAsync(
            subscription,
            (message, _) =>
            {
                lock (attempts)
                {
                    attempts.Add(message.DeliveryAttempt);
                }

                throw new InvalidOperationException("the handler always fails");
            },
            TestTimeout.Token(30));
        var message = BusHarness.Message(CouponTopics.Released);

        await harness.Bus.PublishAsync(message, TestTimeout.Token());
        var dlq = "%DLQ%" + BusHarness.GroupA;
        await harness.AdvanceUntilAsync(() => harness.Broker.MessagesOf(dlq).Count > 0, TimeSpan.FromSeconds(1));

        // Nothing more is delivered once the message is dead.
        harness.Time.Advance(TimeSpan.FromMinutes(5));
        await Eventually.TrueAsync(() => harness.Broker.WaitingReceivers > 0);
        lock (attempts)
        {
            Assert.Equal([1, 2, 3], attempts);
        }

        var dead = Assert.Single(harness.Broker.MessagesOf(dlq));
        Assert.Equal(CouponTopics.Coupon, dead.SystemProperties.DeadLetterQueue.Topic);
        var letter = Assert.Single(await harness.Services.GetRequiredService<IDeadLetterStore>().ListAsync(10, TestTimeout.Token()));
        Assert.Equal((message.MessageId, BusHarness.GroupA, 3), (letter.Message.MessageId, letter.ConsumerGroup, letter.Attempts));
        Assert.Contains("the handler always fails", letter.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subscribe_SameMessageIdDeliveredTwice_InboxGivesOneEffect()
    {
        await using var harness = await BusHarness.StartAsync();
        var inbox = harness.Services.GetRequiredService<IInboxStore>();
        var deliveries = 0;
        var effects = 0;
        await using var handle = await harness.Bus.SubscribeAsync(
            new Subscription { ConsumerGroup = BusHarness.GroupA, Topic = CouponTopics.Coupon },
            async (message, token) =>
            {
                Interlocked.Increment(ref deliveries);
                if (await inbox.TryRecordAsync(BusHarness.GroupA, message.Message.MessageId, token))
                {
                    Interlocked.Increment(ref effects);
                }
            },
            TestTimeout.Token(30));
        var message = BusHarness.Message(CouponTopics.Confirmed);

        // The outbox dispatcher publishes again when it dies between publishing and marking: two broker messages, one id.
        await harness.Bus.PublishAsync(message, TestTimeout.Token());
        await harness.Bus.PublishAsync(message, TestTimeout.Token());

        await Eventually.TrueAsync(() => Volatile.Read(ref deliveries) == 2);
        Assert.Equal(1, Volatile.Read(ref effects));
        Assert.Equal(2, harness.Broker.MessagesOf(CouponTopics.Coupon).Select(m => m.SystemProperties.MessageId).Distinct().Count());
    }

    [Fact]
    public async Task Subscribe_TokenCanceledLater_StopsTheSubscription()
    {
        await using var harness = await BusHarness.StartAsync();
        using var cts = new CancellationTokenSource();
        var stopped = new Received();
        var running = new Received();
        await using var first = await harness.Bus.SubscribeAsync(new Subscription { ConsumerGroup = BusHarness.GroupA, Topic = CouponTopics.Coupon }, stopped.Handle, cts.Token);
        await using var second = await harness.Bus.SubscribeAsync(new Subscription { ConsumerGroup = BusHarness.GroupB, Topic = CouponTopics.Coupon }, running.Handle, TestTimeout.Token(30));
        await Eventually.TrueAsync(() => harness.Broker.WaitingReceivers == 2);

        await cts.CancelAsync();
        await Eventually.TrueAsync(() => harness.Broker.WaitingReceivers == 1);
        var message = BusHarness.Message(CouponTopics.Issued);
        await harness.Bus.PublishAsync(message, TestTimeout.Token());

        await Eventually.TrueAsync(() => running.Contains(message.MessageId));
        Assert.Equal(0, stopped.Count);
    }

    [Fact]
    public async Task DisposingTheSubscription_LetsTheInFlightHandlerFinish()
    {
        await using var harness = await BusHarness.StartAsync();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = 0;
        var handle = await harness.Bus.SubscribeAsync(
            new Subscription { ConsumerGroup = BusHarness.GroupA, Topic = CouponTopics.Coupon },
            async (_, _) =>
            {
                started.TrySetResult();
                await release.Task;
                Interlocked.Increment(ref finished);
            },
            TestTimeout.Token(30));
        await harness.Bus.PublishAsync(BusHarness.Message(CouponTopics.Issued), TestTimeout.Token());
        await started.Task.WaitAsync(TestTimeout.Token());

        var stopping = handle.DisposeAsync().AsTask();
        await Task.Delay(50);
        Assert.False(stopping.IsCompleted);
        release.SetResult();
        await stopping.WaitAsync(TestTimeout.Token());

        Assert.Equal(1, Volatile.Read(ref finished));
    }
}
