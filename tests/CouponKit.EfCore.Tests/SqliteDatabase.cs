using CouponKit.EfCore;
using CouponKit.EfCore.Stores;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace CouponKit.EfCore.Tests;

/// <summary>A SQLite database in a temporary file, created with <c>EnsureCreated</c> (WAL journal), deleted on dispose.</summary>
internal sealed class SqliteDatabase : IDisposable
{
    public SqliteDatabase(bool create = true, params IInterceptor[] interceptors)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"couponkit-{Guid.NewGuid():N}.db");
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = Path, DefaultTimeout = 30, Pooling = true }.ToString();
        var builder = new DbContextOptionsBuilder<CouponKitDbContext>().UseSqlite(ConnectionString);
        if (interceptors.Length > 0)
        {
            builder.AddInterceptors(interceptors);
        }

        Options = builder.Options;
        Factory = new ContextFactory(Options);
        if (create)
        {
            using var db = Factory.CreateDbContext();
            db.Database.EnsureCreated();
            db.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
        }
    }

    public string Path { get; }

    public string ConnectionString { get; }

    public DbContextOptions<CouponKitDbContext> Options { get; }

    public IDbContextFactory<CouponKitDbContext> Factory { get; }

    public EfCoreCouponKitStore<CouponKitDbContext> CreateStore(TimeProvider? time = null, EfCoreCouponKitOptions? options = null) =>
        new(Factory, time ?? TimeProvider.System, Microsoft.Extensions.Options.Options.Create(options ?? new EfCoreCouponKitOptions()));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { string.Empty, "-wal", "-shm" })
        {
            File.Delete(Path + suffix);
        }
    }

    private sealed class ContextFactory(DbContextOptions<CouponKitDbContext> options) : IDbContextFactory<CouponKitDbContext>
    {
        public CouponKitDbContext CreateDbContext() => new(options);
    }
}
