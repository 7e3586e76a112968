using CouponKit.EfCore.Model;
using CouponKit.EfCore.Stores;
using CouponKit.EfCore.Tests.Postgres;
using CouponKit.EfCore.Tests.Segments;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CouponKit.EfCore.Tests.Stores;

/// <summary>
/// Group commit of claims (<see cref="EfCoreCouponKitOptions.ClaimBatchSize"/>): claims written in one transaction each get the
/// outcome they would have had alone, in arrival order, and the batch takes exactly the stock it issues.
/// </summary>
public abstract class ClaimBatchTests : DatabaseTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task WriteClaimBatchAsync_MixedClaims_EachGetsTheOutcomeItWouldHaveAlone(int segments)
    {
        var db = await CreateDatabaseAsync();
        var store = db.CreateStore(new EfCoreCouponKitOptions { StockSegments = segments });
        await store.AddAsync(StockSegmentTests.Template("t1", 5), [], default);
        var earlier = Command("k-old", "c-old", "u0");
        Assert.Equal(IssueStatus.Issued, (await store.IssueAsync(earlier, default)).Status);
        Assert.Equal(IssueStatus.Issued, (await store.IssueAsync(Command("k-other", "c-other", "u9"), default)).Status);

        // 3 coupons left. In arrival order, as claims one after the other would be answered:
        PendingClaim[] batch =
        [
            Pending(Command("k-old", "c0", "u0")),                 // 0: replay of the earlier claim
            Pending(Command("k-other", "c1", "u1")),               // 1: the key is another user's
            Pending(Command("k1", "c2", "u0")),                    // 2: u0 holds 1 of 1
            Pending(Command("k2", "c3", "u2", limit: 2)),          // 3: issued (u2's first)
            Pending(Command("k3", "c4", "u2", limit: 2)),          // 4: issued (u2's second, counted from the batch)
            Pending(Command("k4", "c5", "u2", limit: 2)),          // 5: u2 now holds 2 of 2
            Pending(Command("k5", "c6", "u3", template: "nope")),  // 6: bad input: unknown template
            Pending(Command("k6", "c-old", "u3")),                 // 7: bad input: the coupon id is in use
            Pending(Command("k7", "c8", "u4")),                    // 8: issued: the last coupon
            Pending(Command("k8", "c9", "u5")),                    // 9: sold out
            Pending(Command("k9", "c3", "u6")),                    // 10: bad input: the coupon id of claim 3
        ];

        await store.WriteClaimBatchAsync(batch);

        Assert.All(batch, claim => Assert.True(claim.IsCompleted));
        var replay = await batch[0].Outcome;
        Assert.Equal((IssueStatus.Replayed, "c-old"), (replay.Status, replay.Coupon!.CouponId));
        Assert.Equal(IssueStatus.KeyConflict, (await batch[1].Outcome).Status);
        Assert.Equal(IssueStatus.LimitReached, (await batch[2].Outcome).Status);
        Assert.Equal(batch[3].Command.Coupon, (await batch[3].Outcome).Coupon);
        Assert.Equal(IssueStatus.Issued, (await batch[4].Outcome).Status);
        Assert.Equal(IssueStatus.LimitReached, (await batch[5].Outcome).Status);
        Assert.Equal("nope", (await Assert.ThrowsAsync<TemplateNotFoundException>(() => batch[6].Outcome)).TemplateId);
        await Assert.ThrowsAsync<InvalidOperationException>(() => batch[7].Outcome);
        Assert.Equal(IssueStatus.Issued, (await batch[8].Outcome).Status);
        Assert.Equal(IssueStatus.SoldOut, (await batch[9].Outcome).Status);
        await Assert.ThrowsAsync<InvalidOperationException>(() => batch[10].Outcome);

        // Exactly the stock: 5 coupons, each with its claim key, 5 Issued rows; u2's two coupons hold sequences 1 and 2.
        Assert.Equal(new TemplateStock(5, 5), await store.GetStockAsync("t1", default));
        await using var context = await db.Factory.CreateDbContextAsync();
        Assert.Equal(
            new[] { "c-old", "c-other", "c3", "c4", "c8" },
            await context.Set<CouponRow>().OrderBy(c => c.CouponId).Select(c => c.CouponId).ToArrayAsync());
        Assert.Equal(
            new[] { "k-old", "k-other", "k2", "k3", "k7" },
            await context.Set<CouponRow>().OrderBy(c => c.ClaimKey).Select(c => c.ClaimKey).ToArrayAsync());
        Assert.Equal(
            new[] { "m-k-old", "m-k-other", "m-k2", "m-k3", "m-k7" },
            await context.Set<OutboxRow>().OrderBy(o => o.MessageId).Select(o => o.MessageId).ToArrayAsync());
        Assert.Equal(new[] { 1, 2 }, await context.Set<CouponRow>().Where(c => c.UserId == "u2").OrderBy(c => c.Sequence).Select(c => c.Sequence).ToArrayAsync());
    }

    [Fact]
    public async Task WriteClaimBatchAsync_OneUserLimitedAndSoldOut_IsAnsweredAsInOrder()
    {
        // A user's first claim of the batch sold out does not count toward the limit: the second is sold out too, not limited.
        var db = await CreateDatabaseAsync();
        var store = db.CreateStore(new EfCoreCouponKitOptions());
        await store.AddAsync(StockSegmentTests.Template("t1", 1), [], default);
        PendingClaim[] batch = [Pending(Command("k1", "c1", "u1")), Pending(Command("k2", "c2", "u2")), Pending(Command("k3", "c3", "u2"))];

        await store.WriteClaimBatchAsync(batch);

        Assert.Equal(new[] { IssueStatus.Issued, IssueStatus.SoldOut, IssueStatus.SoldOut }, (await Task.WhenAll(batch.Select(b => b.Outcome))).Select(o => o.Status));
        Assert.Equal(new TemplateStock(1, 1), await store.GetStockAsync("t1", default));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public async Task IssueAsync_ConcurrentClaimsInBatches_IssueExactlyTheStockAndEachKeyOnce(int segments)
    {
        // Invariant: 32 claimers make 3,000 claims of 600 users (limit 2 each; one claim in five retries the user's previous key)
        // on 500 coupons. Batched, the store issues exactly the 500, no user holds more than 2, each key maps to one coupon, and
        // every outcome is what the claim's key and the stock allow.
        const int claimers = 32, attempts = 3_000, users = 600, stock = 500;
        var db = await CreateDatabaseAsync();
        var store = db.CreateStore(new EfCoreCouponKitOptions { StockSegments = segments, ClaimBatchSize = 16, ClaimBatchWriters = 3, MaxAttempts = 100 });
        await store.AddAsync(StockSegmentTests.Template("t1", stock), [], default);
        var random = new Random(5);
        var lastKey = new string?[users];
        var commands = new IssueCommand[attempts];
        for (var i = 0; i < attempts; i++)
        {
            var user = random.Next(users);
            var key = lastKey[user] is { } previous && random.Next(5) == 0 ? previous : $"k{i}";
            lastKey[user] = key;
            commands[i] = Command(key, $"c{i}", $"u{user}", limit: 2);
        }

        var outcomes = new IssueOutcome[attempts];
        await Task.WhenAll(Enumerable.Range(0, claimers).Select(claimer => Task.Run(async () =>
        {
            for (var i = claimer; i < attempts; i += claimers)
            {
                outcomes[i] = await store.IssueAsync(commands[i], default);
            }
        })));

        Assert.Equal(stock, outcomes.Count(o => o.Status == IssueStatus.Issued));
        Assert.All(outcomes, o => Assert.NotEqual(IssueStatus.KeyConflict, o.Status));
        Assert.Equal(new TemplateStock(stock, stock), await store.GetStockAsync("t1", default));
        await using var context = await db.Factory.CreateDbContextAsync();
        Assert.Equal(stock, await context.Set<CouponRow>().CountAsync());
        Assert.Equal(stock, await context.Set<OutboxRow>().CountAsync());
        Assert.True(await context.Set<CouponRow>().GroupBy(c => c.UserId).Select(g => g.Count()).MaxAsync() <= 2);
        foreach (var key in commands.Zip(outcomes).Where(p => p.Second.Coupon is not null).GroupBy(p => p.First.ClaimKey))
        {
            var coupon = Assert.Single(key.Select(p => p.Second.Coupon!.CouponId).Distinct());
            Assert.Equal(coupon, (await store.FindByClaimKeyAsync(key.Key, default))!.CouponId);
        }
    }

    private protected static IssueCommand Command(string key, string couponId, string userId, int limit = 1, string template = "t1") =>
        new(key, StockSegmentTests.Coupon(couponId, template, userId), limit, [new OutboxMessage("m-" + key, CouponTopics.Coupon, CouponTopics.Issued, template, "{}", T0)]);

    private protected static PendingClaim Pending(IssueCommand command)
    {
        var claim = new PendingClaim(command);
        Assert.True(claim.TryTake());
        return claim;
    }
}

