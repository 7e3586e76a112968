using System.Data.Common;
using CouponKit.EfCore.Stores;
using CouponKit.EfCore.Tests.Postgres;
using CouponKit.EfCore.Tests.Segments;
using CouponKit.Issuance;
using CouponKit.Ports;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace CouponKit.EfCore.Tests.Migrations;

/// <summary>
/// The <c>ClaimKeysOnCoupons</c> migration moves each claim record's key onto its coupon before it drops <c>ck_claims</c>:
/// a claim made before the upgrade, retried after it with the same key, is a replay of the coupon it issued (not a second
/// coupon), and a pushed coupon is still found by its push key. Going down puts the claim records back.
/// </summary>
public abstract class ClaimKeyMigrationTests
{
    /// <summary>The migration before the claim keys moved.</summary>
    private const string Before = "OutboxEnvelopes";

    [Fact]
    public async Task Upgrade_ClaimMadeBefore_IsReplayedAfterAndNotIssuedAgain()
    {
        await using var db = CreateContext();
        await db.GetService<IMigrator>().MigrateAsync(Before);
        await ExecuteAsync(db, """
            INSERT INTO "ck_coupons" ("CouponId", "TemplateId", "UserId", "Sequence", "State", "ValidFrom", "ValidUntil", "ClaimedAt", "Channel", "Version")
            VALUES ('c-before', 't1', 'u1', 1, 0, 0, 6048000000000, 0, 0, 1), ('c-pushed', 't1', 'u2', 1, 0, 0, 6048000000000, 0, 2, 1);
            INSERT INTO "ck_claims" ("ClaimKey", "CouponId", "UserId", "TemplateId")
            VALUES ('request-1', 'c-before', 'u1', 't1'), ('push:t1:u2', 'c-pushed', 'u2', 't1');
            """);

        await db.Database.MigrateAsync();

        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        var store = CreateStore();
        Assert.Equal("c-before", (await store.FindByClaimKeyAsync("request-1", default))?.CouponId);
        Assert.Equal("c-pushed", (await store.FindByClaimKeyAsync("push:t1:u2", default))?.CouponId);
        var retried = await store.IssueAsync(new IssueCommand("request-1", StockSegmentTests.Coupon("c-retry", "t1", "u1"), 5, []), default);
        Assert.Equal((IssueStatus.Replayed, "c-before"), (retried.Status, retried.Coupon?.CouponId));
        var other = await store.IssueAsync(new IssueCommand("request-1", StockSegmentTests.Coupon("c-other", "t1", "u9"), 5, []), default);
        Assert.Equal(IssueStatus.KeyConflict, other.Status);
        Assert.Equal(2L, await ScalarAsync(db, """SELECT count(*) FROM "ck_coupons" """));
    }

    [Fact]
    public async Task Downgrade_PutsTheClaimRecordsBack()
    {
        await using var db = CreateContext();
        await db.Database.MigrateAsync();
        await ExecuteAsync(db, """
            INSERT INTO "ck_coupons" ("CouponId", "TemplateId", "UserId", "Sequence", "State", "ValidFrom", "ValidUntil", "ClaimedAt", "Channel", "Version", "ClaimKey")
            VALUES ('c-after', 't1', 'u1', 1, 0, 0, 6048000000000, 0, 0, 1, 'request-2');
            """);

        await db.GetService<IMigrator>().MigrateAsync(Before);

        Assert.Equal(1L, await ScalarAsync(db, """SELECT count(*) FROM "ck_claims" WHERE "ClaimKey" = 'request-2' AND "CouponId" = 'c-after' AND "UserId" = 'u1' AND "TemplateId" = 't1'"""));
    }

    /// <summary>A context on this test's own empty database.</summary>
    private protected abstract DbContext CreateContext();

    /// <summary>A store on the same database.</summary>
    private protected abstract ICouponStore CreateStore();

    private static async Task ExecuteAsync(DbContext db, string sql)
    {
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> ScalarAsync(DbContext db, string sql)
    {
        await db.Database.OpenConnectionAsync();
        await using DbCommand command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary><see cref="ClaimKeyMigrationTests"/> on SQLite.</summary>
public sealed class SqliteClaimKeyMigrationTests : ClaimKeyMigrationTests, IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"couponkit-claimkeys-{Guid.NewGuid():N}.db");

    private DbContextOptions<SqliteCouponKitDbContext> Options =>
        new DbContextOptionsBuilder<SqliteCouponKitDbContext>().UseSqlite(new SqliteConnectionStringBuilder { DataSource = _path, DefaultTimeout = 30 }.ToString()).Options;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { string.Empty, "-wal", "-shm" })
        {
            File.Delete(_path + suffix);
        }
    }

    private protected override DbContext CreateContext() => new SqliteCouponKitDbContext(Options);

    private protected override ICouponStore CreateStore() =>
        new EfCoreCouponKitStore<SqliteCouponKitDbContext>(new Factory<SqliteCouponKitDbContext>(() => new SqliteCouponKitDbContext(Options)), TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new EfCoreCouponKitOptions()));
}

/// <summary><see cref="ClaimKeyMigrationTests"/> on PostgreSQL.</summary>
[Collection(PostgresFixture.Name)]
public sealed class PostgresClaimKeyMigrationTests(PostgresServer server) : ClaimKeyMigrationTests, IAsyncLifetime
{
    private static int _counter;
    private string? _name;
    private DbContextOptions<PostgreSqlCouponKitDbContext>? _options;

    public async Task InitializeAsync()
    {
        _name = $"claimkeys_{Interlocked.Increment(ref _counter)}";
        _options = new DbContextOptionsBuilder<PostgreSqlCouponKitDbContext>().UseNpgsql(await server.CreateDatabaseAsync(_name)).Options;
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await server.DropDatabaseAsync(_name!);
    }

    private protected override DbContext CreateContext() => new PostgreSqlCouponKitDbContext(_options!);

    private protected override ICouponStore CreateStore() =>
        new EfCoreCouponKitStore<PostgreSqlCouponKitDbContext>(new Factory<PostgreSqlCouponKitDbContext>(() => new PostgreSqlCouponKitDbContext(_options!)), TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new EfCoreCouponKitOptions()));
}
