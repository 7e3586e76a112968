using System.Collections.Concurrent;
using CouponKit.RocketMQ.Consuming;
using CouponKit.RocketMQ.Producing;
using CouponKit.RocketMQ.Protocol.V2;
using Google.Protobuf.WellKnownTypes;
using Encoding = System.Text.Encoding;

namespace CouponKit.RocketMQ.Tests.Consuming;

public sealed class RocketMQSimpleConsumerTests
{
    private static OutgoingMessage Message(string tag = "claimed", string body = "coupon-claimed", string topic = ProxyHarness.Topic) =>
        new(topic, Encoding.UTF8.GetBytes(body)) { Tag = tag, Keys = ["order-1001"], Properties = new Dictionary<string, string> { ["templateId"] = "T-7" } };

    [Fact]
    public async Task PollOnceAsync_SentMessage_HandledAckedAndNotDeliveredAgain()
    {
        await using var harness = await ProxyHarness.StartAsync();
        var producer = await harness.StartProducerAsync();
        var seen = new List<ReceivedMessage>();
        var consumer = await harness.StartConsumerAsync(ProxyHarness.Topic, "*", (m, _) => { seen.Add(m); return Task.CompletedTask; });
        var receipt = await producer.SendAsync(Message(), TestTimeout.Token());

        var handled = await consumer.PollOnceAsync(TestTimeout.Token(), TestTimeout.Token());

        Assert.Equal(1, handled);
        var message = Assert.Single(seen);
        Assert.Equal(receipt.MessageId, message.MessageId);
        Assert.Equal("claimed", message.Tag);
        Assert.Equal(["order-1001"], message.Keys);
        Assert.Equal("T-7", message.Properties["templateId"]);
        Assert.Equal("coupon-claimed", Encoding.UTF8.GetString(message.Body.Span));
        Assert.Equal(1, message.DeliveryAttempt);

        harness.Time.Advance(TimeSpan.FromMinutes(5)); // well past the invisible duration: an acked message stays gone
        Assert.Equal(0, await harness.PollExpectingNothingAsync(consumer));
    }

    [Fact]
    public async Task PollOnceAsync_TagFilter_DeliversOnlyMatchingTags()
    {
        await using var harness = await ProxyHarness.StartAsync();
        var producer = await harness.StartProducerAsync();
        var tags = new List<string?>();
        var consumer = await harness.StartConsumerAsync(ProxyHarness.Topic, "claimed||redeemed", (m, _) => { tags.Add(m.Tag); return Task.CompletedTask; });
        await producer.SendAsync(Message("claimed"), TestTimeout.Token());
        await producer.SendAsync(Message("expired"), TestTimeout.Token());
        await producer.SendAsync(Message("redeemed"), TestTimeout.Token());

        await consumer.PollOnceAsync(TestTimeout.Token(), TestTimeout.Token());

        Assert.Equal(["claimed", "redeemed"], tags);
        Assert.Equal(0, await harness.PollExpectingNothingAsync(consumer));
    }

    [Fact]
    public async Task PollOnceAsync_MessageSentDuringLongPoll_ReturnsWithoutWaitingForTimeout()
    {
        await using var harness = await ProxyHarness.StartAsync();
        var producer = await harness.StartProducerAsync();
        var consumer = await harness.StartConsumerAsync(ProxyHarness.Topic, "*", (_, _) => Task.CompletedTask);

        var poll = consumer.PollOnceAsync(TestTimeout.Token(), TestTimeout.Token());
        await Eventually.TrueAsync(() => harness.Broker.WaitingReceivers > 0);
        await producer.SendAsync(Message(), TestTimeout.Token());

        Assert.Equal(1, await poll);
    }