/// <summary>Claim batches on SQLite.</summary>
public sealed class SqliteClaimBatchTests : ClaimBatchTests
{
    private protected override Task<TestDatabase> CreateDatabaseCoreAsync() => Task.FromResult(TestDatabase.Sqlite());
}

/// <summary>Claim batches on PostgreSQL 15, and a batch that meets a concurrent writer.</summary>
[Collection(PostgresFixture.Name)]
public sealed class PostgresClaimBatchTests(PostgresServer server) : ClaimBatchTests
{
    private readonly ConcurrentClaimInterceptor _concurrent = new();

    [Fact]
    public async Task WriteClaimBatchAsync_AConcurrentWriterTookOneKey_RunsTheClaimsAloneAndEachGetsItsOutcome()
    {
        // Between the batch's reads and its insert (at its stock decrement), another writer commits a claim with key k2 (of the same user and template).
        // The batch's insert fails on the claim key; its transaction rolls back (stock included) and its claims run again one at
        // a time: k2 replays the other writer's coupon, the others are issued.
        await using var database = await PostgresDatabase.CreateAsync(server, "claimbatch", _concurrent);
        var store = database.CreateStore(options: new EfCoreCouponKitOptions { StockSegments = 4 });
        await store.AddAsync(StockSegmentTests.Template("t1", 10), [], default);
        _concurrent.Factory = database.Factory;
        PendingClaim[] batch = [Pending(Command("k1", "c1", "u1")), Pending(Command("k2", "c2", "u2")), Pending(Command("k3", "c3", "u3"))];

        await store.WriteClaimBatchAsync(batch);

        Assert.True(_concurrent.Fired);
        Assert.Equal(new[] { IssueStatus.Issued, IssueStatus.Replayed, IssueStatus.Issued }, (await Task.WhenAll(batch.Select(b => b.Outcome))).Select(o => o.Status));
        Assert.Equal("c-concurrent", (await batch[1].Outcome).Coupon!.CouponId);
        Assert.Equal(new TemplateStock(10, 2), await store.GetStockAsync("t1", default)); // the other writer took no stock here
        Assert.Equal(3, await database.ScalarAsync("SELECT count(*) FROM ck_coupons"));
        Assert.Equal(2, await database.ScalarAsync("SELECT count(*) FROM ck_outbox"));
    }

