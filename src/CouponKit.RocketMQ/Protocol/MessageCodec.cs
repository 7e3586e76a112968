using CouponKit.RocketMQ.Producing;
using CouponKit.RocketMQ.Protocol.V2;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace CouponKit.RocketMQ.Protocol;

/// <summary>Converts between CouponKit's message shapes and the protocol's <see cref="Message"/>.</summary>
internal static class MessageCodec
{
    public static Message ToProtobuf(MessagingClient client, OutgoingMessage message, MessageType type, int queueId, DateTimeOffset? deliveryTimestamp)
    {
        var system = new SystemProperties
        {
            MessageId = MessageIds.New(),
            MessageType = type,
            BodyEncoding = Encoding.Identity,
            BodyDigest = new Digest { Type = DigestType.Crc32, Checksum = Crc32.Compute(message.Body.Span).ToString("X", System.Globalization.CultureInfo.InvariantCulture) },
            BornTimestamp = Timestamp.FromDateTimeOffset(client.TimeProvider.GetUtcNow()),
            BornHost = Environment.MachineName,
            QueueId = queueId,
        };
        if (message.Tag is not null)
        {
            system.Tag = message.Tag;
        }

        system.Keys.AddRange(message.Keys);
        if (message.MessageGroup is not null)
        {
            system.MessageGroup = message.MessageGroup;
        }

        if (deliveryTimestamp is { } at)
        {
            system.DeliveryTimestamp = Timestamp.FromDateTimeOffset(at);
        }

        var proto = new Message
        {
            Topic = client.Resource(message.Topic),
            SystemProperties = system,
            Body = ByteString.CopyFrom(message.Body.Span),
        };
        foreach (var (key, value) in message.Properties)
        {
            proto.UserProperties[key] = value;
        }

        return proto;
    }

    public static TransactionCheck ToTransactionCheck(Message message, string transactionId)
    {
        var system = message.SystemProperties ?? new SystemProperties();
        return new TransactionCheck(
            message.Topic?.Name ?? string.Empty,
            system.MessageId,
            transactionId,
            system.HasTag ? system.Tag : null,
            system.Keys.ToList(),
            new Dictionary<string, string>(message.UserProperties, StringComparer.Ordinal),
            message.Body.Memory);
    }

    /// <summary>Checks what the broker would refuse anyway, to fail early with a clear message.</summary>
    public static void Validate(OutgoingMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!ResourceNames.IsValid(message.Topic))
        {
            throw new ArgumentException($"RocketMQ: topic '{message.Topic}' is not valid: use 1 to 255 letters, digits, '%', '|', '-' or '_'.", nameof(message));
        }

        if (message.Body.IsEmpty)
        {
            throw new ArgumentException("RocketMQ: the message body must not be empty.", nameof(message));
        }

        if (message.Tag is { } tag && (string.IsNullOrWhiteSpace(tag) || tag.Contains('|', StringComparison.Ordinal)))
        {
            throw new ArgumentException($"RocketMQ: tag '{tag}' is not valid: it must not be blank nor contain '|'.", nameof(message));
        }

        if (message.MessageGroup is { } group && string.IsNullOrWhiteSpace(group))
        {
            throw new ArgumentException("RocketMQ: the message group must not be blank.", nameof(message));
        }
    }
}
