using Encoding = System.Text.Encoding;
using CouponKit.RocketMQ.Producing;
using CouponKit.RocketMQ.Protocol.V2;

namespace CouponKit.RocketMQ.Tests.Producing;

public sealed class RocketMQProducerTests
{
    private static OutgoingMessage Message(string topic = ProxyHarness.Topic, string body = "coupon-claimed", string? tag = "claimed") =>
        new(topic, Encoding.UTF8.GetBytes(body)) { Tag = tag, Keys = ["order-1001"], Properties = new Dictionary<string, string> { ["templateId"] = "T-7" } };

    [Fact]
    public async Task SendAsync_NormalMessage_StoredWithTopicTagKeysAndProperties()
    {
        await using var harness = await ProxyHarness.StartAsync();
        var producer = await harness.StartProducerAsync();

        var receipt = await producer.SendAsync(Message(), TestTimeout.Token());

        var stored = Assert.Single(harness.Broker.MessagesOf(ProxyHarness.Topic));
        Assert.Equal(receipt.MessageId, stored.SystemProperties.MessageId);
        Assert.Equal(34, receipt.MessageId.Length);
        Assert.Equal("claimed", stored.SystemProperties.Tag);
        Assert.Equal(["order-1001"], stored.SystemProperties.Keys);
        Assert.Equal("T-7", stored.UserProperties["templateId"]);
        Assert.Equal(MessageType.Normal, stored.SystemProperties.MessageType);
        Assert.Equal(DigestType.Crc32, stored.SystemProperties.BodyDigest.Type);
        Assert.Equal(harness.Time.GetUtcNow(), stored.SystemProperties.BornTimestamp.ToDateTimeOffset());
    }

    [Fact]
    public async Task StartAsync_SendsHeartbeatAndSettingsOnTelemetryStream()
    {
        await using var harness = await ProxyHarness.StartAsync();

        await harness.StartProducerAsync();

        Assert.True(harness.Broker.HeartbeatCount >= 1);
        Assert.Equal(1, harness.Broker.TelemetryPeerCount);
    }

    [Fact]
    public async Task SendAsync_UnknownTopic_ThrowsTopicNotFound()
    {
        await using var harness = await ProxyHarness.StartAsync();
        var producer = await harness.StartProducerAsync();

        var ex = await Assert.ThrowsAsync<RocketMQException>(() => producer.SendAsync(Message(topic: "no-such-topic"), TestTimeout.Token()));

        Assert.Equal(RocketMQStatusCode.TopicNotFound, ex.Code);
        Assert.False(ex.IsRetryable);
    }

    [Fact]
    public async Task SendAsync_MessageTypeNotAcceptedByTopic_ThrowsBrokerCode()
    {
        await using var harness = await ProxyHarness.StartAsync();
        var producer = await harness.StartProducerAsync();

        var ex = await Assert.ThrowsAsync<RocketMQException>(() => producer.SendAsync(Message(topic: ProxyHarness.DelayTopic), TestTimeout.Token()));

        Assert.Equal(RocketMQStatusCode.MessagePropertyConflictWithType, ex.Code);
    }

    [Fact]
    public async Task StartAsync_WrongSecret_ThrowsUnauthorized()
    {
        await using var harness = await ProxyHarness.StartAsync(o => o.Credentials["shop-ak"] = "right-secret");
        var producer = harness.CreateProducer(configure: o => { o.AccessKey = "shop-ak"; o.AccessSecret = "wrong-secret"; });

        var ex = await Assert.ThrowsAsync<RocketMQException>(() => producer.StartAsync(TestTimeout.Token()));

        Assert.Equal(RocketMQStatusCode.Unauthorized, ex.Code);
    }

    [Fact]
    public async Task SendAsync_RightSecret_IsAccepted()
    {
        await using var harness = await ProxyHarness.StartAsync(o => o.Credentials["shop-ak"] = "right-secret");
        var producer = await harness.StartProducerAsync(configure: o => { o.AccessKey = "shop-ak"; o.AccessSecret = "right-secret"; });

        await producer.SendAsync(Message(), TestTimeout.Token());

        Assert.Single(harness.Broker.MessagesOf(ProxyHarness.Topic));
    }

    [Fact]
    public async Task SendAsync_NoCredentialsButProxyRequiresThem_ThrowsUnauthorized()
    {
        await using var harness = await ProxyHarness.StartAsync(o => o.Credentials["shop-ak"] = "right-secret");
        var producer = harness.CreateProducer();

        var ex = await Assert.ThrowsAsync<RocketMQException>(() => producer.StartAsync(TestTimeout.Token()));

        Assert.Equal(RocketMQStatusCode.Unauthorized, ex.Code);
    }

    [Fact]
    public async Task SendAsync_RetryableCodeThenSuccess_RetriesAndSucceeds()
    {
        await using var harness = await ProxyHarness.StartAsync();
        var producer = await harness.StartProducerAsync(configure: o => o.RequestRetryBackoff = TimeSpan.Zero);
        harness.Broker.FailNextSends(2, Code.TooManyRequests);

        await producer.SendAsync(Message(), TestTimeout.Token());

        Assert.Single(harness.Broker.MessagesOf(ProxyHarness.Topic));
    }

