namespace CouponKit.EfCore.Tests;

/// <summary>The store contract on EF Core with SQLite in a temporary file, one database per test.</summary>
public sealed class SqliteStoreContractTests : StoreContractTests, IDisposable
{
    private readonly SqliteDatabase _database = new();

    public void Dispose() => _database.Dispose();

    protected override StoreUnderTest CreateStore() => StoreUnderTest.Of(_database.CreateStore());
}
