using CouponKit.Messaging;
using CouponKit.RocketMQ.Bus;
using CouponKit.RocketMQ.Consuming;
using CouponKit.RocketMQ.Protocol.V2;
using Google.Protobuf;

namespace CouponKit.RocketMQ.Tests.Bus;

public sealed class OutboxMessageCodecTests
{
    private static readonly DateTimeOffset CreatedAt = new(2026, 11, 23, 12, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public void ToOutgoing_MapsTopicTagKeysPropertiesAndUtf8Body()
    {
        var message = new OutboxMessage("m-1", CouponTopics.Coupon, CouponTopics.LockTimeout, "order-1", """{"orderId":"order-1","note":"满100减20"}""", CreatedAt, CreatedAt.AddMinutes(30));

        var outgoing = OutboxMessageCodec.ToOutgoing(message);

        Assert.Equal((CouponTopics.Coupon, CouponTopics.LockTimeout), (outgoing.Topic, outgoing.Tag));
        Assert.Equal(["order-1", "m-1"], outgoing.Keys);
        Assert.Equal(message.Body, System.Text.Encoding.UTF8.GetString(outgoing.Body.Span));
        Assert.Equal("m-1", outgoing.Properties[RocketMQBusConstants.MessageIdProperty]);
        Assert.Null(outgoing.MessageGroup);
    }

    [Fact]
    public void ToIncoming_RoundTripsTheOutboxMessageAndTakesTheBrokersAttempt()
    {
        var message = new OutboxMessage("m-2", CouponTopics.Coupon, CouponTopics.Released, "order-2", """{"a":1}""", CreatedAt, CreatedAt.AddMinutes(30));
        var outgoing = OutboxMessageCodec.ToOutgoing(message);
        var proto = new Message
        {
            Topic = new Resource { ResourceNamespace = "shop", Name = outgoing.Topic },
            SystemProperties = new SystemProperties { MessageId = "01BROKERID", Tag = outgoing.Tag, Keys = { outgoing.Keys }, DeliveryAttempt = 3 },
            Body = ByteString.CopyFrom(outgoing.Body.Span),
        };
        foreach (var (name, value) in outgoing.Properties)
        {
            proto.UserProperties[name] = value;
        }

        var incoming = OutboxMessageCodec.ToIncoming(ReceivedMessage.FromProtobuf(proto), CreatedAt.AddHours(1));

        Assert.Equal(message, incoming.Message);
        Assert.Equal(3, incoming.DeliveryAttempt);
    }

    [Fact]
    public void ToIncoming_MessageFromAnotherProducer_FallsBackOnKeysAndBrokerFields()
    {
        var proto = new Message
        {
            Topic = new Resource { Name = CouponTopics.Coupon },
            SystemProperties = new SystemProperties { MessageId = "01BROKERID", Keys = { "order-3" } },
            Body = ByteString.CopyFromUtf8("{}"),
        };
        var now = CreatedAt.AddHours(2);

        var incoming = OutboxMessageCodec.ToIncoming(ReceivedMessage.FromProtobuf(proto), now);

        Assert.Equal(new OutboxMessage("01BROKERID", CouponTopics.Coupon, string.Empty, "order-3", "{}", now), incoming.Message);
        Assert.Equal(1, incoming.DeliveryAttempt);
    }
}
