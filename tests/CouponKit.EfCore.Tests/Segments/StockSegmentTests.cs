using CouponKit.EfCore.Model;
using CouponKit.EfCore.Stores;
using CouponKit.EfCore.Tests.Postgres;
using CouponKit.Issuance;
using CouponKit.Ports;
using CouponKit.Redemption;
using CouponKit.Rules;
using Microsoft.EntityFrameworkCore;

namespace CouponKit.EfCore.Tests.Segments;

/// <summary>
/// Stock segments (<see cref="EfCoreCouponKitOptions.StockSegments"/>): the inventory split over rows, claims falling back from
/// segment to segment, inventory changes keeping the segments consistent, and zero over-issuance under concurrency.
/// </summary>
public abstract class StockSegmentTests : DatabaseTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task AddAsync_FourSegments_SplitsTheInventoryEvenly()
    {
        var (db, store) = await CreateAsync(segments: 4);
        await store.AddAsync(Template("t1", 10), [], default);

        Assert.Equal(new[] { 3, 3, 2, 2 }, await SegmentsAsync(db, "t1"));
        Assert.Equal(new TemplateStock(10, 0), await store.GetStockAsync("t1", default));
        await using var context = await db.Factory.CreateDbContextAsync();
        var row = await context.Set<TemplateRow>().SingleAsync(t => t.Id == "t1");
        Assert.Equal((0, 4), (row.Remaining, row.StockSegments));
    }

    [Fact]
    public async Task AddAsync_OneSegment_KeepsTheInventoryOnTheTemplateRow()
    {
        var (db, store) = await CreateAsync(segments: 1);
        await store.AddAsync(Template("t1", 10), [], default);
        await IssueAsync(store, "t1", "u1");

        Assert.Empty(await SegmentsAsync(db, "t1"));
        await using var context = await db.Factory.CreateDbContextAsync();
        Assert.Equal(9, (await context.Set<TemplateRow>().SingleAsync(t => t.Id == "t1")).Remaining);
    }

    [Fact]
    public async Task IssueAsync_Segmented_IssuesExactlyTheInventoryThenSoldOut()
    {
        var (db, store) = await CreateAsync(segments: 4);
        await store.AddAsync(Template("t1", 10), [], default);

        var outcomes = new List<IssueStatus>();
        for (var i = 0; i < 12; i++)
        {
            outcomes.Add(await IssueAsync(store, "t1", $"u{i}"));
        }

        Assert.Equal(10, outcomes.Count(s => s == IssueStatus.Issued));
        Assert.Equal(new[] { IssueStatus.SoldOut, IssueStatus.SoldOut }, outcomes[10..]);
        Assert.Equal(new[] { 0, 0, 0, 0 }, await SegmentsAsync(db, "t1"));
        Assert.Equal(new TemplateStock(10, 10), await store.GetStockAsync("t1", default));
    }

    [Fact]
    public async Task IssueAsync_StartSegmentEmpty_FallsBackToTheSegmentWithStock()
    {
        var (db, store) = await CreateAsync(segments: 8);
        await store.AddAsync(Template("t1", 1), [], default); // only segment 0 holds stock
        var key = Enumerable.Range(0, 100).Select(i => $"k-{i}").First(k => EfCoreCouponKitStore<CouponKitDbContext>.StartSegmentOf(k, 8) == 5);

        var outcome = await store.IssueAsync(new IssueCommand(key, Coupon("c1", "t1", "u1"), 1, []), default);

        Assert.Equal(IssueStatus.Issued, outcome.Status);
        Assert.Equal(new[] { 0, 0, 0, 0, 0, 0, 0, 0 }, await SegmentsAsync(db, "t1"));
    }

    [Fact]
    public async Task UpdateAsync_RaisedInventory_IsSpreadOverTheSegmentsAndClaimable()
    {
        var (db, store) = await CreateAsync(segments: 4);
        await store.AddAsync(Template("t1", 10), [], default);
        for (var i = 0; i < 3; i++)
        {
            await IssueAsync(store, "t1", $"u{i}");
        }

        await store.UpdateAsync(Template("t1", 18, version: 2), 1, [], default);

        Assert.Equal(new TemplateStock(18, 3), await store.GetStockAsync("t1", default));
        Assert.Equal(15, (await SegmentsAsync(db, "t1")).Sum());
        var statuses = new List<IssueStatus>();
        for (var i = 3; i < 19; i++)
        {
            statuses.Add(await IssueAsync(store, "t1", $"u{i}"));
        }

        Assert.Equal(15, statuses.Count(s => s == IssueStatus.Issued));
        Assert.Equal(IssueStatus.SoldOut, statuses[^1]);
    }

    [Fact]
    public async Task UpdateAsync_LoweredInventory_TakesOnlyStockNotClaimed()
    {
        var (db, store) = await CreateAsync(segments: 4);
        await store.AddAsync(Template("t1", 10), [], default);
        for (var i = 0; i < 6; i++)
        {
            await IssueAsync(store, "t1", $"u{i}");
        }

        await store.UpdateAsync(Template("t1", 7, version: 2), 1, [], default);
        Assert.Equal(new TemplateStock(7, 6), await store.GetStockAsync("t1", default));
        Assert.Equal(1, (await SegmentsAsync(db, "t1")).Sum());

        var ex = await Assert.ThrowsAsync<InvalidTemplateException>(() => store.UpdateAsync(Template("t1", 5, version: 3), 2, [], default));
        Assert.Equal("totalInventory", ex.Field);
        Assert.Equal(new TemplateStock(7, 6), await store.GetStockAsync("t1", default));
        Assert.Equal(2, (await store.FindAsync("t1", default))!.Version);
        Assert.Equal(1, (await SegmentsAsync(db, "t1")).Sum());

        await store.UpdateAsync(Template("t1", 6, version: 3), 2, [], default); // exactly what was issued: sold out
        Assert.Equal(IssueStatus.SoldOut, await IssueAsync(store, "t1", "late"));
        Assert.Equal(new TemplateStock(6, 6), await store.GetStockAsync("t1", default));
    }

    [Fact]
    public async Task IssueAsync_64ClaimersOn16Segments_IssueExactlyTheInventory()
    {
        // Invariant: whatever the interleaving of 20,000 claims of distinct users, exactly the 1,000 coupons of the inventory
        // are issued, every segment ends empty, and every other claim is answered SoldOut.
        const int claimers = 64, attempts = 20_000, inventory = 1_000;
        var (db, store) = await CreateAsync(segments: 16);
        await store.AddAsync(Template("hot", inventory), [], default);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, claimers).Select(claimer => Task.Run(async () =>
        {
            var mine = new List<IssueStatus>();
            for (var i = claimer; i < attempts; i += claimers)
            {
                mine.Add(await IssueAsync(store, "hot", $"u{i}"));
            }

            return mine;
        })));

        var all = outcomes.SelectMany(o => o).ToList();
        Assert.Equal(attempts, all.Count);
        Assert.Equal(inventory, all.Count(s => s == IssueStatus.Issued));
        Assert.Equal(attempts - inventory, all.Count(s => s == IssueStatus.SoldOut));
        Assert.All(await SegmentsAsync(db, "hot"), r => Assert.Equal(0, r));
        Assert.Equal(new TemplateStock(inventory, inventory), await store.GetStockAsync("hot", default));
        await using var context = await db.Factory.CreateDbContextAsync();
        Assert.Equal(inventory, await context.Set<CouponRow>().CountAsync(c => c.TemplateId == "hot"));
        Assert.Equal(inventory, await context.Set<CouponRow>().Where(c => c.TemplateId == "hot").Select(c => c.UserId).Distinct().CountAsync());
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(10, 4)]
    [InlineData(1_000, 16)]
    [InlineData(7, 1_024)]
    [InlineData(1_000_003, 13)]
    public void Split_AnyAmount_PartsSumToItAndDifferByAtMostOne(int amount, int segments)
    {
        // Invariant: the parts add up to the amount and no two differ by more than one.
        var parts = EfCoreCouponKitStore<CouponKitDbContext>.Split(amount, segments);
        Assert.Equal(segments, parts.Length);
        Assert.Equal(amount, parts.Sum());
        Assert.True(parts.Max() - parts.Min() <= 1);
    }

    internal static CouponTemplate Template(string id, int inventory, long version = 1) => CouponTemplate.Restore(
        id,
        new TemplateDraft
        {
            Id = id,
            Name = "Flash sale: 10 off 100",
            Rule = new ThresholdRebateRule(Threshold.Spend(Money.Of(100m, "CNY")), Money.Of(10m, "CNY")),
            TotalInventory = inventory,
            Validity = CouponValidity.ForDaysAfterClaim(7),
        },
        TemplateState.Active,
        version,
        T0,
        T0.AddMinutes(version));

    internal static IssuedCoupon Coupon(string id, string templateId, string userId) =>
        new(id, templateId, userId, CouponState.Available, T0, T0.AddDays(7), T0, ClaimChannels.Grab, null, 1);

    internal static async Task<int[]> SegmentsAsync(TestDatabase db, string templateId)
    {
        await using var context = await db.Factory.CreateDbContextAsync();
        return await context.Set<StockSegmentRow>().Where(s => s.TemplateId == templateId).OrderBy(s => s.Segment).Select(s => s.Remaining).ToArrayAsync();
    }

    private static async Task<IssueStatus> IssueAsync(EfCoreCouponKitStore<CouponKitDbContext> store, string templateId, string userId) =>
        (await store.IssueAsync(new IssueCommand($"k-{templateId}-{userId}", Coupon($"c-{templateId}-{userId}", templateId, userId), 1, []), default)).Status;

    private async Task<(TestDatabase Db, EfCoreCouponKitStore<CouponKitDbContext> Store)> CreateAsync(int segments)
    {
        var db = await CreateDatabaseAsync();
        return (db, db.CreateStore(new EfCoreCouponKitOptions { StockSegments = segments, MaxAttempts = 100 }));
    }
}

