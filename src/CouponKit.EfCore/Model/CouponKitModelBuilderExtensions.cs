using CouponKit.EfCore;
using CouponKit.EfCore.Model;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Microsoft.EntityFrameworkCore;

/// <summary>Maps CouponKit's tables into a shop's own <see cref="DbContext"/>.</summary>
public static class CouponKitModelBuilderExtensions
{
    private static readonly ValueConverter<DateTimeOffset, long> UtcTicks =
        new(v => v.UtcTicks, v => new DateTimeOffset(v, TimeSpan.Zero));

    private static readonly ValueConverter<DateTimeOffset?, long?> NullableUtcTicks =
        new(v => v.HasValue ? v.Value.UtcTicks : null, v => v.HasValue ? new DateTimeOffset(v.Value, TimeSpan.Zero) : null);

    /// <summary>
    /// Adds CouponKit's tables to the model: templates, coupons, claims, TCC operation records, outbox, inbox and dead letters,
    /// recorded discounts, with their unique indexes. Call it from <c>OnModelCreating</c>. Times are stored as UTC ticks (64-bit integers) on
    /// every provider, so that they compare and sort the same everywhere.
    /// </summary>
    /// <param name="modelBuilder">The model builder.</param>
    /// <param name="options">The table prefix and schema; <see langword="null"/> uses the defaults (prefix <c>ck_</c>).</param>
    /// <returns>The model builder.</returns>
    public static ModelBuilder ApplyCouponKit(this ModelBuilder modelBuilder, CouponKitModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        options ??= new CouponKitModelOptions();
        var prefix = options.TablePrefix ?? string.Empty;
        var schema = options.Schema;

        modelBuilder.Entity<TemplateRow>(e =>
        {
            e.ToTable(prefix + "templates", schema);
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(128);
            e.Property(x => x.Name).HasMaxLength(256);
            e.Property(x => x.Definition).IsRequired();
            Times(e.Property(x => x.CreatedAt), e.Property(x => x.UpdatedAt));
        });

        modelBuilder.Entity<CouponRow>(e =>
        {
            e.ToTable(prefix + "coupons", schema);
            e.HasKey(x => x.CouponId);
            e.Property(x => x.CouponId).HasMaxLength(128);
            e.Property(x => x.TemplateId).HasMaxLength(128);
            e.Property(x => x.UserId).HasMaxLength(128);
            e.Property(x => x.OrderId).HasMaxLength(128);
            e.HasIndex(x => new { x.TemplateId, x.UserId, x.Sequence }).IsUnique();
            e.HasIndex(x => new { x.UserId, x.ClaimedAt });
            e.HasIndex(x => new { x.State, x.ValidUntil });
            Times(e.Property(x => x.ValidFrom), e.Property(x => x.ValidUntil), e.Property(x => x.ClaimedAt));
        });

        modelBuilder.Entity<ClaimRow>(e =>
        {
            e.ToTable(prefix + "claims", schema);
            e.HasKey(x => x.ClaimKey);
            e.Property(x => x.ClaimKey).HasMaxLength(256);
            e.Property(x => x.CouponId).HasMaxLength(128);
            e.Property(x => x.UserId).HasMaxLength(128);
            e.Property(x => x.TemplateId).HasMaxLength(128);
        });

        modelBuilder.Entity<OperationRow>(e =>
        {
            e.ToTable(prefix + "tcc_operations", schema);
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedOnAdd();
            e.Property(x => x.OrderId).HasMaxLength(128);
            e.Property(x => x.CouponId).HasMaxLength(128);
            e.HasIndex(x => new { x.OrderId, x.CouponId, x.Phase }).IsUnique();
            Times(e.Property(x => x.At));
        });

        modelBuilder.Entity<OutboxRow>(e =>
        {
            e.ToTable(prefix + "outbox", schema);
            e.HasKey(x => x.Sequence);
            e.Property(x => x.Sequence).ValueGeneratedOnAdd();
            e.Property(x => x.MessageId).HasMaxLength(128);
            e.Property(x => x.Topic).HasMaxLength(256);
            e.Property(x => x.Tag).HasMaxLength(256);
            e.Property(x => x.Key).HasMaxLength(256);
            e.HasIndex(x => x.MessageId).IsUnique();
            e.HasIndex(x => new { x.Status, x.NextAttemptAt });
            e.HasIndex(x => new { x.Key, x.Status });
            Times(e.Property(x => x.CreatedAt), e.Property(x => x.NextAttemptAt), e.Property(x => x.LeasedUntil));
            e.Property(x => x.DeliverAt).HasConversion(NullableUtcTicks);
        });

        modelBuilder.Entity<InboxRow>(e =>
        {
            e.ToTable(prefix + "inbox", schema);
            e.HasKey(x => new { x.ConsumerGroup, x.MessageId });
            e.Property(x => x.ConsumerGroup).HasMaxLength(256);
            e.Property(x => x.MessageId).HasMaxLength(128);
            Times(e.Property(x => x.RecordedAt));
        });

        modelBuilder.Entity<DeadLetterRow>(e =>
        {
            e.ToTable(prefix + "dead_letters", schema);
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedOnAdd();
            e.Property(x => x.MessageId).HasMaxLength(128);
            e.Property(x => x.ConsumerGroup).HasMaxLength(256);
            e.HasIndex(x => new { x.ConsumerGroup, x.MessageId });
            Times(e.Property(x => x.CreatedAt), e.Property(x => x.DeadAt));
            e.Property(x => x.DeliverAt).HasConversion(NullableUtcTicks);
        });

        modelBuilder.Entity<DiscountRow>(e =>
        {
            e.ToTable(prefix + "coupon_discounts", schema);
            e.HasKey(x => new { x.OrderId, x.CouponId });
            e.Property(x => x.OrderId).HasMaxLength(128);
            e.Property(x => x.CouponId).HasMaxLength(128);
            e.Property(x => x.Amount).HasPrecision(38, 10);
            e.Property(x => x.Currency).HasMaxLength(3);
        });

        return modelBuilder;
    }

    private static void Times(params PropertyBuilder<DateTimeOffset>[] properties)
    {
        foreach (var property in properties)
        {
            property.HasConversion(UtcTicks);
        }
    }
}
