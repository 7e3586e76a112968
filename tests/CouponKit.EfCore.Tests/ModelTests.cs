using CouponKit.EfCore.Model;
using Microsoft.EntityFrameworkCore;

namespace CouponKit.EfCore.Tests;

/// <summary><c>ApplyCouponKit</c> names the tables with the prefix and schema, and declares the unique indexes.</summary>
public sealed class ModelTests
{
    [Fact]
    public void ApplyCouponKit_Defaults_PrefixesWithCk()
    {
        using var db = new ShopContext(new CouponKitModelOptions());
        Assert.Equal("ck_templates", db.Model.FindEntityType(typeof(TemplateRow))!.GetTableName());
        Assert.Equal("ck_coupons", db.Model.FindEntityType(typeof(CouponRow))!.GetTableName());
        Assert.Equal("ck_tcc_operations", db.Model.FindEntityType(typeof(OperationRow))!.GetTableName());
        Assert.Null(db.Model.FindEntityType(typeof(OutboxRow))!.GetSchema());
    }

    [Fact]
    public void ApplyCouponKit_PrefixAndSchema_AreApplied()
    {
        using var db = new ShopContext(new CouponKitModelOptions { TablePrefix = "shop_coupon_", Schema = "promo" });
        var outbox = db.Model.FindEntityType(typeof(OutboxRow))!;
        Assert.Equal("shop_coupon_outbox", outbox.GetTableName());
        Assert.Equal("promo", outbox.GetSchema());
    }

    [Fact]
    public void ApplyCouponKit_UniqueIndexes_AreTheBarriers()
    {
        using var db = new ShopContext(new CouponKitModelOptions());
        Assert.Contains(db.Model.FindEntityType(typeof(CouponRow))!.GetIndexes(), i => i.IsUnique && i.Properties.Select(p => p.Name).SequenceEqual(["TemplateId", "UserId", "Sequence"]));
        Assert.Contains(db.Model.FindEntityType(typeof(OperationRow))!.GetIndexes(), i => i.IsUnique && i.Properties.Select(p => p.Name).SequenceEqual(["OrderId", "CouponId", "Phase"]));
        Assert.Contains(db.Model.FindEntityType(typeof(OutboxRow))!.GetIndexes(), i => i.IsUnique && i.Properties.Select(p => p.Name).SequenceEqual(["MessageId"]));
        Assert.Contains(db.Model.FindEntityType(typeof(CouponRow))!.GetIndexes(), i => i.IsUnique && i.GetFilter() is null && i.Properties.Select(p => p.Name).SequenceEqual(["ClaimKey"]));
        Assert.Equal(["ConsumerGroup", "MessageId"], db.Model.FindEntityType(typeof(InboxRow))!.FindPrimaryKey()!.Properties.Select(p => p.Name));
    }

    /// <summary>A shop's own context with its own table next to CouponKit's.</summary>
    private sealed class ShopContext(CouponKitModelOptions options) : DbContext(new DbContextOptionsBuilder().UseSqlite("Data Source=:memory:").Options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<Order>().ToTable("orders");
            modelBuilder.ApplyCouponKit(options);
        }

        protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder) =>
            optionsBuilder.ReplaceService<Microsoft.EntityFrameworkCore.Infrastructure.IModelCacheKeyFactory, PerOptionsCacheKey>();
    }

    private sealed class Order
    {
        public int Id { get; set; }
    }

    private sealed class PerOptionsCacheKey : Microsoft.EntityFrameworkCore.Infrastructure.IModelCacheKeyFactory
    {
        public object Create(DbContext context, bool designTime) => (context.GetType(), Guid.NewGuid(), designTime);
    }
}