/// <summary>Stock segments on SQLite.</summary>
public sealed class SqliteStockSegmentTests : StockSegmentTests
{
    private protected override Task<TestDatabase> CreateDatabaseCoreAsync() => Task.FromResult(TestDatabase.Sqlite());
}

/// <summary>Stock segments on PostgreSQL 15.</summary>
[Collection(PostgresFixture.Name)]
public sealed class PostgresStockSegmentTests(PostgresServer server) : StockSegmentTests
{
    private protected override Task<TestDatabase> CreateDatabaseCoreAsync() => TestDatabase.PostgresAsync(server, "segments");
}

/// <summary>The whole store contract on SQLite with every template's inventory split over 4 segments.</summary>
public sealed class SqliteSegmentedStoreContractTests : StoreContractTests, IDisposable
{
    private readonly SqliteDatabase _database = new();

    public void Dispose() => _database.Dispose();

    protected override StoreUnderTest CreateStore() => StoreUnderTest.Of(_database.CreateStore(options: new EfCoreCouponKitOptions { StockSegments = 4 }));
}

/// <summary>The whole store contract on PostgreSQL with every template's inventory split over 4 segments.</summary>
[Collection(PostgresFixture.Name)]
public sealed class PostgresSegmentedStoreContractTests(PostgresServer server) : StoreContractTests, IAsyncLifetime
{
    private PostgresDatabase? _database;

    public async Task InitializeAsync() => _database = await PostgresDatabase.CreateAsync(server, "segcontract");

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    protected override StoreUnderTest CreateStore() => StoreUnderTest.Of(_database!.CreateStore(options: new EfCoreCouponKitOptions { StockSegments = 4 }));
}
