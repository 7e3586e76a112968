using System.Globalization;
using System.Text;
using CouponKit.Messaging;
using CouponKit.RocketMQ.Consuming;
using CouponKit.RocketMQ.Producing;

namespace CouponKit.RocketMQ.Bus;

/// <summary>Maps CouponKit's <see cref="OutboxMessage"/> to a RocketMQ message and back.</summary>
internal static class OutboxMessageCodec
{
    /// <summary>Topic and tag as given, keys <c>[Key, MessageId]</c>, the outbox fields as user properties, the body as UTF-8.</summary>
    public static OutgoingMessage ToOutgoing(OutboxMessage message) => ToOutgoing(message, messageGroup: null);

    /// <summary>As <see cref="ToOutgoing(OutboxMessage)"/>, in the FIFO <paramref name="messageGroup"/> when one is given.</summary>
    public static OutgoingMessage ToOutgoing(OutboxMessage message, string? messageGroup)
    {
        ArgumentNullException.ThrowIfNull(message);
        var keys = new List<string>(2);
        if (!string.IsNullOrWhiteSpace(message.Key))
        {
            keys.Add(message.Key);
        }

        if (!string.IsNullOrWhiteSpace(message.MessageId) && !keys.Contains(message.MessageId, StringComparer.Ordinal))
        {
            keys.Add(message.MessageId);
        }

        var properties = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [RocketMQBusConstants.MessageIdProperty] = message.MessageId,
            [RocketMQBusConstants.KeyProperty] = message.Key,
            [RocketMQBusConstants.CreatedAtProperty] = message.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
        };
        if (message.DeliverAt is { } deliverAt)
        {
            properties[RocketMQBusConstants.DeliverAtProperty] = deliverAt.ToString("O", CultureInfo.InvariantCulture);
        }

        return new OutgoingMessage(message.Topic, Encoding.UTF8.GetBytes(message.Body))
        {
            Tag = string.IsNullOrEmpty(message.Tag) ? null : message.Tag,
            Keys = keys,
            Properties = properties,
            MessageGroup = messageGroup,
        };
    }

    /// <summary>A received message as the subscriber sees it; the delivery attempt is the broker's.</summary>
    public static IncomingMessage ToIncoming(ReceivedMessage received, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(received);
        var message = ToOutboxMessage(received.Topic, received.MessageId, received.Tag, received.Keys, received.Properties, received.Body, received.BornTimestamp ?? now, received.DeliveryTimestamp);
        return new IncomingMessage(message, Math.Max(1, received.DeliveryAttempt));
    }

    /// <summary>The outbox message of a transactional message the broker checks back.</summary>
    public static OutboxMessage ToOutboxMessage(TransactionCheck check, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(check);
        return ToOutboxMessage(check.Topic, check.MessageId, check.Tag, check.Keys, check.Properties, check.Body, now, deliveryTimestamp: null);
    }

    private static OutboxMessage ToOutboxMessage(
        string topic,
        string brokerMessageId,
        string? tag,
        IReadOnlyList<string> keys,
        IReadOnlyDictionary<string, string> properties,
        ReadOnlyMemory<byte> body,
        DateTimeOffset fallbackCreatedAt,
        DateTimeOffset? deliveryTimestamp)
    {
        var messageId = properties.TryGetValue(RocketMQBusConstants.MessageIdProperty, out var id) && !string.IsNullOrEmpty(id)
            ? id
            : keys.Count > 1 ? keys[1] : brokerMessageId;
        var key = properties.TryGetValue(RocketMQBusConstants.KeyProperty, out var k)
            ? k
            : keys.Count > 0 ? keys[0] : string.Empty;
        var createdAt = ParseTime(properties, RocketMQBusConstants.CreatedAtProperty) ?? fallbackCreatedAt;
        var deliverAt = ParseTime(properties, RocketMQBusConstants.DeliverAtProperty) ?? deliveryTimestamp;
        return new OutboxMessage(messageId, topic, tag ?? string.Empty, key, Encoding.UTF8.GetString(body.Span), createdAt, deliverAt);
    }

    private static DateTimeOffset? ParseTime(IReadOnlyDictionary<string, string> properties, string name)
        => properties.TryGetValue(name, out var text) && DateTimeOffset.TryParseExact(text, "O", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var value)
            ? value
            : null;
}
