using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace CouponKit.EfCore.Tests.Postgres;

/// <summary>
/// The claim batch's per-user count on PostgreSQL stays a few index probes for a template the statistics do not know yet (a new
/// template, a flash sale before ANALYZE): the planner then estimates the template at one row, and a count planned from that
/// estimate reads every coupon of the template instead of the users' few.
/// </summary>
[Collection(PostgresFixture.Name)]
public sealed class PostgresPlanTests(PostgresServer server) : IAsyncLifetime
{
    private PostgresDatabase? _database;

    public async Task InitializeAsync() => _database = await PostgresDatabase.CreateAsync(server, "plans");

    public async Task DisposeAsync() => await _database!.DisposeAsync();

    [Fact]
    public async Task OutboxBody_LargeEnvelope_IsStoredCompressedWithLz4()
    {
        // A push chunk's envelope is about a megabyte of JSON; PostgreSQL's default pglz took a fifth of the server's time in a
        // push of 1,000,000 coupons. The column is declared lz4.
        var db = _database!;
        await db.ScalarAsync("""
            INSERT INTO ck_outbox ("MessageId", "Topic", "Tag", "Key", "LastKey", "Body", "CreatedAt", "Status", "Attempts", "NextAttemptAt", "LeasedUntil")
            SELECT 'envelope:test', 'couponkit.outbox', 'Envelope', 'a', 'z', string_agg('{"couponId":"c' || g || '"}', ','), 0, 0, 0, 0, 0
            FROM generate_series(1, 20000) g;
            SELECT 1;
            """);

        Assert.Equal(1, await db.ScalarAsync("""SELECT (pg_column_compression("Body") = 'lz4')::int FROM ck_outbox WHERE "MessageId" = 'envelope:test'"""));
    }

    [Fact]
    public async Task HeldBy_TemplateUnknownToTheStatistics_ProbesTheUsersInsteadOfScanningTheTemplate()
    {
        var db = _database!;

        // 50 templates the statistics know (all in its most-common-values list), then 20,000 coupons of a new one they do not.
        await db.ScalarAsync("""
            INSERT INTO ck_coupons ("CouponId", "TemplateId", "UserId", "Sequence", "State", "ValidFrom", "ValidUntil", "ClaimedAt", "Channel", "Version")
            SELECT md5('old' || g), 'old-' || (g % 50), 'x' || g, 1, 0, 0, 0, 0, 0, 0 FROM generate_series(1, 50000) g;
            ANALYZE ck_coupons;
            INSERT INTO ck_coupons ("CouponId", "TemplateId", "UserId", "Sequence", "State", "ValidFrom", "ValidUntil", "ClaimedAt", "Channel", "Version")
            SELECT md5('new' || g), 'fresh', 'u' || g, 1, 0, 0, 0, 0, 0, 0 FROM generate_series(1, 20000) g;
            SELECT 1;
            """);
        await using var context = await db.Factory.CreateDbContextAsync();
        var sql = db.CreateStore().HeldBySql(context);
        string[] users = [.. Enumerable.Range(0, 20).Select(i => i < 3 ? "u" + (i * 5000 + 1) : "nobody-" + i)];

        await using var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync();
        await using (var count = new NpgsqlCommand(sql, connection))
        {
            count.Parameters.Add(new NpgsqlParameter { Value = "fresh", NpgsqlDbType = NpgsqlDbType.Text });
            count.Parameters.Add(new NpgsqlParameter { Value = users, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            var held = new Dictionary<string, int>(StringComparer.Ordinal);
            await using var reader = await count.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                held[reader.GetString(0)] = reader.GetInt32(1);
            }

            Assert.Equal(20, held.Count);
            Assert.Equal([1, 1, 1], users.Take(3).Select(u => held[u]));
            Assert.All(users.Skip(3), u => Assert.Equal(0, held[u]));
        }

        await using var explain = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, connection);
        explain.Parameters.Add(new NpgsqlParameter { Value = "fresh", NpgsqlDbType = NpgsqlDbType.Text });
        explain.Parameters.Add(new NpgsqlParameter { Value = users, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        using var plan = JsonDocument.Parse((string)(await explain.ExecuteScalarAsync())!);
        var top = plan.RootElement[0].GetProperty("Plan");
        var buffers = top.GetProperty("Shared Hit Blocks").GetInt64() + top.GetProperty("Shared Read Blocks").GetInt64();

        // 20 probes of a few pages each; a scan of the template's 20,000 coupons touches thousands of pages (heap fetches included).
        Assert.True(buffers < 500, $"the count touched {buffers} buffers:\n{plan.RootElement}");
    }
}
