namespace CouponKit.EfCore.Tests.Postgres;

/// <summary>The store contract on EF Core with PostgreSQL 15 (Npgsql), one fresh database per test.</summary>
[Collection(PostgresFixture.Name)]
public sealed class PostgresStoreContractTests(PostgresServer server) : StoreContractTests, IAsyncLifetime
{
    private PostgresDatabase? _database;

    public async Task InitializeAsync() => _database = await PostgresDatabase.CreateAsync(server, "contract");

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    protected override StoreUnderTest CreateStore() => StoreUnderTest.Of(_database!.CreateStore());
}
