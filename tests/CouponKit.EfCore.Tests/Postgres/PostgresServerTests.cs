using Npgsql;

namespace CouponKit.EfCore.Tests.Postgres;

/// <summary>The throwaway cluster itself: it answers as PostgreSQL 15, databases are separate, and it survives a kill.</summary>
[Collection(PostgresFixture.Name)]
public sealed class PostgresServerTests(PostgresServer server)
{
    [Fact]
    public async Task CreateDatabaseAsync_NewDatabase_IsEmptyAndOnPostgres15()
    {
        var connectionString = await server.CreateDatabaseAsync("server_smoke");

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var version = new NpgsqlCommand("SHOW server_version_num", connection);
        Assert.StartsWith("15", (string)(await version.ExecuteScalarAsync())!, StringComparison.Ordinal);
        await using var tables = new NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'", connection);
        Assert.Equal(0L, await tables.ExecuteScalarAsync());
        await using var fsync = new NpgsqlCommand("SHOW fsync", connection);
        Assert.Equal("off", await fsync.ExecuteScalarAsync());
    }

    [Fact]
    public async Task KillAsyncThenStartAsync_KeepsCommittedRows()
    {
        await using var own = await PostgresServer.StartNewAsync();
        var connectionString = await own.CreateDatabaseAsync("kill_smoke");
        await ExecuteAsync(connectionString, "CREATE TABLE t (id int primary key); INSERT INTO t VALUES (1), (2);");

        await own.KillAsync();
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => ExecuteAsync(connectionString, "SELECT 1"));
        await own.StartAsync();

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM t", connection);
        Assert.Equal(2L, await count.ExecuteScalarAsync());
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
