using CouponKit.EfCore.Stores;
using CouponKit.EfCore.Tests.Postgres;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CouponKit.EfCore.Tests.Migrations;

/// <summary>
/// The migrations shipped for <see cref="SqliteCouponKitDbContext"/> and <see cref="PostgreSqlCouponKitDbContext"/> match the
/// model: this fails when someone changes the model without adding a migration (<c>dotnet ef migrations add</c>, see the README).
/// </summary>
public sealed class MigrationModelTests
{
    [Fact]
    public void HasPendingModelChanges_Sqlite_IsFalse()
    {
        using var db = new SqliteCouponKitDbContext(new DbContextOptionsBuilder<SqliteCouponKitDbContext>().UseSqlite("Data Source=:memory:").Options);
        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.False(db.Database.HasPendingModelChanges());
    }

    [Fact]
    public void HasPendingModelChanges_PostgreSql_IsFalse()
    {
        using var db = new PostgreSqlCouponKitDbContext(new DbContextOptionsBuilder<PostgreSqlCouponKitDbContext>().UseNpgsql("Host=localhost;Database=unused").Options);
        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.False(db.Database.HasPendingModelChanges());
    }
}

/// <summary>The whole store contract on a SQLite database created by <c>Migrate()</c> (not <c>EnsureCreated</c>).</summary>
public sealed class SqliteMigratedStoreContractTests : StoreContractTests, IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"couponkit-migrated-{Guid.NewGuid():N}.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { string.Empty, "-wal", "-shm" })
        {
            File.Delete(_path + suffix);
        }
    }

    protected override StoreUnderTest CreateStore()
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = _path, DefaultTimeout = 30 }.ToString();
        var options = new DbContextOptionsBuilder<SqliteCouponKitDbContext>().UseSqlite(connectionString).Options;
        using (var db = new SqliteCouponKitDbContext(options))
        {
            db.Database.Migrate();
            Assert.Empty(db.Database.GetPendingMigrations());
        }

        return StoreUnderTest.Of(new EfCoreCouponKitStore<SqliteCouponKitDbContext>(new Factory<SqliteCouponKitDbContext>(() => new SqliteCouponKitDbContext(options)), TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new EfCoreCouponKitOptions())));
    }
}

/// <summary>The whole store contract on a fresh PostgreSQL database created by <c>Migrate()</c> (not <c>EnsureCreated</c>).</summary>
[Collection(PostgresFixture.Name)]
public sealed class PostgresMigratedStoreContractTests(PostgresServer server) : StoreContractTests, IAsyncLifetime
{
    private static int _counter;
    private string? _name;
    private DbContextOptions<PostgreSqlCouponKitDbContext>? _options;

    public async Task InitializeAsync()
    {
        _name = $"migrated_{Interlocked.Increment(ref _counter)}";
        var connectionString = await server.CreateDatabaseAsync(_name);
        _options = new DbContextOptionsBuilder<PostgreSqlCouponKitDbContext>().UseNpgsql(connectionString).Options;
        await using var db = new PostgreSqlCouponKitDbContext(_options);
        await db.Database.MigrateAsync();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await server.DropDatabaseAsync(_name!);
    }

    protected override StoreUnderTest CreateStore() =>
        StoreUnderTest.Of(new EfCoreCouponKitStore<PostgreSqlCouponKitDbContext>(new Factory<PostgreSqlCouponKitDbContext>(() => new PostgreSqlCouponKitDbContext(_options!)), TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new EfCoreCouponKitOptions())));
}

internal sealed class Factory<TContext>(Func<TContext> create) : IDbContextFactory<TContext>
    where TContext : DbContext
{
    public TContext CreateDbContext() => create();
}
