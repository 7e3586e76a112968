using CouponKit.EfCore.Stores;
using CouponKit.EfCore.Tests.Postgres;
using Microsoft.EntityFrameworkCore;

namespace CouponKit.EfCore.Tests.Segments;

/// <summary>A database with CouponKit's tables, on SQLite or PostgreSQL, for tests written once for both.</summary>
internal sealed class TestDatabase(IDbContextFactory<CouponKitDbContext> factory, Func<TimeProvider?, EfCoreCouponKitOptions, EfCoreCouponKitStore<CouponKitDbContext>> create, Func<ValueTask> dispose) : IAsyncDisposable
{
    public IDbContextFactory<CouponKitDbContext> Factory { get; } = factory;

    public EfCoreCouponKitStore<CouponKitDbContext> CreateStore(EfCoreCouponKitOptions options, TimeProvider? time = null) => create(time, options);

    public ValueTask DisposeAsync() => dispose();

    public static TestDatabase Sqlite()
    {
        var database = new SqliteDatabase();
        return new TestDatabase(database.Factory, (time, options) => database.CreateStore(time, options), () =>
        {
            database.Dispose();
            return ValueTask.CompletedTask;
        });
    }

    public static async Task<TestDatabase> PostgresAsync(PostgresServer server, string prefix)
    {
        var database = await PostgresDatabase.CreateAsync(server, prefix);
        return new TestDatabase(database.Factory, (time, options) => database.CreateStore(time, options), database.DisposeAsync);
    }
}

/// <summary>A test class that makes its databases through <see cref="CreateDatabaseAsync"/> and drops them at the end.</summary>
public abstract class DatabaseTests : IAsyncLifetime
{
    private readonly List<TestDatabase> _databases = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }
    }

    private protected abstract Task<TestDatabase> CreateDatabaseCoreAsync();

    private protected async Task<TestDatabase> CreateDatabaseAsync()
    {
        var database = await CreateDatabaseCoreAsync();
        _databases.Add(database);
        return database;
    }
}