    [Fact]
    public async Task WriteClaimBatchAsync_FailureAfterTheDecrement_FailsEveryClaimAndLeavesNothing()
    {
        // The batch is one transaction: each attempt fails after its stock decrement; after the last, every claim fails with
        // the store's error, and neither stock nor a row of the batch remains.
        var fault = new FailAfterDecrement();
        await using var database = await PostgresDatabase.CreateAsync(server, "claimbatchfail", fault);
        var store = database.CreateStore(options: new EfCoreCouponKitOptions { StockSegments = 4, MaxAttempts = 3, RetryBackoff = TimeSpan.Zero });
        await store.AddAsync(StockSegmentTests.Template("t1", 10), [], default);
        fault.Armed = true;
        PendingClaim[] batch = [Pending(Command("k1", "c1", "u1")), Pending(Command("k2", "c2", "u2")), Pending(Command("k3", "c3", "u3"))];

        await store.WriteClaimBatchAsync(batch);

        foreach (var claim in batch)
        {
            Assert.Equal("IssueAsync", (await Assert.ThrowsAsync<CouponKitStoreException>(() => claim.Outcome)).Operation);
        }

        Assert.Equal(3, fault.Faults);
        fault.Armed = false;
        Assert.Equal(new TemplateStock(10, 0), await store.GetStockAsync("t1", default));
        Assert.Equal(0L, await database.ScalarAsync("SELECT count(*) FROM ck_coupons"));
        Assert.Equal(0L, await database.ScalarAsync("SELECT count(*) FROM ck_outbox"));
    }

