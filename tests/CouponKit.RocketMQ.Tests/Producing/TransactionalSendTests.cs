using System.Collections.Concurrent;
using CouponKit.RocketMQ.Consuming;
using CouponKit.RocketMQ.Producing;
using CouponKit.RocketMQ.Protocol.V2;
using Encoding = System.Text.Encoding;
using V2Resolution = CouponKit.RocketMQ.Protocol.V2.TransactionResolution;

namespace CouponKit.RocketMQ.Tests.Producing;

public sealed class TransactionalSendTests
{
    private static readonly TimeSpan CheckDelay = TimeSpan.FromMinutes(1); // longer than a 20 s long poll

    private static OutgoingMessage Message(string key = "order-1001") =>
        new(ProxyHarness.TransactionTopic, Encoding.UTF8.GetBytes("coupon-redeemed")) { Tag = "redeemed", Keys = [key] };

    [Fact]
    public async Task SendInTransactionAsync_LocalCommit_DeliveredOnce()
    {
        await using var harness = await ProxyHarness.StartAsync(o => o.TransactionCheckDelay = CheckDelay);
        var producer = await harness.StartProducerAsync();
        var (consumer, seen) = await ConsumerAsync(harness);

        var result = await producer.SendInTransactionAsync(Message(), (_, _) => Task.FromResult(TransactionResolution.Commit), TestTimeout.Token());

        Assert.True(result.Ended);
        Assert.False(string.IsNullOrEmpty(result.Receipt.TransactionId));
        Assert.Equal(1, await consumer.PollOnceAsync(TestTimeout.Token(), TestTimeout.Token()));
        Assert.Equal(result.Receipt.MessageId, Assert.Single(seen).MessageId);
        var end = Assert.Single(harness.Broker.EndTransactions);
        Assert.Equal(TransactionSource.SourceClient, end.Source);
        Assert.Equal(V2Resolution.Commit, end.Resolution);
    }

    [Fact]
    public async Task SendInTransactionAsync_HalfMessage_InvisibleWhileLocalTransactionRuns()
    {
        await using var harness = await ProxyHarness.StartAsync(o => o.TransactionCheckDelay = CheckDelay);
        var producer = await harness.StartProducerAsync();
        var (consumer, seen) = await ConsumerAsync(harness);
        var deliveredDuringLocalTransaction = -1;

        await producer.SendInTransactionAsync(
            Message(),
            async (_, _) =>
            {
                deliveredDuringLocalTransaction = await harness.PollExpectingNothingAsync(consumer);
                return TransactionResolution.Commit;
            },
            TestTimeout.Token());

        Assert.Equal(0, deliveredDuringLocalTransaction);
        Assert.Equal(1, await consumer.PollOnceAsync(TestTimeout.Token(), TestTimeout.Token()));
    }

    [Fact]
    public async Task SendInTransactionAsync_LocalRollback_NeverDeliveredNorCheckedBack()
    {
        await using var harness = await ProxyHarness.StartAsync(o => o.TransactionCheckDelay = CheckDelay);
        var producer = await harness.StartProducerAsync();
        var (consumer, seen) = await ConsumerAsync(harness);

        var result = await producer.SendInTransactionAsync(Message(), (_, _) => Task.FromResult(TransactionResolution.Rollback), TestTimeout.Token());
        harness.Time.Advance(CheckDelay * 3);

        Assert.True(result.Ended);
        Assert.Equal(0, await harness.PollExpectingNothingAsync(consumer));
        Assert.Empty(seen);
        Assert.Equal(0, harness.Broker.TransactionChecksSent);
    }

    [Fact]
    public async Task CheckBack_CrashAfterLocalCommit_ResolverCommitsAndMessageIsDeliveredOnce()
    {
        await using var harness = await ProxyHarness.StartAsync(o => o.TransactionCheckDelay = CheckDelay);
        var committedOrders = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        var checks = new ConcurrentQueue<TransactionCheck>();
        var producer = await harness.StartProducerAsync(resolver: (check, _) =>
        {
            checks.Enqueue(check);
            return Task.FromResult(committedOrders.ContainsKey(check.Keys[0]) ? TransactionResolution.Commit : TransactionResolution.Rollback);
        });
        var (consumer, seen) = await ConsumerAsync(harness);

        // The local transaction commits, then the process "crashes" before EndTransaction.
        await Assert.ThrowsAsync<InvalidOperationException>(() => producer.SendInTransactionAsync(
            Message("order-7"),
            (_, _) =>
            {
                committedOrders["order-7"] = true;
                throw new InvalidOperationException("crash after the local commit");
            },
            TestTimeout.Token()));

        Assert.Equal(0, await harness.PollExpectingNothingAsync(consumer));
        harness.Time.Advance(CheckDelay);
        await Eventually.TrueAsync(() => harness.Broker.EndTransactions.Count == 1);

        var check = Assert.Single(checks);
        Assert.Equal(ProxyHarness.TransactionTopic, check.Topic);
        Assert.Equal(["order-7"], check.Keys);
        var end = Assert.Single(harness.Broker.EndTransactions);
        Assert.Equal(TransactionSource.SourceServerCheck, end.Source);
        Assert.Equal(V2Resolution.Commit, end.Resolution);
        Assert.Equal(1, await consumer.PollOnceAsync(TestTimeout.Token(), TestTimeout.Token()));
        harness.Time.Advance(CheckDelay * 3);
        Assert.Equal(0, await harness.PollExpectingNothingAsync(consumer));
        Assert.Single(seen);
        Assert.Equal(1, harness.Broker.TransactionChecksSent);
    }

