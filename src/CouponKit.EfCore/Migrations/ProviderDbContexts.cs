using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace CouponKit.EfCore;

/// <summary>
/// <see cref="CouponKitDbContext"/> on SQLite, with the migrations shipped in this package (<c>Migrations/Sqlite</c>): register
/// it instead of <see cref="CouponKitDbContext"/> and call <c>Database.Migrate()</c> at start-up. The tables have the default
/// names (prefix <c>ck_</c>, no schema).
/// </summary>
public class SqliteCouponKitDbContext : CouponKitDbContext
{
    /// <summary>Initializes a new instance of the <see cref="SqliteCouponKitDbContext"/> class.</summary>
    /// <param name="options">The context options; configure them with <c>UseSqlite</c>.</param>
    public SqliteCouponKitDbContext(DbContextOptions<SqliteCouponKitDbContext> options)
        : base(options)
    {
    }
}

/// <summary>
/// <see cref="CouponKitDbContext"/> on PostgreSQL, with the migrations shipped in this package (<c>Migrations/PostgreSql</c>):
/// register it instead of <see cref="CouponKitDbContext"/> and call <c>Database.Migrate()</c> at start-up. The tables have the
/// default names (prefix <c>ck_</c>, the connection's default schema).
/// </summary>
public class PostgreSqlCouponKitDbContext : CouponKitDbContext
{
    /// <summary>Initializes a new instance of the <see cref="PostgreSqlCouponKitDbContext"/> class.</summary>
    /// <param name="options">The context options; configure them with <c>UseNpgsql</c>.</param>
    public PostgreSqlCouponKitDbContext(DbContextOptions<PostgreSqlCouponKitDbContext> options)
        : base(options)
    {
    }
}

/// <summary>Builds <see cref="SqliteCouponKitDbContext"/> for <c>dotnet ef migrations add</c> (no database is opened).</summary>
internal sealed class SqliteCouponKitDbContextFactory : IDesignTimeDbContextFactory<SqliteCouponKitDbContext>
{
    public SqliteCouponKitDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteCouponKitDbContext>().UseSqlite("Data Source=couponkit-design.db").Options);
}

/// <summary>Builds <see cref="PostgreSqlCouponKitDbContext"/> for <c>dotnet ef migrations add</c> (no database is opened).</summary>
internal sealed class PostgreSqlCouponKitDbContextFactory : IDesignTimeDbContextFactory<PostgreSqlCouponKitDbContext>
{
    public PostgreSqlCouponKitDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgreSqlCouponKitDbContext>().UseNpgsql("Host=localhost;Database=couponkit_design").Options);
}
