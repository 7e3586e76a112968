using System.Buffers;
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

    private const string VersionName = "v";
    private const string MessagesName = "messages";
    private const string IdName = "id";
    private const string TopicName = "topic";
    private const string TagName = "tag";
    private const string KeyName = "key";
    private const string BodyName = "body";
    private const string JsonName = "json";
    private const string CreatedAtName = "createdAt";
    private const string DeliverAtName = "deliverAt";

    /// <summary>Wraps messages in one envelope.</summary>
    /// <param name="messages">The messages, in the order they are to be published; at least one, none an envelope.</param>
    /// <returns>The envelope (created at the earliest <see cref="OutboxMessage.CreatedAt"/> of the messages) and its largest key.</returns>
    /// <exception cref="ArgumentException">No message, a null message, or an envelope among them.</exception>
    public static Packed Wrap(IReadOnlyList<OutboxMessage> messages)
    {
        var body = new ArrayBufferWriter<byte>();
        var header = Write(messages, body);
        return new Packed(header.ToMessage(Encoding.UTF8.GetString(body.WrittenSpan)), header.LastKey);
    }

    /// <summary>
    /// Writes the body of an envelope holding <paramref name="messages"/> as UTF-8 JSON to <paramref name="body"/> (for a store
    /// that streams it to its database without building the string) and gives the rest of the envelope.
    /// </summary>
    /// <param name="messages">The messages, in the order they are to be published; at least one, none an envelope.</param>
    /// <param name="body">Where the body goes.</param>
    /// <returns>The envelope's id, keys and creation time; <see cref="Header.ToMessage"/> makes the envelope from the body.</returns>
    /// <exception cref="ArgumentException">No message, a null message, or an envelope among them.</exception>
    /// <remarks>
    /// The body (version 2) names the first message's topic, tag and creation time once; each message then carries its id and
    /// key, and its topic, tag, creation or delivery time only where they differ. A body that is ASCII JSON (as every CouponKit
    /// event's is) is embedded as it is (<c>json</c>), any other as a string (<c>body</c>); either way <see cref="Open"/> gives
    /// back the very same string. Version 1 bodies (every field of every message, each body a string) are still read.
    /// </remarks>
    public static Header Write(IReadOnlyList<OutboxMessage> messages, IBufferWriter<byte> body)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(body);
        if (messages.Count == 0)
        {
            throw new ArgumentException("An envelope holds at least one message.", nameof(messages));
        }

        var common = messages[0] ?? throw new ArgumentException("A message is null.", nameof(messages));
        var createdAt = DateTimeOffset.MaxValue;
        string? first = null;
        string? last = null;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var writer = new Utf8JsonWriter(body, new JsonWriterOptions { SkipValidation = true });
        writer.WriteStartObject();
        writer.WriteNumber(VersionName, 2);
        writer.WriteString(TopicName, common.Topic);
        writer.WriteString(TagName, common.Tag);
        writer.WriteString(CreatedAtName, common.CreatedAt);
        writer.WriteStartArray(MessagesName);
        byte[]? rented = null;
        try
        {
            for (var i = 0; i < messages.Count; i++)
            {
                var m = messages[i] ?? throw new ArgumentException("A message is null.", nameof(messages));
                if (IsEnvelope(m))
                {
                    throw new ArgumentException("An envelope does not hold envelopes.", nameof(messages));
                }

                createdAt = m.CreatedAt < createdAt ? m.CreatedAt : createdAt;
                first = first is null || CompareKeys(m.Key, first) < 0 ? m.Key : first;
                last = last is null || CompareKeys(m.Key, last) > 0 ? m.Key : last;

                // The id hash: each id's UTF-8 bytes and a line feed, as version 1 had it (the same messages, the same id).
                var length = Math.Max(Encoding.UTF8.GetMaxByteCount(Math.Max(m.MessageId.Length, m.Body.Length)), 256);
                if (rented is null || rented.Length < length)
                {
                    if (rented is not null)
                    {
                        ArrayPool<byte>.Shared.Return(rented);
                    }

                    rented = ArrayPool<byte>.Shared.Rent(length);
                }

                hash.AppendData(rented, 0, Encoding.UTF8.GetBytes(m.MessageId, rented));
                hash.AppendData("\n"u8);

                writer.WriteStartObject();
                writer.WriteString(IdName, m.MessageId);
                writer.WriteString(KeyName, m.Key);
                if (!string.Equals(m.Topic, common.Topic, StringComparison.Ordinal))
                {
                    writer.WriteString(TopicName, m.Topic);
                }

                if (!string.Equals(m.Tag, common.Tag, StringComparison.Ordinal))
                {
                    writer.WriteString(TagName, m.Tag);
                }

                if (m.CreatedAt != common.CreatedAt || m.CreatedAt.Offset != common.CreatedAt.Offset)
                {
                    writer.WriteString(CreatedAtName, m.CreatedAt);
                }

                if (m.DeliverAt is { } deliverAt)
                {
                    writer.WriteString(DeliverAtName, deliverAt);
                }

                // ASCII JSON goes in as it is: no escaping when written, the same characters when read back (GetRawText).
                var json = rented.AsSpan(0, Ascii.IsValid(m.Body) ? Encoding.ASCII.GetBytes(m.Body, rented) : 0);
                if (json.Length > 0 && IsOneJsonValue(json))
                {
                    writer.WritePropertyName(JsonName);
                    writer.WriteRawValue(json, skipInputValidation: true);
                }
                else
                {
                    writer.WriteString(BodyName, m.Body);
                }

                writer.WriteEndObject();
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
        var id = $"envelope:{Convert.ToHexString(hash.GetHashAndReset(), 0, 16).ToLowerInvariant()}:{messages.Count}";
        return new Header(id, first!, last!, createdAt);
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

        using var document = JsonDocument.Parse(envelope.Body);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(MessagesName, out var items) || items.ValueKind != JsonValueKind.Array || items.GetArrayLength() == 0)
        {
            throw new JsonException($"Envelope '{envelope.MessageId}' holds no message.");
        }

        var version = root.TryGetProperty(VersionName, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : 1;
        if (version is not (1 or 2))
        {
            throw new JsonException($"Envelope '{envelope.MessageId}' is of version {version}, which this version of CouponKit does not read.");
        }

        var topic = version == 2 ? String(root, TopicName) : null;
        var tag = version == 2 ? String(root, TagName) : null;
        var createdAt = version == 2 ? Time(root, CreatedAtName) : null;
        var messages = new OutboxMessage[items.GetArrayLength()];
        var i = 0;
        foreach (var m in items.EnumerateArray())
        {
            if (m.ValueKind != JsonValueKind.Object
                || String(m, IdName) is not { Length: > 0 } id
                || (String(m, TopicName) ?? topic) is not { } itemTopic
                || (String(m, TagName) ?? tag) is not { } itemTag
                || String(m, KeyName) is not { } key
                || (m.TryGetProperty(JsonName, out var json) ? json.GetRawText() : String(m, BodyName)) is not { } body
                || (Time(m, CreatedAtName) ?? createdAt) is not { } at)
            {
                throw new JsonException($"Envelope '{envelope.MessageId}' holds an incomplete message at {i}.");
            }

            messages[i++] = new OutboxMessage(id, itemTopic, itemTag, key, body, at, Time(m, DeliverAtName));
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

    /// <summary>
    /// Tells whether UTF-8 bytes are exactly one JSON value, from the first byte to the last (white space around it would be
    /// lost: a value read back is its own text only).
    /// </summary>
    private static bool IsOneJsonValue(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            return reader.Read() && reader.TokenStartIndex == 0 && reader.TrySkip() && reader.BytesConsumed == json.Length;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? Time(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.TryGetDateTimeOffset(out var at) ? at : null;

    /// <summary>An envelope with the largest key it holds (its <see cref="OutboxMessage.Key"/> is the smallest).</summary>
    /// <param name="Envelope">The envelope.</param>
    /// <param name="LastKey">The largest key of its messages.</param>
    internal sealed record Packed(OutboxMessage Envelope, string LastKey);

    /// <summary>An envelope but its body, as <see cref="Write"/> gives it.</summary>
    /// <param name="MessageId">The envelope's id, derived from the ids it holds.</param>
    /// <param name="Key">The smallest key it holds.</param>
    /// <param name="LastKey">The largest key it holds.</param>
    /// <param name="CreatedAt">The earliest creation time of its messages.</param>
    internal sealed record Header(string MessageId, string Key, string LastKey, DateTimeOffset CreatedAt)
    {
        /// <summary>The envelope with its body.</summary>
        /// <param name="body">The body <see cref="Write"/> wrote.</param>
        /// <returns>The envelope.</returns>
        public OutboxMessage ToMessage(string body) => new(MessageId, Topic, Tag, Key, body, CreatedAt);
    }
}
