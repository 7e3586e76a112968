using System.Collections.Concurrent;
using CouponKit.EfCore.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CouponKit.EfCore.Tests.Postgres;

/// <summary>
/// A database of a <see cref="PostgresServer"/> with CouponKit's tables (<c>EnsureCreated</c>, done once per server in a template
/// database and copied), a pooled context factory on it, and the EF Core store; dropped on dispose.
/// </summary>
internal sealed class PostgresDatabase : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<PostgresServer, Lazy<Task<string>>> Templates = new();
    private static int _counter;
    private readonly PostgresServer _server;

    private PostgresDatabase(PostgresServer server, string name, string connectionString, IInterceptor[] interceptors)
    {
        _server = server;
        Name = name;
        ConnectionString = connectionString;
        var builder = new DbContextOptionsBuilder<CouponKitDbContext>().UseNpgsql(connectionString);
        if (interceptors.Length > 0)
        {
            builder.AddInterceptors(interceptors);
        }

        Options = builder.Options;
        Factory = new PooledDbContextFactory<CouponKitDbContext>(Options, poolSize: 256);
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public DbContextOptions<CouponKitDbContext> Options { get; }

    public IDbContextFactory<CouponKitDbContext> Factory { get; }

    /// <summary>Creates a fresh database with CouponKit's tables, named <paramref name="prefix"/> and a number.</summary>
    public static async Task<PostgresDatabase> CreateAsync(PostgresServer server, string prefix, params IInterceptor[] interceptors)
    {
        var template = await Templates.GetOrAdd(server, s => new Lazy<Task<string>>(() => CreateTemplateAsync(s))).Value;
        var name = $"{prefix}_{Interlocked.Increment(ref _counter)}";
        var connectionString = await server.CreateDatabaseAsync(name, template);
        return new PostgresDatabase(server, name, connectionString, interceptors);
    }

    public EfCoreCouponKitStore<CouponKitDbContext> CreateStore(TimeProvider? time = null, EfCoreCouponKitOptions? options = null, ILogger<EfCoreCouponKitStore<CouponKitDbContext>>? logger = null) =>
        new(Factory, time ?? TimeProvider.System, Microsoft.Extensions.Options.Options.Create(options ?? new EfCoreCouponKitOptions()), logger);

    /// <summary>Runs one SQL statement and returns its single value (a count, for the tests' own checks).</summary>
    public async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Runs one SQL query and returns its first column as text, row by row.</summary>
    public async Task<List<string>> ListAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)!);
        }

        return values;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearPool(new NpgsqlConnection(ConnectionString));
        try
        {
            await _server.DropDatabaseAsync(Name);
        }
        catch (NpgsqlException)
        {
            // the server is gone (a test killed it); the cluster is removed with its folder anyway
        }
    }

    private static async Task<string> CreateTemplateAsync(PostgresServer server)
    {
        const string name = "couponkit_template";
        var connectionString = await server.CreateDatabaseAsync(name);
        var options = new DbContextOptionsBuilder<CouponKitDbContext>().UseNpgsql(connectionString + ";Pooling=false").Options;
        await using (var db = new CouponKitDbContext(options))
        {
            await db.Database.EnsureCreatedAsync();
        }

        return name;
    }
}