    [Fact]
    public async Task SendDelayedAsync_DefaultDelay_InvisibleUntilClockPassesThirtyMinutes()
    {
        await using var harness = await ProxyHarness.StartAsync();
        var producer = await harness.StartProducerAsync();
        var seen = new List<ReceivedMessage>();
        var consumer = await harness.StartConsumerAsync(ProxyHarness.DelayTopic, "*", (m, _) => { seen.Add(m); return Task.CompletedTask; });
        var sentAt = harness.Time.GetUtcNow();

        await producer.SendDelayedAsync(Message(topic: ProxyHarness.DelayTopic, tag: "unpaid-release"), TestTimeout.Token());

        Assert.Equal(0, await harness.PollExpectingNothingAsync(consumer));
        harness.Time.Advance(TimeSpan.FromMinutes(29)); // 29m20s after sending
        Assert.Equal(0, await harness.PollExpectingNothingAsync(consumer)); // the long poll ends at 29m40s
        harness.Time.Advance(TimeSpan.FromSeconds(20)); // 30m00s
        Assert.Equal(1, await consumer.PollOnceAsync(TestTimeout.Token(), TestTimeout.Token()));
        Assert.Equal(sentAt + TimeSpan.FromMinutes(30), Assert.Single(seen).DeliveryTimestamp);
    }

    [Fact]
    public async Task ReceiveAsync_UnackedMessage_ReappearsAfterInvisibleDurationWithNextAttempt()
    {
        await using var harness = await ProxyHarness.StartAsync();
        var producer = await harness.StartProducerAsync();
        var client = harness.Client();
        await producer.SendAsync(Message(), TestTimeout.Token());

        var first = Assert.Single(await client.ReceiveAsync(ReceiveRequest(client, TimeSpan.FromSeconds(30)), TestTimeout.Token()));
        harness.Time.Advance(TimeSpan.FromSeconds(29));
        var during = client.ReceiveAsync(ReceiveRequest(client, TimeSpan.FromSeconds(30), longPolling: TimeSpan.FromSeconds(1)), TestTimeout.Token());
        await Eventually.TrueAsync(() => harness.Broker.WaitingReceivers > 0);
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        var second = Assert.Single(await during);

        Assert.Equal(1, first.SystemProperties.DeliveryAttempt);
        Assert.Equal(2, second.SystemProperties.DeliveryAttempt);
        Assert.Equal(first.SystemProperties.MessageId, second.SystemProperties.MessageId);
        Assert.NotEqual(first.SystemProperties.ReceiptHandle, second.SystemProperties.ReceiptHandle);
    }

    [Fact]
    public async Task AckAsync_ExpiredReceiptHandle_ThrowsInvalidReceiptHandle()
    {
        await using var harness = await ProxyHarness.StartAsync();
        var producer = await harness.StartProducerAsync();
        var client = harness.Client();
        await producer.SendAsync(Message(), TestTimeout.Token());
        var received = Assert.Single(await client.ReceiveAsync(ReceiveRequest(client, TimeSpan.FromSeconds(30)), TestTimeout.Token()));

        harness.Time.Advance(TimeSpan.FromSeconds(30));
        var ex = await Assert.ThrowsAsync<RocketMQException>(() => client.AckAsync(ProxyHarness.Group, ProxyHarness.Topic, received.SystemProperties.MessageId, received.SystemProperties.ReceiptHandle, TestTimeout.Token()));

        Assert.Equal(RocketMQStatusCode.InvalidReceiptHandle, ex.Code);
    }

    [Fact]
    public async Task ChangeInvisibleDurationAsync_ShorterDuration_MessageReappearsEarlierAndOldHandleIsInvalid()
    {
        await using var harness = await ProxyHarness.StartAsync();
        var producer = await harness.StartProducerAsync();
        var client = harness.Client();
        await producer.SendAsync(Message(), TestTimeout.Token());
        var received = Assert.Single(await client.ReceiveAsync(ReceiveRequest(client, TimeSpan.FromMinutes(5)), TestTimeout.Token()));
        var system = received.SystemProperties;

        var newHandle = await client.ChangeInvisibleDurationAsync(ProxyHarness.Group, ProxyHarness.Topic, system.MessageId, system.ReceiptHandle, TimeSpan.FromSeconds(2), TestTimeout.Token());
        var oldHandle = await Assert.ThrowsAsync<RocketMQException>(() => client.AckAsync(ProxyHarness.Group, ProxyHarness.Topic, system.MessageId, system.ReceiptHandle, TestTimeout.Token()));
        harness.Time.Advance(TimeSpan.FromSeconds(2));
        var again = Assert.Single(await client.ReceiveAsync(ReceiveRequest(client, TimeSpan.FromSeconds(30)), TestTimeout.Token()));

        Assert.NotEqual(system.ReceiptHandle, newHandle);
        Assert.Equal(RocketMQStatusCode.InvalidReceiptHandle, oldHandle.Code);
        Assert.Equal(2, again.SystemProperties.DeliveryAttempt);
    }

