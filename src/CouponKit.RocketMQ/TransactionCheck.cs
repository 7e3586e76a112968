namespace CouponKit.RocketMQ;

/// <summary>
/// The broker asks whether a transactional (half) message whose sender never ended its transaction
/// (for example because it crashed after the local commit) must be committed or rolled back.
/// Answer from the state of the local transaction, for example from the outbox row keyed by <see cref="Keys"/>.
/// </summary>
public sealed class TransactionCheck
{
    /// <summary>Initializes a new instance of the <see cref="TransactionCheck"/> class.</summary>
    /// <param name="topic">The topic of the half message.</param>
    /// <param name="messageId">The message id.</param>
    /// <param name="transactionId">The broker's transaction id.</param>
    /// <param name="tag">The tag, if any.</param>
    /// <param name="keys">The message keys.</param>
    /// <param name="properties">The user properties.</param>
    /// <param name="body">The body.</param>
    public TransactionCheck(string topic, string messageId, string transactionId, string? tag, IReadOnlyList<string> keys, IReadOnlyDictionary<string, string> properties, ReadOnlyMemory<byte> body)
    {
        Topic = topic;
        MessageId = messageId;
        TransactionId = transactionId;
        Tag = tag;
        Keys = keys;
        Properties = properties;
        Body = body;
    }

    /// <summary>Gets the topic of the half message.</summary>
    public string Topic { get; }

    /// <summary>Gets the message id given when the half message was sent.</summary>
    public string MessageId { get; }

    /// <summary>Gets the broker's transaction id.</summary>
    public string TransactionId { get; }

    /// <summary>Gets the tag of the message, if any.</summary>
    public string? Tag { get; }

    /// <summary>Gets the message keys (business keys, such as an order number).</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>Gets the user properties of the message.</summary>
    public IReadOnlyDictionary<string, string> Properties { get; }

    /// <summary>Gets the message body.</summary>
    public ReadOnlyMemory<byte> Body { get; }
}