    [Fact]
    public async Task CheckBack_LocalTransactionNeverCommitted_ResolverRollsBackAndNothingIsDelivered()
    {
        await using var harness = await ProxyHarness.StartAsync(o => o.TransactionCheckDelay = CheckDelay);
        var producer = await harness.StartProducerAsync(resolver: (_, _) => Task.FromResult(TransactionResolution.Rollback));
        var (consumer, seen) = await ConsumerAsync(harness);

        var result = await producer.SendInTransactionAsync(Message(), (_, _) => Task.FromResult(TransactionResolution.Unknown), TestTimeout.Token());
        harness.Time.Advance(CheckDelay);
        await Eventually.TrueAsync(() => harness.Broker.EndTransactions.Count == 1);

        Assert.False(result.Ended);
        Assert.Equal(V2Resolution.Rollback, Assert.Single(harness.Broker.EndTransactions).Resolution);
        Assert.Equal(0, await harness.PollExpectingNothingAsync(consumer));
        Assert.Empty(seen);
    }

    [Fact]
    public async Task CheckBack_ResolverUnknown_BrokerChecksAgainUntilResolved()
    {
        await using var harness = await ProxyHarness.StartAsync(o => o.TransactionCheckDelay = CheckDelay);
        var answers = new ConcurrentQueue<TransactionResolution>([TransactionResolution.Unknown, TransactionResolution.Commit]);
        var asked = 0;
        var producer = await harness.StartProducerAsync(resolver: (_, _) =>
        {
            Interlocked.Increment(ref asked);
            return Task.FromResult(answers.TryDequeue(out var answer) ? answer : TransactionResolution.Unknown);
        });
        var (consumer, _) = await ConsumerAsync(harness);
        await producer.SendInTransactionAsync(Message(), (_, _) => Task.FromResult(TransactionResolution.Unknown), TestTimeout.Token());

        harness.Time.Advance(CheckDelay);
        await Eventually.TrueAsync(() => Volatile.Read(ref asked) == 1);
        Assert.Empty(harness.Broker.EndTransactions);
        harness.Time.Advance(CheckDelay);
        await Eventually.TrueAsync(() => harness.Broker.EndTransactions.Count == 1);

        Assert.Equal(2, harness.Broker.TransactionChecksSent);
        Assert.Equal(1, await consumer.PollOnceAsync(TestTimeout.Token(), TestTimeout.Token()));
    }

    [Fact]
    public async Task CheckBack_AfterTelemetryStreamBreaks_SessionReopensAndCheckIsAnswered()
    {
        await using var harness = await ProxyHarness.StartAsync(o => o.TransactionCheckDelay = CheckDelay);
        var producer = await harness.StartProducerAsync(resolver: (_, _) => Task.FromResult(TransactionResolution.Commit));
        await producer.SendInTransactionAsync(Message(), (_, _) => Task.FromResult(TransactionResolution.Unknown), TestTimeout.Token());

        harness.Broker.DropTelemetryStreams();
        await Eventually.TrueAsync(() => harness.Broker.TelemetryPeerCount == 0);
        await Eventually.TrueAsync(() =>
        {
            harness.Time.Advance(TimeSpan.FromMilliseconds(200)); // the client's reconnect backoff runs on the injected clock
            return harness.Broker.TelemetryPeerCount == 1;
        });
        harness.Time.Advance(CheckDelay);
        await Eventually.TrueAsync(() => harness.Broker.EndTransactions.Count == 1);

        var end = Assert.Single(harness.Broker.EndTransactions);
        Assert.Equal(TransactionSource.SourceServerCheck, end.Source);
        Assert.Equal(V2Resolution.Commit, end.Resolution);
    }

    [Fact]
    public async Task EndTransaction_UnknownTransactionId_ThrowsInvalidTransactionId()
    {
        await using var harness = await ProxyHarness.StartAsync();
        var client = harness.Client();

        var ex = await Assert.ThrowsAsync<RocketMQException>(() => client.EndTransactionAsync(ProxyHarness.TransactionTopic, "01ABC", "TX-NOPE", V2Resolution.Commit, TransactionSource.SourceClient, TestTimeout.Token()));

        Assert.Equal(RocketMQStatusCode.InvalidTransactionId, ex.Code);
    }

    [Fact]
    public async Task SendInTransactionAsync_TopicNotAnnounced_ThrowsBeforeSending()
    {
        await using var harness = await ProxyHarness.StartAsync();
        var producer = await harness.StartProducerAsync(topics: ProxyHarness.Topic);

        await Assert.ThrowsAsync<ArgumentException>(() => producer.SendInTransactionAsync(Message(), (_, _) => Task.FromResult(TransactionResolution.Commit), TestTimeout.Token()));

        Assert.Empty(harness.Broker.MessagesOf(ProxyHarness.TransactionTopic));
    }

    private static async Task<(RocketMQSimpleConsumer Consumer, ConcurrentQueue<ReceivedMessage> Seen)> ConsumerAsync(ProxyHarness harness)
    {
        var seen = new ConcurrentQueue<ReceivedMessage>();
        var consumer = await harness.StartConsumerAsync(ProxyHarness.TransactionTopic, "*", (m, _) => { seen.Enqueue(m); return Task.CompletedTask; });
        return (consumer, seen);
    }
}