    [Fact]
    public async Task PollOnceAsync_HandlerFails_BacksOffWithChangeInvisibleDurationThenSucceeds()
    {
        await using var harness = await ProxyHarness.StartAsync();
        var producer = await harness.StartProducerAsync();
        var attempts = new List<int>();
        var consumer = await harness.StartConsumerAsync(ProxyHarness.Topic, "*", (m, _) =>
        {
            attempts.Add(m.DeliveryAttempt);
            return m.DeliveryAttempt == 1 ? throw new InvalidOperationException("coupon store down") : Task.CompletedTask;
        });
        await producer.SendAsync(Message(), TestTimeout.Token());

        await consumer.PollOnceAsync(TestTimeout.Token(), TestTimeout.Token());
        harness.Time.Advance(TimeSpan.FromSeconds(1)); // ConsumeRetryInitialBackoff, not the 30 s invisible duration
        await consumer.PollOnceAsync(TestTimeout.Token(), TestTimeout.Token());
        harness.Time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal([1, 2], attempts);
        Assert.Equal(0, await harness.PollExpectingNothingAsync(consumer));
    }

    [Fact]
    public async Task PollOnceAsync_SixteenFailures_ForwardsToDeadLetterQueue()
    {
        await using var harness = await ProxyHarness.StartAsync();
        var producer = await harness.StartProducerAsync();
        var attempts = new List<int>();
        var consumer = await harness.StartConsumerAsync(ProxyHarness.Topic, "*", (m, _) =>
        {
            attempts.Add(m.DeliveryAttempt);
            throw new InvalidOperationException("poison message");
        });
        var receipt = await producer.SendAsync(Message(), TestTimeout.Token());

        for (var i = 0; i < 16; i++)
        {
            Assert.Equal(1, await consumer.PollOnceAsync(TestTimeout.Token(), TestTimeout.Token()));
            harness.Time.Advance(TimeSpan.FromMinutes(10)); // ConsumeRetryMaxBackoff
        }

        Assert.Equal(Enumerable.Range(1, 16), attempts);
        var dead = Assert.Single(harness.Broker.MessagesOf("%DLQ%" + ProxyHarness.Group));
        Assert.Equal(ProxyHarness.Topic, dead.SystemProperties.DeadLetterQueue.Topic);
        Assert.Equal(receipt.MessageId, dead.SystemProperties.DeadLetterQueue.MessageId);
        Assert.Equal(0, await harness.PollExpectingNothingAsync(consumer));
    }

    [Fact]
    public async Task StopAsync_HandlerInFlight_FinishesAndAcksItAndLeavesUnstartedMessagesToReappear()
    {
        await using var harness = await ProxyHarness.StartAsync();
        var producer = await harness.StartProducerAsync();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handled = new ConcurrentQueue<string>();
        var consumer = await harness.StartConsumerAsync(ProxyHarness.Topic, "*", async (m, _) =>
        {
            entered.TrySetResult();
            await release.Task;
            handled.Enqueue(Encoding.UTF8.GetString(m.Body.Span));
        });
        await producer.SendAsync(Message(body: "first"), TestTimeout.Token());
        await producer.SendAsync(Message(body: "second"), TestTimeout.Token());

        await consumer.StartAsync(TestTimeout.Token());
        await entered.Task.WaitAsync(TestTimeout.Token());
        var stop = consumer.StopAsync(TestTimeout.Token());
        await Task.Delay(20);
        Assert.False(stop.IsCompleted); // waits for the in-flight handler
        release.SetResult();
        await stop;

        Assert.Equal(["first"], handled);

        // The second message of the batch was never started: it reappears after its invisible duration.
        var client = harness.Client();
        harness.Time.Advance(TimeSpan.FromSeconds(30));
        var reappeared = Assert.Single(await client.ReceiveAsync(ReceiveRequest(client, TimeSpan.FromSeconds(30)), TestTimeout.Token()));
        Assert.Equal("second", reappeared.Body.ToStringUtf8());
        Assert.Equal(2, reappeared.SystemProperties.DeliveryAttempt);
    }

