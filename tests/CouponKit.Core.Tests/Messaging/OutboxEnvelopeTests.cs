using System.Text.Json;
using CouponKit.InMemory;
using CouponKit.Messaging;
using CouponKit.Ports;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static CouponKit.Core.Tests.Messaging.MessagingTestKit;

namespace CouponKit.Core.Tests.Messaging;

public sealed class OutboxEnvelopeTests
{
    private readonly FakeTimeProvider _time = Clock();
    private readonly InMemoryCouponKitStore _store = new();
    private readonly FakeBus _bus = new();
    private readonly ListLogger<OutboxDispatcher> _log = new();

    [Fact]
    public void Open_AWrappedList_GivesBackEveryMessageUnchangedInOrder()
    {
        var messages = Issued(5);
        messages[2] = messages[2] with { DeliverAt = Shop.Now.AddMinutes(3), Body = "{\"odd\":\"\\u00e9 \\\"quoted\\\"\"}" };

        var packed = OutboxEnvelope.Wrap(messages.Reverse().ToArray());
        var envelope = packed.Envelope;

        Assert.True(OutboxEnvelope.IsEnvelope(envelope));
        Assert.Equal(("c0000", "c0004"), (envelope.Key, packed.LastKey)); // its key range: the smallest and largest keys it holds
        Assert.Equal("c0004", OutboxEnvelope.LastKeyOf(envelope));
        Assert.Null(OutboxEnvelope.LastKeyOf(messages[0]));
        Assert.Equal(messages.Reverse(), OutboxEnvelope.Open(envelope));
        Assert.Equal(envelope.MessageId, OutboxEnvelope.Wrap(Issued(5).Select((m, i) => i == 2 ? messages[2] : m).Reverse().ToArray()).Envelope.MessageId);
        Assert.NotEqual(envelope.MessageId, OutboxEnvelope.Wrap(messages[..4]).Envelope.MessageId);
    }

    [Fact]
    public void Open_MessagesThatDifferInEveryField_GivesBackEachStringAndTimeExactly()
    {
        // Bodies that are not JSON, not ASCII, not one value, or JSON with odd spacing; topics, tags and times that differ from
        // the first message's (which the body names once), a time in another offset at the same instant. (A lone surrogate is no
        // text a database stores, nor one JSON writes: not a case.)
        OutboxMessage[] messages =
        [
            new("m1", CouponTopics.Coupon, CouponTopics.Issued, "c1", "{\"couponId\":\"c1\"}", Shop.Now),
            new("m2", "other.topic", CouponTopics.Issued, "c2", "not json at all", Shop.Now),
            new("m3", CouponTopics.Coupon, "Credit", "c3", "{ \"spaced\" : [1, 2 ,3] }\n", Shop.Now.AddTicks(1)),
            new("m4", CouponTopics.Coupon, CouponTopics.Issued, "c4", "{\"name\":\"caf\u00e9 \ud83c\udf81\"}", Shop.Now.ToOffset(TimeSpan.FromHours(8))),
            new("m5", CouponTopics.Coupon, CouponTopics.Issued, "c5", "{} {}", Shop.Now, Shop.Now.AddMinutes(30)),
            new("m7", CouponTopics.Coupon, CouponTopics.Issued, "c7", string.Empty, Shop.Now),
            new("m8", CouponTopics.Coupon, CouponTopics.Issued, "c8", "42", Shop.Now),
        ];

        var opened = OutboxEnvelope.Open(OutboxEnvelope.Wrap(messages).Envelope);

        Assert.Equal(messages, opened);
        Assert.All(opened.Zip(messages), pair => Assert.Equal(pair.Second.CreatedAt.Offset, pair.First.CreatedAt.Offset));
        Assert.Equal(TimeSpan.FromHours(8), opened[3].CreatedAt.Offset);
    }

    [Fact]
    public void Write_TheUtf8BodyAStoreStreams_IsTheBodyOfWrap()
    {
        var messages = Issued(40);
        using var body = new PooledByteBuffer(16);

        var header = OutboxEnvelope.Write(messages, body);
        var packed = OutboxEnvelope.Wrap(messages);

        Assert.Equal(packed.Envelope, header.ToMessage(System.Text.Encoding.UTF8.GetString(body.WrittenMemory.Span)));
        Assert.Equal(packed.LastKey, header.LastKey);

        // Each message's JSON body is in it as it is, not escaped into a string, and the topic and tag are named once.
        Assert.Contains("\"json\":{\"couponId\":\"c0007\"}", packed.Envelope.Body, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(packed.Envelope.Body, "\"topic\""));
    }

