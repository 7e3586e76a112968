using CouponKit.Messaging;
using CouponKit.Ports;
using Microsoft.Extensions.DependencyInjection;
using MessageType = CouponKit.RocketMQ.Protocol.V2.MessageType;

namespace CouponKit.RocketMQ.Tests.EndToEnd;

/// <summary>
/// Delivery guarantees of the bus through the proxy: FIFO order per key (message group), the dead-letter queue after 16
/// deliveries with exact attempt counts, and one effect for a message delivered twice.
/// </summary>
public sealed class RocketMQMessageBusDeliveryTests
{
    private const string OrderTopic = "order-events";
    private const string FifoGroup = "order-projection";

    [Fact]
    public async Task FifoTopic_EachKeyIsOneMessageGroupOnOneQueue_AndIsConsumedInPublishOrder()
    {
        await using var harness = await StartFifoAsync();
        var received = new Received();
        await using var handle = await harness.Bus.SubscribeAsync(new Subscription { ConsumerGroup = FifoGroup, Topic = OrderTopic }, received.Handle, TestTimeout.Token(30));
        var keys = new[] { "order-1", "order-2", "order-3" };
        var published = new List<OutboxMessage>();

        for (var step = 1; step <= 4; step++)
        {
            foreach (var key in keys)
            {
                var message = OrderMessage(key, step);
                published.Add(message);
                await harness.Bus.PublishAsync(message, TestTimeout.Token());
            }
        }

        await Eventually.TrueAsync(() => received.Count == published.Count);
        var stored = harness.Broker.MessagesOf(OrderTopic);
        Assert.All(stored, m => Assert.Equal(MessageType.Fifo, m.SystemProperties.MessageType));
        foreach (var key in keys)
        {
            var ofKey = stored.Where(m => m.UserProperties["CK_KEY"] == key).ToList();
            Assert.All(ofKey, m => Assert.Equal(key, m.SystemProperties.MessageGroup));
            Assert.Single(ofKey.Select(m => m.SystemProperties.QueueId).Distinct());
            Assert.Equal(
                published.Where(m => m.Key == key).Select(m => m.MessageId),
                received.Messages.Where(m => m.Message.Key == key).Select(m => m.Message.MessageId));
        }
    }

    [Fact]
    public async Task FifoTopic_FailedMessageHoldsBackTheLaterMessagesOfItsKeyUntilItSucceeds()
    {
        await using var harness = await StartFifoAsync();
        var log = new List<string>();
        var failedOnce = false;
        await using var handle = await harness.Bus.SubscribeAsync(
            new Subscription { ConsumerGroup = FifoGroup, Topic = OrderTopic, InitialBackoff = TimeSpan.FromSeconds(5) },
            (incoming, _) =>
            {
                var entry = $"{incoming.Message.Tag}#{incoming.DeliveryAttempt}";
                lock (log)
                {
                    if (incoming.Message.Tag == "Step2" && !failedOnce)
                    {
                        failedOnce = true;
                        log.Add(entry + ":failed");
                        throw new InvalidOperationException("the projection is busy");
                    }

                    log.Add(entry);
                }

                return Task.CompletedTask;
            },
            TestTimeout.Token(30));

        for (var step = 1; step <= 3; step++)
        {
            await harness.Bus.PublishAsync(OrderMessage("order-1", step), TestTimeout.Token());
        }

        await harness.AdvanceUntilAsync(() => Snapshot(log).Count == 4, TimeSpan.FromSeconds(1));

        // Step3 waited on the broker for Step2's retry (5 s of backoff); it was never delivered before Step2 succeeded.
        Assert.Equal(["Step1#1", "Step2#1:failed", "Step2#2", "Step3#1"], Snapshot(log));
    }

