using CouponKit.Messaging;
using CouponKit.Ports;
using Microsoft.Extensions.DependencyInjection;

namespace CouponKit.RocketMQ.Tests.EndToEnd;

/// <summary>CouponKit's <see cref="ITransactionalMessageBus"/> over RocketMQ half messages, through the test proxy.</summary>
public sealed class RocketMQTransactionalMessageBusTests
{
    [Fact]
    public async Task PublishInTransaction_Commit_IsDelivered()
    {
        await using var harness = await BusHarness.StartAsync();
        var received = new Received();
        await using var handle = await harness.Bus.SubscribeAsync(new Subscription { ConsumerGroup = BusHarness.GroupA, Topic = CouponTopics.Coupon }, received.Handle, TestTimeout.Token(30));
        var transactional = harness.Services.GetRequiredService<ITransactionalMessageBus>();
        var message = BusHarness.Message(CouponTopics.Confirmed);

        var outcome = await transactional.PublishInTransactionAsync(message, _ => Task.FromResult(true), TestTimeout.Token());

        Assert.Equal(TransactionOutcome.Committed, outcome);
        await Eventually.TrueAsync(() => received.Count == 1);
        Assert.Equal(message, received.Messages[0].Message);
    }

    [Fact]
    public async Task PublishInTransaction_Rollback_IsNeverDelivered()
    {
        await using var harness = await BusHarness.StartAsync();
        var received = new Received();
        await using var handle = await harness.Bus.SubscribeAsync(new Subscription { ConsumerGroup = BusHarness.GroupA, Topic = CouponTopics.Coupon }, received.Handle, TestTimeout.Token(30));
        var transactional = harness.Services.GetRequiredService<ITransactionalMessageBus>();
        var rolledBack = BusHarness.Message(CouponTopics.Confirmed);

        var outcome = await transactional.PublishInTransactionAsync(rolledBack, _ => Task.FromResult(false), TestTimeout.Token());
        harness.Time.Advance(TimeSpan.FromMinutes(1)); // past any check-back
        var marker = BusHarness.Message(CouponTopics.Issued);
        await harness.Bus.PublishAsync(marker, TestTimeout.Token());

        Assert.Equal(TransactionOutcome.RolledBack, outcome);
        await Eventually.TrueAsync(() => received.Contains(marker.MessageId));
        Assert.False(received.Contains(rolledBack.MessageId));
    }

    [Fact]
    public async Task PublishInTransaction_LocalThrows_ResolverSaysCommitted_DeliveredOnceAfterTheCheckBack()
    {
        var resolver = new FixedResolver(TransactionOutcome.Committed);
        await using var harness = await BusHarness.StartAsync(s => s.AddSingleton<ITransactionCheckResolver>(resolver));
        var received = new Received();
        await using var handle = await harness.Bus.SubscribeAsync(new Subscription { ConsumerGroup = BusHarness.GroupA, Topic = CouponTopics.Coupon }, received.Handle, TestTimeout.Token(30));
        var transactional = harness.Services.GetRequiredService<ITransactionalMessageBus>();
        var message = BusHarness.Message(CouponTopics.Confirmed, key: "order-7");

        var outcome = await transactional.PublishInTransactionAsync(message, _ => throw new InvalidOperationException("the database went away"), TestTimeout.Token());

        Assert.Equal(TransactionOutcome.Unknown, outcome);
        Assert.Equal(0, received.Count);
        harness.Time.Advance(harness.Broker.Options.TransactionCheckDelay);
        await Eventually.TrueAsync(() => received.Count == 1);

        var checkedMessage = Assert.Single(resolver.Checked);
        Assert.Equal((message.MessageId, message.Key, message.Tag, message.Body), (checkedMessage.MessageId, checkedMessage.Key, checkedMessage.Tag, checkedMessage.Body));

        // No second delivery: the next check-back period finds the transaction ended. (The clock stays within the 30 s
        // invisible duration of the delivery, so that an ack still in flight cannot expire into an honest redelivery.)
        harness.Time.Advance(harness.Broker.Options.TransactionCheckDelay * 2);
        var marker = BusHarness.Message(CouponTopics.Issued);
        await harness.Bus.PublishAsync(marker, TestTimeout.Token());
        await Eventually.TrueAsync(() => received.Contains(marker.MessageId));
        Assert.Single(received.Messages, m => m.Message.MessageId == message.MessageId);
        Assert.Single(resolver.Checked);
    }

    [Fact]
    public async Task PublishInTransaction_LocalThrows_ResolverSaysRolledBack_NeverDelivered()
    {
        var resolver = new FixedResolver(TransactionOutcome.RolledBack);
        await using var harness = await BusHarness.StartAsync(s => s.AddSingleton<ITransactionCheckResolver>(resolver));
        var received = new Received();
        await using var handle = await harness.Bus.SubscribeAsync(new Subscription { ConsumerGroup = BusHarness.GroupA, Topic = CouponTopics.Coupon }, received.Handle, TestTimeout.Token(30));
        var transactional = harness.Services.GetRequiredService<ITransactionalMessageBus>();
        var message = BusHarness.Message(CouponTopics.Confirmed);

        Assert.Equal(TransactionOutcome.Unknown, await transactional.PublishInTransactionAsync(message, _ => throw new InvalidOperationException("boom"), TestTimeout.Token()));
        harness.Time.Advance(harness.Broker.Options.TransactionCheckDelay);
        await Eventually.TrueAsync(() => resolver.Checked.Count == 1 && harness.Broker.EndTransactions.Count == 1);
        var marker = BusHarness.Message(CouponTopics.Issued);
        await harness.Bus.PublishAsync(marker, TestTimeout.Token());

        await Eventually.TrueAsync(() => received.Contains(marker.MessageId));
        Assert.False(received.Contains(message.MessageId));
    }

    private sealed class FixedResolver(TransactionOutcome outcome) : ITransactionCheckResolver
    {
        private readonly List<OutboxMessage> _checked = [];

        public IReadOnlyList<OutboxMessage> Checked
        {
            get
            {
                lock (_checked)
                {
                    return _checked.ToList();
                }
            }
        }

        public Task<TransactionOutcome> ResolveAsync(OutboxMessage message, CancellationToken cancellationToken)
        {
            lock (_checked)
            {
                _checked.Add(message);
            }

            return Task.FromResult(outcome);
        }
    }
}