    private protected override Task<TestDatabase> CreateDatabaseCoreAsync() => TestDatabase.PostgresAsync(server, "claimbatch");

    /// <summary>While armed, fails every stock decrement after it ran (as a dropped connection would, before the commit).</summary>
    private sealed class FailAfterDecrement : DbCommandInterceptor
    {
        private int _faults;

        public bool Armed { get; set; }

        public int Faults => _faults;

        public override ValueTask<int> NonQueryExecutedAsync(System.Data.Common.DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            if (Armed && command.CommandText.Contains("UPDATE", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _faults);
                throw new Npgsql.NpgsqlException("injected failure after the stock decrement");
            }

            return base.NonQueryExecutedAsync(command, eventData, result, cancellationToken);
        }
    }

    /// <summary>Before the first stock decrement it sees (after the batch's reads), commits a claim with key k2 from another context.</summary>
    private sealed class ConcurrentClaimInterceptor : DbCommandInterceptor
    {
        private int _fired;

        public IDbContextFactory<CouponKitDbContext>? Factory { get; set; }

        public bool Fired => _fired == 1;

        public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(System.Data.Common.DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (Factory is not null && command.CommandText.Contains("UPDATE", StringComparison.Ordinal) && Interlocked.CompareExchange(ref _fired, 1, 0) == 0)
            {
                await using var other = await Factory.CreateDbContextAsync(cancellationToken);
                var coupon = StockSegmentTests.Coupon("c-concurrent", "t1", "u2");
                other.Set<CouponRow>().Add(new CouponRow
                {
                    CouponId = coupon.CouponId,
                    TemplateId = coupon.TemplateId,
                    UserId = coupon.UserId,
                    Sequence = 1,
                    State = (int)coupon.State,
                    ValidFrom = coupon.ValidFrom,
                    ValidUntil = coupon.ValidUntil,
                    ClaimedAt = coupon.ClaimedAt,
                    Channel = (int)coupon.Channel,
                    Version = coupon.Version,
                    ClaimKey = "k2",
                });
                await other.SaveChangesAsync(cancellationToken);
            }

            return await base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
        }
    }
}

/// <summary>The store contract on SQLite with group commit off: every claim in its own transaction.</summary>
public sealed class SqliteUnbatchedStoreContractTests : StoreContractTests, IDisposable
{
    private readonly SqliteDatabase _database = new();

    public void Dispose() => _database.Dispose();

    protected override StoreUnderTest CreateStore() => StoreUnderTest.Of(_database.CreateStore(options: new EfCoreCouponKitOptions { ClaimBatchSize = 1 }));
}

/// <summary>The store contract on PostgreSQL with group commit off: every claim in its own transaction.</summary>
[Collection(PostgresFixture.Name)]
public sealed class PostgresUnbatchedStoreContractTests(PostgresServer server) : StoreContractTests, IAsyncLifetime
{
    private PostgresDatabase? _database;

    public async Task InitializeAsync() => _database = await PostgresDatabase.CreateAsync(server, "unbatched");

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    protected override StoreUnderTest CreateStore() => StoreUnderTest.Of(_database!.CreateStore(options: new EfCoreCouponKitOptions { ClaimBatchSize = 1 }));
}
