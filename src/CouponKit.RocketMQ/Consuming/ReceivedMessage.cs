using CouponKit.RocketMQ.Protocol.V2;

namespace CouponKit.RocketMQ.Consuming;

/// <summary>A message handed to the consumer's handler.</summary>
internal sealed class ReceivedMessage
{
    private ReceivedMessage(Message message)
    {
        var system = message.SystemProperties ?? new SystemProperties();
        Topic = message.Topic?.Name ?? string.Empty;
        MessageId = system.MessageId;
        Tag = system.HasTag ? system.Tag : null;
        Keys = system.Keys.ToList();
        Properties = new Dictionary<string, string>(message.UserProperties, StringComparer.Ordinal);
        Body = message.Body.Memory;
        MessageGroup = system.HasMessageGroup ? system.MessageGroup : null;
        DeliveryAttempt = system.HasDeliveryAttempt ? system.DeliveryAttempt : 1;
        BornTimestamp = system.BornTimestamp?.ToDateTimeOffset();
        DeliveryTimestamp = system.DeliveryTimestamp?.ToDateTimeOffset();
        ReceiptHandle = system.HasReceiptHandle ? system.ReceiptHandle : string.Empty;
    }

    public string Topic { get; }

    public string MessageId { get; }

    public string? Tag { get; }

    public IReadOnlyList<string> Keys { get; }

    public IReadOnlyDictionary<string, string> Properties { get; }

    public ReadOnlyMemory<byte> Body { get; }

    public string? MessageGroup { get; }

    /// <summary>Gets the delivery attempt: 1 on the first delivery.</summary>
    public int DeliveryAttempt { get; }

    public DateTimeOffset? BornTimestamp { get; }

    public DateTimeOffset? DeliveryTimestamp { get; }

    /// <summary>Gets the receipt handle that acks this delivery; it changes with ChangeInvisibleDuration and expires with the invisible duration.</summary>
    internal string ReceiptHandle { get; set; }

    public static ReceivedMessage FromProtobuf(Message message) => new(message);
}
