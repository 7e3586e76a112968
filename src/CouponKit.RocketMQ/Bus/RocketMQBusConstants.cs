namespace CouponKit.RocketMQ.Bus;

/// <summary>Names the RocketMQ message bus uses on the wire.</summary>
internal static class RocketMQBusConstants
{
    /// <summary>The user property that carries <c>OutboxMessage.MessageId</c> (the broker's message id is its own).</summary>
    public const string MessageIdProperty = "CK_MESSAGE_ID";

    /// <summary>The user property that carries <c>OutboxMessage.Key</c>.</summary>
    public const string KeyProperty = "CK_KEY";

    /// <summary>The user property that carries <c>OutboxMessage.CreatedAt</c> (round-trip format).</summary>
    public const string CreatedAtProperty = "CK_CREATED_AT";

    /// <summary>The user property that carries <c>OutboxMessage.DeliverAt</c> (round-trip format), when set.</summary>
    public const string DeliverAtProperty = "CK_DELIVER_AT";

    /// <summary>The tag filter that receives every tag.</summary>
    public const string AllTags = "*";

    /// <summary>The separator of tags in a tag filter expression.</summary>
    public const string TagSeparator = "||";

    /// <summary>The longest invisible duration RocketMQ accepts; retry backoffs are capped to it.</summary>
    public static readonly TimeSpan MaxInvisibleDuration = TimeSpan.FromHours(12);
}
