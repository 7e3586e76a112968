using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CouponKit.Messaging;

/// <summary>
/// An outbox row that carries several messages: a push chunk's writer stores one envelope instead of one row per message, and
/// the <see cref="OutboxDispatcher"/> opens it and publishes each message it holds, in order, with its own message id, topic,
/// tag, key, body and delivery time. Consumers never see the envelope, only the messages, exactly as if each had been written on
/// its own row.
/// </summary>
/// <remarks>
/// <para>
/// The envelope is marked published only after every message in it was published; a failure in the middle retries the whole
/// envelope (with the dispatcher's backoff, attempts and dead state), so the messages before the failure are published again:
/// at least once, as for any outbox message, and consumers de-duplicate on the message id. The envelope's id is derived from
/// the ids it holds, so writing the same messages twice is one envelope.
/// </para>
/// <para>
/// Order per key: an envelope holds messages of aggregates created in the same transaction (the coupons of a push chunk), so no
/// message written before it shares a key with it. Its key is the smallest key it holds (<see cref="CompareKeys"/>) and a store
/// keeps the largest next to it (<see cref="Packed.LastKey"/>); a later message whose key falls within that range is not leased
/// until the envelope is published, so a coupon's later message (its revocation) never overtakes its <c>Issued</c>. A later
/// message of another aggregate whose key happens to fall within the range waits too: later, never out of order.
/// </para>
/// </remarks>
internal static class OutboxEnvelope
{
    /// <summary>The topic of envelopes. Never published: the dispatcher publishes the messages inside.</summary>
    public const string Topic = "couponkit.outbox";

    /// <summary>The tag of envelopes.</summary>
    public const string Tag = "Envelope";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Wraps messages in one envelope.</summary>
    /// <param name="messages">The messages, in the order they are to be published; at least one, none an envelope.</param>
    /// <returns>The envelope (created at the earliest <see cref="OutboxMessage.CreatedAt"/> of the messages) and its largest key.</returns>
    /// <exception cref="ArgumentException">No message, a null message, or an envelope among them.</exception>
    public static Packed Wrap(IReadOnlyList<OutboxMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
        {
            throw new ArgumentException("An envelope holds at least one message.", nameof(messages));
        }

        var items = new Item[messages.Count];
        var createdAt = DateTimeOffset.MaxValue;
        string? first = null;
        string? last = null;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var i = 0; i < messages.Count; i++)
        {
            var m = messages[i] ?? throw new ArgumentException("A message is null.", nameof(messages));
            if (IsEnvelope(m))
            {
                throw new ArgumentException("An envelope does not hold envelopes.", nameof(messages));
            }

            items[i] = new Item(m.MessageId, m.Topic, m.Tag, m.Key, m.Body, m.CreatedAt, m.DeliverAt);
            createdAt = m.CreatedAt < createdAt ? m.CreatedAt : createdAt;
            first = first is null || CompareKeys(m.Key, first) < 0 ? m.Key : first;
            last = last is null || CompareKeys(m.Key, last) > 0 ? m.Key : last;
            hash.AppendData(Encoding.UTF8.GetBytes(m.MessageId));
            hash.AppendData("\n"u8);
        }

        var id = $"envelope:{Convert.ToHexString(hash.GetHashAndReset(), 0, 16).ToLowerInvariant()}:{messages.Count}";
        return new Packed(new OutboxMessage(id, Topic, Tag, first!, JsonSerializer.Serialize(new Body(items), Json), createdAt), last!);
    }

    /// <summary>Tells whether a message is an envelope.</summary>
    /// <param name="message">The message.</param>
    /// <returns><see langword="true"/> when it is.</returns>
    public static bool IsEnvelope(OutboxMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return string.Equals(message.Topic, Topic, StringComparison.Ordinal) && string.Equals(message.Tag, Tag, StringComparison.Ordinal);
    }

    /// <summary>Opens an envelope.</summary>
    /// <param name="envelope">The envelope.</param>
    /// <returns>The messages it holds, in order.</returns>
    /// <exception cref="ArgumentException">The message is not an envelope.</exception>
    /// <exception cref="JsonException">The envelope's body is not readable.</exception>
    public static IReadOnlyList<OutboxMessage> Open(OutboxMessage envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (!IsEnvelope(envelope))
        {
            throw new ArgumentException($"Message '{envelope.MessageId}' is not an envelope.", nameof(envelope));
        }

        var body = JsonSerializer.Deserialize<Body>(envelope.Body, Json);
        if (body?.Messages is not { Count: > 0 } items)
        {
            throw new JsonException($"Envelope '{envelope.MessageId}' holds no message.");
        }

        var messages = new OutboxMessage[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var m = items[i];
            if (m is null || string.IsNullOrEmpty(m.Id) || m.Topic is null || m.Tag is null || m.Key is null || m.Body is null)
            {
                throw new JsonException($"Envelope '{envelope.MessageId}' holds an incomplete message at {i}.");
            }

            messages[i] = new OutboxMessage(m.Id, m.Topic, m.Tag, m.Key, m.Body, m.CreatedAt, m.DeliverAt);
        }

        return messages;
    }

    /// <summary>
    /// The largest key an envelope holds (opening it), or <see langword="null"/> for a message that is not an envelope. An envelope
    /// whose body cannot be read gives its own key: the dispatcher fails it (and finally kills it) without publishing anything.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <returns>The largest key, or <see langword="null"/>.</returns>
    public static string? LastKeyOf(OutboxMessage message)
    {
        if (!IsEnvelope(message))
        {
            return null;
        }

        IReadOnlyList<OutboxMessage> inside;
        try
        {
            inside = Open(message);
        }
        catch (JsonException)
        {
            return message.Key;
        }

        var last = message.Key;
        foreach (var m in inside)
        {
            last = CompareKeys(m.Key, last) > 0 ? m.Key : last;
        }

        return last;
    }

    /// <summary>
    /// Compares two keys in the order an envelope's key range uses: Unicode code points, which is the order of their UTF-8 bytes
    /// (PostgreSQL's <c>COLLATE "C"</c>, SQLite's <c>BINARY</c>).
    /// </summary>
    /// <param name="x">A key.</param>
    /// <param name="y">Another key.</param>
    /// <returns>Less than zero, zero or more than zero as <paramref name="x"/> sorts before, with or after <paramref name="y"/>.</returns>
    public static int CompareKeys(string x, string y)
    {
        var length = Math.Min(x.Length, y.Length);
        for (var i = 0; i < length; i++)
        {
            var a = x[i];
            var b = y[i];
            if (a == b)
            {
                continue;
            }

            // Outside the surrogates, UTF-16 units sort as code points do; a surrogate (a code point above U+FFFF) sorts after
            // every other unit, which UTF-16's own order gets wrong against U+E000..U+FFFF.
            var sa = char.IsSurrogate(a);
            var sb = char.IsSurrogate(b);
            return sa == sb ? a.CompareTo(b) : sa ? 1 : -1;
        }

        return x.Length.CompareTo(y.Length);
    }

    /// <summary>An envelope with the largest key it holds (its <see cref="OutboxMessage.Key"/> is the smallest).</summary>
    /// <param name="Envelope">The envelope.</param>
    /// <param name="LastKey">The largest key of its messages.</param>
    internal sealed record Packed(OutboxMessage Envelope, string LastKey);

    private sealed record Body(IReadOnlyList<Item> Messages);

    private sealed record Item(string Id, string Topic, string Tag, string Key, string Body, DateTimeOffset CreatedAt, DateTimeOffset? DeliverAt);
}