    [Fact]
    public void Open_AnEnvelopeOfVersion1_IsStillRead()
    {
        // As the first version wrote them (every field of every message, each body a string): pending rows of an older CouponKit.
        const string Body = """
            {"messages":[{"id":"m1","topic":"couponkit.coupon","tag":"Issued","key":"c1","body":"{\"couponId\":\"c1\"}","createdAt":"2026-11-11T20:00:00+08:00","deliverAt":null},
            {"id":"m2","topic":"couponkit.coupon","tag":"Credit","key":"c2","body":"x","createdAt":"2026-11-11T12:00:00.0000001+00:00","deliverAt":"2026-11-11T12:30:00+00:00"}]}
            """;
        var envelope = new OutboxMessage("envelope:v1:2", OutboxEnvelope.Topic, OutboxEnvelope.Tag, "c1", Body, Shop.Now);

        var opened = OutboxEnvelope.Open(envelope);

        Assert.Equal(
            [
                new OutboxMessage("m1", "couponkit.coupon", "Issued", "c1", "{\"couponId\":\"c1\"}", new DateTimeOffset(2026, 11, 11, 20, 0, 0, TimeSpan.FromHours(8))),
                new OutboxMessage("m2", "couponkit.coupon", "Credit", "c2", "x", new DateTimeOffset(2026, 11, 11, 12, 0, 0, TimeSpan.Zero).AddTicks(1), new DateTimeOffset(2026, 11, 11, 12, 30, 0, TimeSpan.Zero)),
            ],
            opened);
        Assert.Equal("c2", OutboxEnvelope.LastKeyOf(envelope));
    }

    [Fact]
    public void Open_AnEnvelopeOfAnUnknownVersionOrWithAnIncompleteMessage_IsRefused()
    {
        var envelope = OutboxEnvelope.Wrap(Issued(2)).Envelope;

        Assert.Throws<JsonException>(() => OutboxEnvelope.Open(envelope with { Body = envelope.Body.Replace("\"v\":2", "\"v\":3", StringComparison.Ordinal) }));
        Assert.Throws<JsonException>(() => OutboxEnvelope.Open(envelope with { Body = envelope.Body.Replace("\"key\":", "\"kee\":", StringComparison.Ordinal) }));
        Assert.Throws<JsonException>(() => OutboxEnvelope.Open(envelope with { Body = envelope.Body.Replace("\"createdAt\":", "\"created\":", StringComparison.Ordinal) }));
        Assert.Throws<JsonException>(() => OutboxEnvelope.Open(envelope with { Body = "[1]" }));
        Assert.Throws<JsonException>(() => OutboxEnvelope.Open(envelope with { Body = "{\"messages\":[1]}" }));
    }