    [Fact]
    public async Task SendAsync_RetryableCodeBeyondMaxAttempts_ThrowsRetryableError()
    {
        await using var harness = await ProxyHarness.StartAsync();
        var producer = await harness.StartProducerAsync(configure: o => { o.RequestRetryBackoff = TimeSpan.Zero; o.MaxRequestAttempts = 3; });
        harness.Broker.FailNextSends(3, Code.InternalServerError);

        var ex = await Assert.ThrowsAsync<RocketMQException>(() => producer.SendAsync(Message(), TestTimeout.Token()));

        Assert.Equal(RocketMQStatusCode.InternalServerError, ex.Code);
        Assert.True(ex.IsRetryable);
        Assert.Empty(harness.Broker.MessagesOf(ProxyHarness.Topic));
    }

    [Fact]
    public async Task SendAsync_RetryBackoff_WaitsOnInjectedClock()
    {
        await using var harness = await ProxyHarness.StartAsync();
        var producer = await harness.StartProducerAsync(configure: o => o.RequestRetryBackoff = TimeSpan.FromSeconds(1));
        harness.Broker.FailNextSends(1, Code.TooManyRequests);

        var send = producer.SendAsync(Message(), TestTimeout.Token());
        await Eventually.TrueAsync(() => harness.Broker.InjectedSendFailuresLeft == 0);
        await Task.Delay(50);
        Assert.False(send.IsCompleted); // the backoff waits on the fake clock, not on real time
        await Eventually.TrueAsync(() =>
        {
            harness.Time.Advance(TimeSpan.FromMilliseconds(250));
            return send.IsCompleted;
        });
        await send;

        Assert.Single(harness.Broker.MessagesOf(ProxyHarness.Topic));
    }

    [Fact]
    public async Task SendAsync_NonRetryableCode_FailsOnFirstAttempt()
    {
        await using var harness = await ProxyHarness.StartAsync();
        var producer = await harness.StartProducerAsync(configure: o => o.RequestRetryBackoff = TimeSpan.Zero);
        harness.Broker.FailNextSends(2, Code.MessageBodyTooLarge);

        var ex = await Assert.ThrowsAsync<RocketMQException>(() => producer.SendAsync(Message(), TestTimeout.Token()));

        Assert.Equal(RocketMQStatusCode.MessageBodyTooLarge, ex.Code);
        Assert.False(ex.IsRetryable);
        Assert.Equal(1, harness.Broker.InjectedSendFailuresLeft); // one attempt only
        Assert.Empty(harness.Broker.MessagesOf(ProxyHarness.Topic));
    }

    [Fact]
    public async Task SendAsync_SameMessageGroup_GoesToSameQueue()
    {
        await using var harness = await ProxyHarness.StartAsync();
        harness.Broker.CreateTopic("coupon-fifo", MessageType.Fifo);
        var producer = await harness.StartProducerAsync(topics: "coupon-fifo");

        var receipts = new List<SendReceipt>();
        for (var i = 0; i < 5; i++)
        {
            receipts.Add(await producer.SendAsync(new OutgoingMessage("coupon-fifo", Encoding.UTF8.GetBytes($"step-{i}")) { MessageGroup = "order-42" }, TestTimeout.Token()));
        }

        Assert.Single(receipts.Select(r => r.QueueId).Distinct());
        Assert.All(harness.Broker.MessagesOf("coupon-fifo"), m => Assert.Equal("order-42", m.SystemProperties.MessageGroup));
    }

    [Fact]
    public async Task SendAsync_WithoutGroup_RoundRobinsOverQueues()
    {
        await using var harness = await ProxyHarness.StartAsync();
        var producer = await harness.StartProducerAsync();

        var queues = new List<int>();
        for (var i = 0; i < 8; i++)
        {
            queues.Add((await producer.SendAsync(Message(), TestTimeout.Token())).QueueId);
        }

        Assert.Equal([0, 1, 2, 3, 0, 1, 2, 3], queues);
    }

    [Fact]
    public async Task SendAsync_RouteCachedUntilRefreshInterval()
    {
        await using var harness = await ProxyHarness.StartAsync();
        var producer = await harness.StartProducerAsync(topics: ProxyHarness.Topic);
        var afterStart = harness.Broker.RouteQueries;

        await producer.SendAsync(Message(), TestTimeout.Token());
        await producer.SendAsync(Message(), TestTimeout.Token());
        Assert.Equal(afterStart, harness.Broker.RouteQueries);

        harness.Time.Advance(TimeSpan.FromSeconds(31));
        await producer.SendAsync(Message(), TestTimeout.Token());
        Assert.Equal(afterStart + 1, harness.Broker.RouteQueries);
    }

    [Fact]
    public async Task SendAsync_InvalidMessage_ThrowsArgumentExceptionBeforeSending()
    {
        await using var harness = await ProxyHarness.StartAsync();
        var producer = await harness.StartProducerAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => producer.SendAsync(Message(tag: "a|b"), TestTimeout.Token()));
        await Assert.ThrowsAsync<ArgumentException>(() => producer.SendAsync(Message(body: string.Empty), TestTimeout.Token()));
        await Assert.ThrowsAsync<ArgumentException>(() => producer.SendAsync(Message(topic: "bad topic"), TestTimeout.Token()));
    }
}
