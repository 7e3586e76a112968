namespace CouponKit.RocketMQ.Producing;

/// <summary>A message to send: topic, tag, keys, user properties and body; a message group makes it FIFO.</summary>
internal sealed class OutgoingMessage
{
    public OutgoingMessage(string topic, ReadOnlyMemory<byte> body)
    {
        Topic = topic;
        Body = body;
    }

    public string Topic { get; }

    public ReadOnlyMemory<byte> Body { get; }

    public string? Tag { get; init; }

    public IReadOnlyList<string> Keys { get; init; } = [];

    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets the FIFO message group: messages of one group keep their order (same queue).</summary>
    public string? MessageGroup { get; init; }
}
