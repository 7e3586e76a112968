using Microsoft.EntityFrameworkCore;

namespace CouponKit.EfCore;

/// <summary>
/// A ready <see cref="DbContext"/> holding only CouponKit's tables (default prefix <c>ck_</c>), for shops that do not have a
/// context of their own. Shops that do call <see cref="CouponKitModelBuilderExtensions.ApplyCouponKit"/> in theirs instead.
/// </summary>
public class CouponKitDbContext : DbContext
{
    /// <summary>Initializes a new instance of the <see cref="CouponKitDbContext"/> class.</summary>
    /// <param name="options">The context options (provider and connection).</param>
    public CouponKitDbContext(DbContextOptions<CouponKitDbContext> options)
        : base(options)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="CouponKitDbContext"/> class, for a derived context.</summary>
    /// <param name="options">The context options (provider and connection).</param>
    protected CouponKitDbContext(DbContextOptions options)
        : base(options)
    {
    }

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.ApplyCouponKit();
    }
}
