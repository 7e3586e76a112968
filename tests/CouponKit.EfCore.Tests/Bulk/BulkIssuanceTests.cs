using CouponKit.EfCore.Model;
using CouponKit.EfCore.Stores;
using CouponKit.EfCore.Tests.Postgres;
using CouponKit.EfCore.Tests.Segments;
using CouponKit.InMemory;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Redemption;
using CouponKit.Rewards;
using CouponKit.Rules;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace CouponKit.EfCore.Tests.Bulk;

/// <summary>
/// Push issuance through <see cref="IBulkCouponStore"/>: a chunk per transaction (binary COPY on PostgreSQL, batched inserts on
/// SQLite), with the outcomes one-by-one issuance would give.
/// </summary>
public abstract class BulkIssuanceTests : DatabaseTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
    private const string Segment = "everyone";

    [Fact]
    public async Task PushAsync_50000Users_OneCouponEachWithItsEventAndARerunIssuesNothing()
    {
        var shop = await ShopAsync(users: 50_000, inventory: 60_000, segments: 1);

        var job = await shop.Push.StartAsync(Request("job-1", chunkSize: 5_000));

        Assert.Equal((PushJobState.Completed, 50_000L, 0L, 0L), (job.State, job.Issued, job.Skipped, job.Failed));
        await AssertOneCouponPerUserAsync(shop.Db, expected: 50_000);
        Assert.Equal(new TemplateStock(60_000, 50_000), await shop.Store.GetStockAsync("push", default));

        var again = await shop.Push.StartAsync(Request("job-1", chunkSize: 5_000));
        var other = await shop.Push.StartAsync(Request("job-2", chunkSize: 5_000));

        Assert.Equal((PushJobState.Completed, 50_000L, 0L), (again.State, again.Issued, again.Skipped));
        Assert.Equal((PushJobState.Completed, 0L, 50_000L), (other.State, other.Issued, other.Skipped));
        await AssertOneCouponPerUserAsync(shop.Db, expected: 50_000);
        Assert.Equal(new TemplateStock(60_000, 50_000), await shop.Store.GetStockAsync("push", default));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task PushAsync_ChunkCrossesTheEndOfStock_IssuesExactlyTheRemainingStock(int segments)
    {
        var shop = await ShopAsync(users: 5_000, inventory: 2_500, segments);

        var job = await shop.Push.StartAsync(Request("job-1", chunkSize: 1_000));

        Assert.Equal((PushJobState.SoldOut, 2_500L, "u002500"), (job.State, job.Issued, job.LastUserId));
        await AssertOneCouponPerUserAsync(shop.Db, expected: 2_500);
        Assert.Equal(new TemplateStock(2_500, 2_500), await shop.Store.GetStockAsync("push", default));
        if (segments > 1)
        {
            Assert.All(await StockSegmentTests.SegmentsAsync(shop.Db, "push"), r => Assert.Equal(0, r));
        }

        // The merchant raises the inventory: the resumed job continues with the first user who got nothing.
        var template = (await shop.Store.FindAsync("push", default))!;
        await shop.Store.UpdateAsync(Template("push", 5_000, template.Version + 1), template.Version, [], default);
        var resumed = await shop.Push.ResumeAsync("job-1");

        Assert.Equal((PushJobState.Completed, 5_000L, 0L), (resumed.State, resumed.Issued, resumed.Skipped));
        await AssertOneCouponPerUserAsync(shop.Db, expected: 5_000);
    }

    [Fact]
    public async Task PushAsync_WhileUsersClaimTheSameTemplate_IssuesExactlyTheInventory()
    {
        // Invariant: chunks taking stock in bulk and single claims taking it one by one, side by side, issue exactly the
        // inventory together: never more, and none is lost (the demand of 6,000 exceeds the 3,000 in stock).
        var shop = await ShopAsync(users: 4_000, inventory: 3_000, segments: 4);
        var claims = Task.WhenAll(Enumerable.Range(0, 16).Select(claimer => Task.Run(async () =>
        {
            var issued = 0;
            for (var i = claimer; i < 2_000; i += 16)
            {
                var outcome = await shop.Store.IssueAsync(Command($"grab-{i}", $"g-{i}", "push", $"g{i:D6}"), default);
                issued += outcome.Status == IssueStatus.Issued ? 1 : 0;
            }

            return issued;
        })));

        var job = await shop.Push.StartAsync(Request("job-1", chunkSize: 500));
        var grabbed = (await claims).Sum();

        Assert.Equal(3_000, job.Issued + grabbed);
        Assert.Equal(new TemplateStock(3_000, 3_000), await shop.Store.GetStockAsync("push", default));
        await using var context = await shop.Db.Factory.CreateDbContextAsync();
        Assert.Equal(3_000, await context.Set<CouponRow>().CountAsync(c => c.TemplateId == "push"));
        Assert.Equal(3_000, (await OutboxMessagesAsync(context)).Count(m => m.Tag == CouponTopics.Issued));
        Assert.All(await StockSegmentTests.SegmentsAsync(shop.Db, "push"), r => Assert.Equal(0, r));
    }

    [Fact]
    public async Task IssueBatchAsync_MixedBatch_AnswersAsOneByOneIssuance()
    {
        var db = await CreateDatabaseAsync();
        var store = db.CreateStore(new EfCoreCouponKitOptions());
        var reference = new InMemoryCouponKitStore();
        var sequential = new InMemoryCouponKitStore();
        foreach (var s in new ITemplateStore[] { store, reference, sequential })
        {
            await s.AddAsync(Template("t", inventory: 5), [], default);
            await s.AddAsync(Template("other", inventory: 1), [], default);
        }

        foreach (var s in new ICouponStore[] { store, reference, sequential })
        {
            Assert.Equal(IssueStatus.Issued, (await s.IssueAsync(Command("kp", "cp", "t", "u9"), default)).Status);
        }

        IssueCommand[] batch =
        [
            Command("k1", "c1", "t", "u1"),
            Command("k2", "c2", "t", "u1"),
            Command("k3", "c3", "t", "u1"), // limit 2 reached
            Command("k1", "c1b", "t", "u1"), // the same key again in the batch: replay of c1
            Command("k1", "c1c", "t", "u2"), // the same key for another user: conflict
            Command("kp", "cpb", "t", "u9"), // a key used before the batch: replay
            Command("k4", "c4", "other", "u1"),
            Command("k5", "c5", "other", "u2"), // the other template is sold out
            Command("k6", "c6", "t", "u3"),
            Command("k7", "c7", "t", "u4"), // the last of t's stock
            Command("k8", "c8", "t", "u5"), // sold out
            Command("k9", "c9", "t", "u1"), // limit is checked before stock
        ];

        var bulk = await store.IssueBatchAsync(batch, default);
        var expected = await reference.IssueBatchAsync(batch, default);
        var oneByOne = new List<IssueOutcome>();
        foreach (var command in batch)
        {
            oneByOne.Add(await sequential.IssueAsync(command, default));
        }

        IssueStatus[] statuses =
        [
            IssueStatus.Issued, IssueStatus.Issued, IssueStatus.LimitReached, IssueStatus.Replayed, IssueStatus.KeyConflict, IssueStatus.Replayed,
            IssueStatus.Issued, IssueStatus.SoldOut, IssueStatus.Issued, IssueStatus.Issued, IssueStatus.SoldOut, IssueStatus.LimitReached,
        ];
        Assert.Equal(statuses, oneByOne.Select(o => o.Status));
        Assert.Equal(statuses, expected.Select(o => o.Status));
        Assert.Equal(statuses, bulk.Select(o => o.Status));
        Assert.Equal(oneByOne.Select(o => o.Coupon?.CouponId), bulk.Select(o => o.Coupon?.CouponId));
        Assert.Equal(new TemplateStock(5, 5), await store.GetStockAsync("t", default));
        Assert.Equal(new TemplateStock(1, 1), await store.GetStockAsync("other", default));
        Assert.Equal(["c1", "c2", "c4"], (await store.ListByUserAsync("u1", default)).Select(c => c.CouponId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task IssueBatchAsync_UnknownTemplate_WritesNothing()
    {
        var db = await CreateDatabaseAsync();
        var store = db.CreateStore(new EfCoreCouponKitOptions { StockSegments = 2 });
        await store.AddAsync(Template("t", inventory: 5), [], default);

        await Assert.ThrowsAsync<TemplateNotFoundException>(() => store.IssueBatchAsync([Command("k1", "c1", "t", "u1"), Command("k2", "c2", "nope", "u1")], default));

        Assert.Equal(new TemplateStock(5, 0), await store.GetStockAsync("t", default));
        Assert.Null(await store.FindByClaimKeyAsync("k1", default));
        await using var context = await db.Factory.CreateDbContextAsync();
        Assert.Equal(0, await context.Set<OutboxRow>().CountAsync());
    }

    [Fact]
    public async Task ResumeAsync_CrashAfterAChunkCommittedBeforeItsCheckpoint_CountsAsAnUninterruptedRun()
    {
        // The coupons of the chunks in flight are written, then the process dies before the checkpoint: the resumed run meets
        // them as replays of their claim keys (on PostgreSQL the straight COPY is refused and the chunk goes through staging)
        // and counts them as issued, and the chunks after it are issued once. The fourth update is the checkpoint after the
        // second chunk one at a time (SQLite), after the third with two chunks in flight (PostgreSQL: the first two together).
        var shop = await ShopAsync(users: 3_000, inventory: 5_000, segments: 1, crashOnUpdate: 4);
        var inFlight = shop.Store.ConcurrentBatches;
        Assert.Equal(this is PostgresBulkIssuanceTests ? 2 : 1, inFlight);

        await Assert.ThrowsAsync<SimulatedCrashException>(() => shop.Push.StartAsync(Request("job-1", chunkSize: 1_000)));
        await AssertOneCouponPerUserAsync(shop.Db, expected: inFlight == 1 ? 2_000 : 3_000);
        var crashed = await shop.Push.GetAsync("job-1");
        Assert.Equal(
            inFlight == 1 ? (PushJobState.Running, 1_000L, "u001000") : (PushJobState.Running, 2_000L, "u002000"),
            (crashed.State, crashed.Issued, crashed.LastUserId));

        var resumed = await shop.Push.ResumeAsync("job-1");

        Assert.Equal((PushJobState.Completed, 3_000L, 0L, 0L), (resumed.State, resumed.Issued, resumed.Skipped, resumed.Failed));
        await AssertOneCouponPerUserAsync(shop.Db, expected: 3_000);
        Assert.Equal(new TemplateStock(5_000, 3_000), await shop.Store.GetStockAsync("push", default));
    }

    [Fact]
    public async Task IssueBatchAsync_UserAlreadyHoldsTheTemplateAndComesTwice_AnswersAsOneByOneIssuance()
    {
        // On PostgreSQL a batch of new users is copied without reading holdings first; a user who holds the template already
        // breaks the (template, user, sequence) index, and the batch is decided again from full reads.
        var db = await CreateDatabaseAsync();
        var store = db.CreateStore(new EfCoreCouponKitOptions());
        var reference = new InMemoryCouponKitStore();
        foreach (var s in new ITemplateStore[] { store, reference })
        {
            await s.AddAsync(Template("t", inventory: 5), [], default);
        }

        foreach (var s in new ICouponStore[] { store, reference })
        {
            Assert.Equal(IssueStatus.Issued, (await s.IssueAsync(Command("k0", "c0", "t", "u1"), default)).Status);
        }

        IssueCommand[] batch = [Command("k1", "c1", "t", "u2"), Command("k2", "c2", "t", "u1"), Command("k3", "c3", "t", "u1"), Command("k4", "c4", "t", "u2")];

        var bulk = await store.IssueBatchAsync(batch, default);
        var expected = await reference.IssueBatchAsync(batch, default);

        Assert.Equal([IssueStatus.Issued, IssueStatus.Issued, IssueStatus.LimitReached, IssueStatus.Issued], bulk.Select(o => o.Status));
        Assert.Equal(expected.Select(o => o.Status), bulk.Select(o => o.Status));
        Assert.Equal(new TemplateStock(5, 4), await store.GetStockAsync("t", default));
        Assert.Equal(["c0", "c2"], (await store.ListByUserAsync("u1", default)).Select(c => c.CouponId).Order(StringComparer.Ordinal));
        await using var context = await db.Factory.CreateDbContextAsync();
        Assert.Equal([1, 2], await context.Set<CouponRow>().Where(c => c.UserId == "u1").Select(c => c.Sequence).OrderBy(x => x).ToListAsync());
        Assert.Equal(4, (await OutboxMessagesAsync(context)).Count(m => m.Tag == CouponTopics.Issued));

        // The next batch of new users is issued as well (after a refused batch the store reads first, then copies again).
        var next = await store.IssueBatchAsync([Command("k5", "c5", "t", "u3")], default);
        Assert.Equal(IssueStatus.Issued, Assert.Single(next).Status);
        Assert.Equal(new TemplateStock(5, 5), await store.GetStockAsync("t", default));
    }

    [Fact]
    public async Task IssueBatchAsync_EveryColumn_ReadsBackAsWritten()
    {
        // On PostgreSQL the chunk is encoded in COPY's binary format by CouponKit itself: every column, NULLs, text beyond
        // ASCII, the largest and smallest times, and a block boundary (the rows of a chunk are sent 64 KiB at a time).
        var db = await CreateDatabaseAsync();
        var store = db.CreateStore(new EfCoreCouponKitOptions());
        await store.AddAsync(Template("t", inventory: 2_000), [], default);
        var draw = new CouponKit.Benefits.BenefitDraw("xoshiro256**/splitmix64;weighted", ulong.MaxValue, Money.Of(7.35m, "CNY"), 2);
        var commands = Enumerable.Range(0, 1_500).Select(i =>
        {
            var coupon = new IssuedCoupon(
                $"c{i:D5}", "t", i % 3 == 0 ? $"用户-é-{i}" : $"u{i}", (CouponState)(i % 2), DateTimeOffset.MinValue.AddTicks(i), DateTimeOffset.MaxValue.AddTicks(-i),
                T0.AddTicks(i * 7919), ClaimChannels.Push, i % 5 == 0 ? $"order-{i}-ü" : null, long.MaxValue - i)
            { Draw = i % 4 == 0 ? draw : null };
            return new IssueCommand($"key-{i}-ß", coupon, 1, []);
        }).ToArray();

        var outcomes = await store.IssueBatchAsync(commands, default);

        Assert.All(outcomes, o => Assert.Equal(IssueStatus.Issued, o.Status));
        foreach (var command in commands)
        {
            Assert.Equal(command.Coupon, await ((ICouponStore)store).FindAsync(command.Coupon.CouponId, default));
            Assert.Equal(command.Coupon, await store.FindByClaimKeyAsync(command.ClaimKey, default));
        }
    }

    [Fact]
    public async Task IssueBatchAsync_ACouponIdIsTaken_FailsAndWritesNothingOfTheChunk()
    {
        var db = await CreateDatabaseAsync();
        var store = db.CreateStore(new EfCoreCouponKitOptions { StockSegments = 2 });
        await store.AddAsync(Template("t", inventory: 5), [], default);
        Assert.Equal(IssueStatus.Issued, (await store.IssueAsync(Command("k0", "c0", "t", "u0"), default)).Status);

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.IssueBatchAsync([Command("k1", "c1", "t", "u1"), Command("k2", "c0", "t", "u2")], default));

        Assert.Equal(new TemplateStock(5, 1), await store.GetStockAsync("t", default));
        Assert.Null(await store.FindByClaimKeyAsync("k1", default));
        Assert.Null(await store.FindByClaimKeyAsync("k2", default));
        await using var context = await db.Factory.CreateDbContextAsync();
        Assert.Equal(["c0"], await context.Set<CouponRow>().Select(c => c.CouponId).ToListAsync());
        Assert.Equal(1, await context.Set<OutboxRow>().CountAsync());
    }

    [Fact]
    public async Task IssueBatchAsync_OneEnvelopeRowPerBatch_DispatchPublishesWhatOneRowPerEventWould()
    {
        // The in-memory store writes one outbox row per event, as a single claim does; the EF store one envelope per batch. The
        // dispatcher must publish the same messages (ids, topics, tags, keys, bodies, times) in the same order from both. The
        // second batch meets a user who holds the template already: on PostgreSQL it goes through the staging path.
        var db = await CreateDatabaseAsync();
        var time = new FakeTimeProvider(T0);
        var store = db.CreateStore(new EfCoreCouponKitOptions(), time);
        var reference = new InMemoryCouponKitStore();
        foreach (var s in new ITemplateStore[] { store, reference })
        {
            await s.AddAsync(Template("t", inventory: 500), [], default);
        }

        IssueCommand[] first = [.. Enumerable.Range(0, 200).Select(i => Command($"k{i:D3}", $"c{i:D3}", "t", $"u{i:D3}"))];
        IssueCommand[] second = [Command("k900", "c900", "t", "u900"), Command("k901", "c901", "t", "u000"), Command("k902", "c902", "t", "u902")];
        foreach (var batch in new[] { first, second })
        {
            Assert.Equal((await reference.IssueBatchAsync(batch, default)).Select(o => o.Status), (await store.IssueBatchAsync(batch, default)).Select(o => o.Status));
        }

        await using (var context = await db.Factory.CreateDbContextAsync())
        {
            var rows = await context.Set<OutboxRow>().OrderBy(o => o.Sequence).ToListAsync();
            Assert.Equal(2, rows.Count);
            Assert.All(rows, r => Assert.Equal((OutboxEnvelope.Topic, OutboxEnvelope.Tag), (r.Topic, r.Tag)));
        }

        var expected = await DispatchAllAsync(reference, time);
        var published = await DispatchAllAsync(store, time);

        Assert.Equal(203, expected.Count);
        Assert.Equal(expected, published);
        Assert.Equal(203, published.Select(m => m.MessageId).Distinct(StringComparer.Ordinal).Count());
        await using (var context = await db.Factory.CreateDbContextAsync())
        {
            Assert.All(await context.Set<OutboxRow>().ToListAsync(), r => Assert.Equal((int)OutboxStatus.Published, r.Status));
        }
    }

    [Fact]
    public async Task IssueBatchAsync_CouponRevokedBeforeItsEnvelopeIsPublished_RevokedIsPublishedAfterItsIssued()
    {
        // Order per key across an envelope, in the store's lease query: the revocation of a pushed coupon (keyed by the coupon)
        // waits while the chunk's envelope is pending; a message of a key outside the envelope's range does not.
        var db = await CreateDatabaseAsync();
        var time = new FakeTimeProvider(T0);
        var store = db.CreateStore(new EfCoreCouponKitOptions(), time);
        await store.AddAsync(Template("t", inventory: 10), [], default);
        IssueCommand[] batch = [.. Enumerable.Range(0, 5).Select(i => Command($"k{i}", $"c{i}", "t", $"u{i}"))];
        Assert.All(await store.IssueBatchAsync(batch, default), o => Assert.Equal(IssueStatus.Issued, o.Status));
        var revoked = new OutboxMessage("coupon:c2:revoked", CouponTopics.Coupon, "Revoked", "c2", "{}", T0);
        Assert.NotNull(await ((ICouponRevocationStore)store).TryRevokeAsync("c2", [revoked], default));
        Assert.Equal(IssueStatus.Issued, (await store.IssueAsync(Command("k9", "d9", "t", "u9"), default)).Status); // key "d9": outside

        var failing = true;
        var bus = new RecordingBus { Refuses = m => failing && m.MessageId == "coupon:c4:issued" };
        var dispatcher = new OutboxDispatcher(store, bus.For(0), time, Microsoft.Extensions.Options.Options.Create(new OutboxDispatcherOptions()));

        Assert.Equal(1, await dispatcher.DispatchOnceAsync(default)); // the envelope fails on its last message; only d9 goes
        Assert.Equal("coupon:d9:issued", bus.Published[^1].Message.MessageId);
        Assert.DoesNotContain(bus.Published, p => p.Message.MessageId == revoked.MessageId);
        failing = false;
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(5, await dispatcher.DispatchOnceAsync(default)); // the envelope; the revocation is leased once it is published
        Assert.Equal(1, await dispatcher.DispatchOnceAsync(default));
        Assert.Equal(0, await dispatcher.DispatchOnceAsync(default));

        var order = bus.Published.Select(p => p.Message.MessageId).ToList();
        Assert.True(order.LastIndexOf("coupon:c2:issued") < order.IndexOf(revoked.MessageId));
        Assert.Single(order, id => id == revoked.MessageId);
    }

    private static async Task<List<OutboxMessage>> DispatchAllAsync(IOutboxStore outbox, TimeProvider time)
    {
        var bus = new RecordingBus();
        var dispatcher = new OutboxDispatcher(outbox, bus.For(0), time, Microsoft.Extensions.Options.Options.Create(new OutboxDispatcherOptions()));
        while (await dispatcher.DispatchOnceAsync(default) > 0)
        {
        }

        return [.. bus.Published.Select(p => p.Message)];
    }

    private static async Task AssertOneCouponPerUserAsync(TestDatabase db, int expected)
    {
        await using var context = await db.Factory.CreateDbContextAsync();
        var coupons = await context.Set<CouponRow>().Where(c => c.TemplateId == "push").Select(c => new { c.CouponId, c.UserId, c.Sequence }).ToListAsync();
        Assert.Equal(expected, coupons.Count);
        Assert.Equal(expected, coupons.Select(c => c.UserId).Distinct(StringComparer.Ordinal).Count());
        Assert.All(coupons, c => Assert.Equal(1, c.Sequence));
        Assert.Equal(expected, await context.Set<CouponRow>().Where(c => c.TemplateId == "push" && c.ClaimKey != null).Select(c => c.ClaimKey).Distinct().CountAsync());

        // Exactly one Issued message per coupon, in the outbox with it (inside the chunks' envelopes), none twice.
        var messages = (await OutboxMessagesAsync(context)).Where(m => m.Tag == CouponTopics.Issued).Select(m => m.MessageId).ToList();
        Assert.Equal(coupons.Select(c => $"coupon:{c.CouponId}:issued").Order(StringComparer.Ordinal), messages.Order(StringComparer.Ordinal));
    }

    /// <summary>The messages of the outbox in write order, each envelope opened in place.</summary>
    private static async Task<List<OutboxMessage>> OutboxMessagesAsync(CouponKitDbContext context)
    {
        var rows = await context.Set<OutboxRow>().OrderBy(o => o.Sequence).ToListAsync();
        return rows
            .Select(o => new OutboxMessage(o.MessageId, o.Topic, o.Tag, o.Key, o.Body, o.CreatedAt, o.DeliverAt))
            .SelectMany(m => OutboxEnvelope.IsEnvelope(m) ? OutboxEnvelope.Open(m) : [m])
            .ToList();
    }

    private static PushJobRequest Request(string jobId, int chunkSize) => new() { JobId = jobId, TemplateId = "push", Segment = Segment, ChunkSize = chunkSize };

    private static CouponTemplate Template(string id, int inventory, long version = 1) => CouponTemplate.Restore(
        id,
        new TemplateDraft
        {
            Id = id,
            Name = "Welcome back: 10 off 100",
            Rule = new ThresholdRebateRule(Threshold.Spend(Money.Of(100m, "CNY")), Money.Of(10m, "CNY")),
            TotalInventory = inventory,
            Validity = CouponValidity.ForDaysAfterClaim(14),
            PerUserLimit = 2,
        },
        TemplateState.Active,
        version,
        T0,
        T0.AddMinutes(version));

    private static IssueCommand Command(string key, string couponId, string templateId, string userId)
    {
        var coupon = new IssuedCoupon(couponId, templateId, userId, CouponState.Available, T0, T0.AddDays(7), T0, ClaimChannels.Push, null, 1);
        return new IssueCommand(key, coupon, 2, [CouponEvents.Issued(coupon, key)]);
    }

    private async Task<Shop> ShopAsync(int users, int inventory, int segments, int crashOnUpdate = 0)
    {
        var db = await CreateDatabaseAsync();
        var time = new FakeTimeProvider(T0);
        var store = db.CreateStore(new EfCoreCouponKitOptions { StockSegments = segments, MaxAttempts = 100 }, time);
        await store.AddAsync(Template("push", inventory), [], default);
        var source = new InMemoryUserSegmentSource();
        source.Add(Segment, Enumerable.Range(1, users).Select(n => $"u{n:D6}"));
        return new Shop(db, store, new PushIssuance(store, store, source, new CrashingPushJobStore(new InMemoryPushJobStore(), crashOnUpdate), time));
    }

    /// <summary>A job store that dies (throws) at its n-th update, as a crashed process would stop; 0 never.</summary>
    private sealed class CrashingPushJobStore(IPushJobStore inner, int crashOnUpdate) : IPushJobStore
    {
        private int _updates;

        public Task<PushJob?> FindAsync(string jobId, CancellationToken cancellationToken) => inner.FindAsync(jobId, cancellationToken);

        public Task<bool> TryAddAsync(PushJob job, CancellationToken cancellationToken) => inner.TryAddAsync(job, cancellationToken);

        public Task<bool> TryUpdateAsync(PushJob job, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _updates) == crashOnUpdate ? throw new SimulatedCrashException() : inner.TryUpdateAsync(job, cancellationToken);
    }

    private sealed class SimulatedCrashException : Exception;

    private sealed record Shop(TestDatabase Db, EfCoreCouponKitStore<CouponKitDbContext> Store, PushIssuance Push);
}

/// <summary>Bulk push on SQLite: batched inserts, one SaveChanges per chunk.</summary>
public sealed class SqliteBulkIssuanceTests : BulkIssuanceTests
{
    private protected override Task<TestDatabase> CreateDatabaseCoreAsync() => Task.FromResult(TestDatabase.Sqlite());
}

/// <summary>Bulk push on PostgreSQL 15: binary COPY straight into the tables, through staging tables once a unique index refuses a row.</summary>
[Collection(PostgresFixture.Name)]
public sealed class PostgresBulkIssuanceTests(PostgresServer server) : BulkIssuanceTests
{
    private protected override Task<TestDatabase> CreateDatabaseCoreAsync() => TestDatabase.PostgresAsync(server, "bulk");
}
