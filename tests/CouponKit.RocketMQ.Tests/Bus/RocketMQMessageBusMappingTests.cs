using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.RocketMQ.Bus;

namespace CouponKit.RocketMQ.Tests.Bus;

public sealed class RocketMQMessageBusMappingTests
{
    [Fact]
    public void TagExpression_NoTags_IsStar_SeveralTags_AreJoinedByDoublePipe()
    {
        Assert.Equal("*", RocketMQMessageBus.TagExpression([]));
        Assert.Equal("Locked||Released", RocketMQMessageBus.TagExpression([CouponTopics.Locked, CouponTopics.Released]));
    }

    [Theory]
    [InlineData("a|b")]
    [InlineData(" ")]
    [InlineData("*")]
    public void TagExpression_TagThatCannotBeFiltered_Throws(string tag)
        => Assert.Throws<ArgumentException>(() => RocketMQMessageBus.TagExpression([tag]));

    [Fact]
    public void Backoff_FollowsTheSubscription_CappedAtTwelveHours()
    {
        var subscription = new Subscription { ConsumerGroup = "g", Topic = "t", InitialBackoff = TimeSpan.FromSeconds(2), MaxBackoff = TimeSpan.FromDays(2) };

        Assert.Equal(TimeSpan.FromSeconds(2), RocketMQMessageBus.Backoff(subscription, 1));
        Assert.Equal(TimeSpan.FromSeconds(8), RocketMQMessageBus.Backoff(subscription, 3));
        Assert.Equal(TimeSpan.FromHours(12), RocketMQMessageBus.Backoff(subscription, 30));
    }

    [Theory]
    [InlineData(TransactionOutcome.Committed, TransactionResolution.Commit)]
    [InlineData(TransactionOutcome.RolledBack, TransactionResolution.Rollback)]
    [InlineData(TransactionOutcome.Unknown, TransactionResolution.Unknown)]
    public void TransactionOutcomeAndResolution_MapBothWays(TransactionOutcome outcome, TransactionResolution resolution)
    {
        Assert.Equal(resolution, RocketMQMessageBus.ToResolution(outcome));
        Assert.Equal(outcome, RocketMQMessageBus.ToOutcome(resolution));
    }
}