    [Fact]
    public async Task StopAsync_TokenCanceledWhileHandlerRuns_CancelsHandlerAndMessageReappears()
    {
        await using var harness = await ProxyHarness.StartAsync();
        var producer = await harness.StartProducerAsync();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = await harness.StartConsumerAsync(ProxyHarness.Topic, "*", async (_, token) =>
        {
            entered.TrySetResult();
            await Task.Delay(System.Threading.Timeout.Infinite, token);
        });
        await producer.SendAsync(Message(), TestTimeout.Token());
        await consumer.StartAsync(TestTimeout.Token());
        await entered.Task.WaitAsync(TestTimeout.Token());

        using var hardStop = new CancellationTokenSource();
        var stop = consumer.StopAsync(hardStop.Token);
        await hardStop.CancelAsync();
        await stop.WaitAsync(TestTimeout.Token());

        var client = harness.Client();
        harness.Time.Advance(TimeSpan.FromSeconds(30));
        var reappeared = Assert.Single(await client.ReceiveAsync(ReceiveRequest(client, TimeSpan.FromSeconds(30)), TestTimeout.Token()));
        Assert.Equal(2, reappeared.SystemProperties.DeliveryAttempt);
    }

    [Fact]
    public async Task InitializeAsync_ThenClockPassesHeartbeatInterval_SendsHeartbeatsAsSimpleConsumer()
    {
        await using var harness = await ProxyHarness.StartAsync();
        await harness.StartConsumerAsync(ProxyHarness.Topic, "*", (_, _) => Task.CompletedTask);
        var afterStart = harness.Broker.HeartbeatCount;

        harness.Time.Advance(TimeSpan.FromSeconds(10));

        await Eventually.TrueAsync(() => harness.Broker.HeartbeatCount > afterStart);
        Assert.Equal(1, harness.Broker.TelemetryPeerCount);
    }

    [Fact]
    public async Task StartAsync_ReceiveLoop_HandlesMessagesUntilStopped()
    {
        await using var harness = await ProxyHarness.StartAsync();
        var producer = await harness.StartProducerAsync();
        var handled = new ConcurrentQueue<string>();
        var consumer = await harness.StartConsumerAsync(ProxyHarness.Topic, "*", (m, _) => { handled.Enqueue(m.MessageId); return Task.CompletedTask; });
        await consumer.StartAsync(TestTimeout.Token());

        for (var i = 0; i < 3; i++)
        {
            await producer.SendAsync(Message(), TestTimeout.Token());
        }

        await Eventually.TrueAsync(() => handled.Count == 3);
        await consumer.StopAsync(TestTimeout.Token());
        Assert.Equal(3, handled.Distinct().Count());
    }

    [Fact]
    public async Task InitializeAsync_UnknownConsumerGroup_ThrowsConsumerGroupNotFound()
    {
        await using var harness = await ProxyHarness.StartAsync();

        var ex = await Assert.ThrowsAsync<RocketMQException>(() => harness.StartConsumerAsync(ProxyHarness.Topic, "*", (_, _) => Task.CompletedTask, o => o.ConsumerGroup = "unknown-group"));

        Assert.Equal(RocketMQStatusCode.ConsumerGroupNotFound, ex.Code);
    }

    [Fact]
    public async Task InitializeAsync_UnknownTopic_ThrowsTopicNotFound()
    {
        await using var harness = await ProxyHarness.StartAsync();

        var ex = await Assert.ThrowsAsync<RocketMQException>(() => harness.StartConsumerAsync("no-such-topic", "*", (_, _) => Task.CompletedTask));

        Assert.Equal(RocketMQStatusCode.TopicNotFound, ex.Code);
    }

    private static ReceiveMessageRequest ReceiveRequest(CouponKit.RocketMQ.Protocol.MessagingClient client, TimeSpan invisible, TimeSpan? longPolling = null) => new()
    {
        Group = client.Resource(ProxyHarness.Group),
        MessageQueue = new MessageQueue { Topic = client.Resource(ProxyHarness.Topic), Id = -1, Permission = Permission.ReadWrite },
        FilterExpression = new FilterExpression { Type = FilterType.Tag, Expression = "*" },
        BatchSize = 16,
        InvisibleDuration = Duration.FromTimeSpan(invisible),
        LongPollingTimeout = Duration.FromTimeSpan(longPolling ?? TimeSpan.FromSeconds(20)),
    };
}