    [Fact]
    public async Task HandlerFailingEveryTime_SixteenDeliveries_ThenTheDeadLetterQueueAndTheDeadLetterStore()
    {
        await using var harness = await BusHarness.StartAsync();
        var attempts = new List<int>();
        var subscription = new Subscription { ConsumerGroup = BusHarness.GroupA, Topic = CouponTopics.Coupon, InitialBackoff = TimeSpan.FromSeconds(1), MaxBackoff = TimeSpan.FromSeconds(8) };
        Assert.Equal(16, subscription.MaxDeliveryAttempts);
        await using var handle = await harness.Bus.SubscribeAsync(
            subscription,
            (incoming, _) =>
            {
                lock (attempts)
                {
                    attempts.Add(incoming.DeliveryAttempt);
                }

                throw new InvalidOperationException($"attempt {incoming.DeliveryAttempt} failed");
            },
            TestTimeout.Token(60));
        var message = BusHarness.Message(CouponTopics.Released);
        var dlq = "%DLQ%" + BusHarness.GroupA;

        await harness.Bus.PublishAsync(message, TestTimeout.Token());
        await harness.AdvanceUntilAsync(() => harness.Broker.MessagesOf(dlq).Count > 0, TimeSpan.FromSeconds(1), seconds: 30);
        harness.Time.Advance(TimeSpan.FromHours(1));
        await Eventually.TrueAsync(() => harness.Broker.WaitingReceivers > 0);

        lock (attempts)
        {
            Assert.Equal(Enumerable.Range(1, 16), attempts);
        }

        var dead = Assert.Single(harness.Broker.MessagesOf(dlq));
        Assert.Equal((CouponTopics.Coupon, message.MessageId), (dead.SystemProperties.DeadLetterQueue.Topic, dead.UserProperties["CK_MESSAGE_ID"]));
        var letter = Assert.Single(await harness.Services.GetRequiredService<IDeadLetterStore>().ListAsync(10, TestTimeout.Token()));
        Assert.Equal((message, BusHarness.GroupA, 16), (letter.Message, letter.ConsumerGroup, letter.Attempts));
        Assert.Contains("attempt 16 failed", letter.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AckLostAfterTheEffect_TheBrokerDeliversAgain_TheInboxGivesOneEffect()
    {
        await using var harness = await BusHarness.StartAsync();
        var inbox = harness.Services.GetRequiredService<IInboxStore>();
        var deliveries = new List<int>();
        var effects = 0;
        await using var handle = await harness.Bus.SubscribeAsync(
            new Subscription { ConsumerGroup = BusHarness.GroupA, Topic = CouponTopics.Coupon },
            async (incoming, token) =>
            {
                lock (deliveries)
                {
                    deliveries.Add(incoming.DeliveryAttempt);
                }

                if (!await inbox.ContainsAsync(BusHarness.GroupA, incoming.Message.MessageId, token))
                {
                    Interlocked.Increment(ref effects);
                    await inbox.TryRecordAsync(BusHarness.GroupA, incoming.Message.MessageId, token);
                }

                if (incoming.DeliveryAttempt == 1)
                {
                    // The handler outlives the invisible duration: its receipt handle expires and the ack is refused.
                    harness.Time.Advance(new RocketMQOptions().InvisibleDuration + TimeSpan.FromSeconds(1));
                }
            },
            TestTimeout.Token(30));
        var message = BusHarness.Message(CouponTopics.Issued);

        await harness.Bus.PublishAsync(message, TestTimeout.Token());

        await Eventually.TrueAsync(() => Snapshot(deliveries).Count == 2);
        Assert.Equal([1, 2], Snapshot(deliveries));
        Assert.Equal(1, Volatile.Read(ref effects));
        Assert.Single(harness.Broker.MessagesOf(CouponTopics.Coupon));
    }

    private static async Task<BusHarness> StartFifoAsync()
    {
        var harness = await BusHarness.StartAsync(configure: o => o.FifoTopics.Add(OrderTopic));
        harness.Broker.CreateTopic(OrderTopic, MessageType.Fifo);
        harness.Broker.CreateConsumerGroup(FifoGroup, fifo: true);
        return harness;
    }

    private static OutboxMessage OrderMessage(string key, int step)
        => new($"{key}:step{step}", OrderTopic, $"Step{step}", key, $$"""{"order":"{{key}}","step":{{step}}}""", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private static List<T> Snapshot<T>(List<T> list)
    {
        lock (list)
        {
            return list.ToList();
        }
    }
}