    [Fact]
    public void Wrap_NothingOrAnEnvelope_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => OutboxEnvelope.Wrap([]));
        Assert.Throws<ArgumentException>(() => OutboxEnvelope.Wrap([OutboxEnvelope.Wrap(Issued(2)).Envelope]));
        Assert.Throws<ArgumentException>(() => OutboxEnvelope.Open(Issued(1)[0]));
        Assert.Throws<JsonException>(() => OutboxEnvelope.Open(OutboxEnvelope.Wrap(Issued(1)).Envelope with { Body = "{\"messages\":[]}" }));
    }

    [Fact]
    public async Task DispatchOnce_Envelope_PublishesEachMessageInOrderThenMarksTheEnvelope()
    {
        var messages = Issued(250);
        await AddToOutboxAsync(_store, "t1", Message("before"), OutboxEnvelope.Wrap(messages).Envelope, Message("after", key: "other"));

        Assert.Equal(252, await CreateSut().DispatchOnceAsync(default));

        Assert.Equal(["before", .. messages.Select(m => m.MessageId), "after"], _bus.Published.Select(m => m.MessageId));
        Assert.Equal(messages, _bus.Published.Skip(1).Take(250));
        Assert.DoesNotContain(_bus.Published, OutboxEnvelope.IsEnvelope);
        Assert.All(_store.OutboxEntries, e => Assert.Equal(OutboxStatus.Published, e.Status));
    }

    [Fact]
    public async Task DispatchOnce_BusFailsInTheMiddleOfAnEnvelope_RetriedAfterBackoffAndAnIdempotentConsumerHandlesEachOnce()
    {
        var messages = Issued(10);
        _bus.Fails = (m, _) => m.MessageId == messages[6].MessageId && _bus.Calls <= 7; // the 7th publication fails once
        await AddToOutboxAsync(_store, "t1", OutboxEnvelope.Wrap(messages).Envelope);
        var sut = CreateSut();

        Assert.Equal(0, await sut.DispatchOnceAsync(default));
        var entry = Assert.Single(_store.OutboxEntries);
        Assert.Equal((1, OutboxStatus.Pending), (entry.Attempts, entry.Status));
        Assert.Equal(messages.Take(6), _bus.Published);
        Assert.Equal(1, _log.Count(1111));

        Assert.Equal(0, await sut.DispatchOnceAsync(default)); // not due before the backoff
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(10, await sut.DispatchOnceAsync(default));
        Assert.Equal(0, await sut.DispatchOnceAsync(default));

        // At least once: the six sent before the failure went again. The inbox lets the consumer act once per message id.
        Assert.Equal(16, _bus.Published.Count);
        Assert.Equal(messages.Select(m => m.MessageId), _bus.Published.Select(m => m.MessageId).Distinct());
        var effects = new List<string>();
        foreach (var message in _bus.Published)
        {
            if (await _store.TryRecordAsync("shop-crm", message.MessageId, default))
            {
                effects.Add(message.MessageId);
            }
        }

        Assert.Equal(messages.Select(m => m.MessageId), effects);
        Assert.Equal((2, OutboxStatus.Published), (Assert.Single(_store.OutboxEntries).Attempts, Assert.Single(_store.OutboxEntries).Status));
    }

    [Fact]
    public async Task DispatchOnce_EnvelopeAlwaysFailing_MarkedDeadAfterMaxAttemptsWithItsMessagesStillReadable()
    {
        var messages = Issued(3);
        _bus.Fails = (m, _) => m.MessageId == messages[1].MessageId;
        var envelope = OutboxEnvelope.Wrap(messages).Envelope;
        await AddToOutboxAsync(_store, "t1", envelope, Message("next", key: "other"));
        var sut = CreateSut(o => o.MaxAttempts = 4);

        Assert.Equal(1, await sut.DispatchOnceAsync(default)); // "next" does not wait behind the envelope (another key)
        for (var i = 1; i < 4; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(5));
            Assert.Equal(0, await sut.DispatchOnceAsync(default));
        }

        var dead = Assert.Single(_store.OutboxEntries, e => e.Message.MessageId == envelope.MessageId);
        Assert.Equal((4, OutboxStatus.Dead), (dead.Attempts, dead.Status));
        Assert.Equal(messages, OutboxEnvelope.Open(dead.Message));
        var logged = Assert.Single(_log.Entries, e => e.Id.Id == 1112);
        Assert.Contains(envelope.MessageId, logged.Text, StringComparison.Ordinal);

        _time.Advance(TimeSpan.FromHours(1));
        var calls = _bus.Calls;
        Assert.Equal(0, await sut.DispatchOnceAsync(default));
        Assert.Equal(calls, _bus.Calls); // dead: not tried again
    }

    [Fact]
    public async Task DispatchOnce_UnreadableEnvelope_CountsAsAFailedAttempt()
    {
        await AddToOutboxAsync(_store, "t1", OutboxEnvelope.Wrap(Issued(2)).Envelope with { Body = "not json" });

        Assert.Equal(0, await CreateSut().DispatchOnceAsync(default));

        Assert.Empty(_bus.Published);
        var entry = Assert.Single(_store.OutboxEntries);
        Assert.Equal((1, OutboxStatus.Pending), (entry.Attempts, entry.Status));
        Assert.Equal(1, _log.Count(1111));
    }

    [Fact]
    public async Task DispatchOnce_LeaseRunsOutDuringAnEnvelope_StopsTheSweepAndTheNextOnePublishesTheRest()
    {
        var first = Issued(3);
        var second = Issued(2).Select(m => m with { MessageId = m.MessageId + ":2", Key = "d" + m.Key }).ToArray();
        _bus.Fails = (m, _) =>
        {
            if (m.MessageId == first[2].MessageId)
            {
                _time.Advance(TimeSpan.FromSeconds(30)); // a slow broker: publishing the first envelope takes the whole lease
            }

            return false;
        };
        await AddToOutboxAsync(_store, "t1", OutboxEnvelope.Wrap(first).Envelope, OutboxEnvelope.Wrap(second).Envelope);
        var sut = CreateSut();

        Assert.Equal(3, await sut.DispatchOnceAsync(default));
        Assert.Equal(first, _bus.Published);
        Assert.Equal(1, _log.Count(1114)); // the first envelope outlasted the lease: logged

        Assert.Equal(2, await sut.DispatchOnceAsync(default));
        Assert.Equal([.. first, .. second], _bus.Published);
        Assert.All(_store.OutboxEntries, e => Assert.Equal(OutboxStatus.Published, e.Status));
    }

    [Fact]
    public async Task DispatchOnce_LaterMessageOfACouponInAPendingEnvelope_WaitsUntilTheEnvelopeIsPublished()
    {
        // Order per key across an envelope: the coupon's revocation, written after the push chunk, must not overtake its Issued.
        // A later message whose key only falls within the envelope's key range waits too (later, never out of order); one
        // outside the range does not wait.
        var messages = Issued(5);
        var failing = true;
        _bus.Fails = (m, _) => failing && m.MessageId == messages[4].MessageId;
        await AddToOutboxAsync(
            _store,
            "t1",
            OutboxEnvelope.Wrap(messages).Envelope,
            Message("coupon:c0002:revoked", key: "c0002"),
            Message("in-range", key: "c0003x"),
            Message("outside", key: "d0000"));
        var sut = CreateSut();

        Assert.Equal(1, await sut.DispatchOnceAsync(default)); // only "outside": the envelope failed on its last message
        Assert.Equal(["outside"], _bus.Published.Where(m => !messages.Contains(m)).Select(m => m.MessageId));

        failing = false;
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(5, await sut.DispatchOnceAsync(default)); // the envelope; the two behind it were not due in this lease
        Assert.Equal(2, await sut.DispatchOnceAsync(default));

        var order = _bus.Published.Select(m => m.MessageId).ToList();
        Assert.True(order.LastIndexOf(messages[2].MessageId) < order.IndexOf("coupon:c0002:revoked"));
        Assert.True(order.LastIndexOf(messages[4].MessageId) < order.IndexOf("in-range"));
        Assert.All(_store.OutboxEntries, e => Assert.Equal(OutboxStatus.Published, e.Status));
    }

    [Fact]
    public async Task DispatchOnce_EnvelopeDead_NoLongerHoldsBackTheMessagesInItsRange()
    {
        var messages = Issued(2);
        _bus.Fails = (m, _) => messages.Contains(m);
        await AddToOutboxAsync(_store, "t1", OutboxEnvelope.Wrap(messages).Envelope, Message("coupon:c0001:revoked", key: "c0001"));
        var sut = CreateSut(o => o.MaxAttempts = 1);

        Assert.Equal(0, await sut.DispatchOnceAsync(default)); // the envelope fails once and is dead

        Assert.Equal(1, await sut.DispatchOnceAsync(default));
        Assert.Equal("coupon:c0001:revoked", _bus.Published[^1].MessageId);
    }

    [Theory]
    [InlineData("a", "b")]
    [InlineData("a", "ab")]
    [InlineData("Z", "a")]
    [InlineData("coupon-9", "coupon-a")]
    [InlineData("\u00e9", "\u4e2d")]
    [InlineData("\uffff", "\ud83d\ude00")] // U+FFFF before U+1F600: code points (and UTF-8 bytes), unlike UTF-16 units
    [InlineData("\ue000", "\ud800\udc00")]
    public void CompareKeys_SortsAsCodePointsAndUtf8Bytes(string smaller, string larger)
    {
        smaller = System.Text.RegularExpressions.Regex.Unescape(smaller);
        larger = System.Text.RegularExpressions.Regex.Unescape(larger);

        Assert.True(OutboxEnvelope.CompareKeys(smaller, larger) < 0);
        Assert.True(OutboxEnvelope.CompareKeys(larger, smaller) > 0);
        Assert.Equal(0, OutboxEnvelope.CompareKeys(larger, larger));
        Assert.True(System.Text.Encoding.UTF8.GetBytes(smaller).AsSpan().SequenceCompareTo(System.Text.Encoding.UTF8.GetBytes(larger)) < 0);
    }

    private static OutboxMessage[] Issued(int count) =>
        [.. Enumerable.Range(0, count).Select(i => Message($"coupon:c{i:D4}:issued", tag: CouponTopics.Issued, key: $"c{i:D4}") with { Body = $"{{\"couponId\":\"c{i:D4}\"}}" })];

    private OutboxDispatcher CreateSut(Action<OutboxDispatcherOptions>? configure = null)
    {
        var options = new OutboxDispatcherOptions();
        configure?.Invoke(options);
        return new OutboxDispatcher(_store, _bus, _time, Options.Create(options), _log);
    }
}
