using CouponKit.EfCore;
using CouponKit.EfCore.Model;
using CouponKit.Ports;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Microsoft.EntityFrameworkCore;

/// <summary>Maps CouponKit's tables into a shop's own <see cref="DbContext"/>.</summary>
public static partial class CouponKitModelBuilderExtensions
{
    private static readonly ValueConverter<DateTimeOffset, long> UtcTicks =
        new(v => v.UtcTicks, v => new DateTimeOffset(v, TimeSpan.Zero));

    private static readonly ValueConverter<DateTimeOffset?, long?> NullableUtcTicks =
        new(v => v.HasValue ? v.Value.UtcTicks : null, v => v.HasValue ? new DateTimeOffset(v.Value, TimeSpan.Zero) : null);

    /// <summary>
    /// Adds CouponKit's tables to the model: templates, stock segments, coupons (each with the claim key it was issued under), TCC operation records, outbox, inbox and dead letters,
    /// recorded discounts, the notify table of expiry reminders, order rewards' refunds and losses, with their unique indexes. Call it from <c>OnModelCreating</c>. Times are stored as UTC ticks (64-bit integers) on
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

        MapNotify(modelBuilder, prefix, schema);
        MapSecurity(modelBuilder, prefix, schema);
        MapRewards(modelBuilder, prefix, schema);

        modelBuilder.Entity<TemplateRow>(e =>
        {
            e.ToTable(prefix + "templates", schema);
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(128);
            e.Property(x => x.Name).HasMaxLength(256);
            e.Property(x => x.Definition).IsRequired();
            Times(e.Property(x => x.CreatedAt), e.Property(x => x.UpdatedAt));
        });

        modelBuilder.Entity<StockSegmentRow>(e =>
        {
            e.ToTable(prefix + "stock_segments", schema);
            e.HasKey(x => new { x.TemplateId, x.Segment });
            e.Property(x => x.TemplateId).HasMaxLength(128);
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

            // The backstop of the split red envelope's shares: one coupon per (template, issue sequence). Partial (SQLite and
            // PostgreSQL both take the filter): most coupons have no sequence, so they cost no entry in it, and a query on a
            // template's coupons cannot pick it. PostgreSQL's planner would otherwise take any index led by the template for a
            // template its statistics do not know yet (estimated at one row: a new template, a flash sale before ANALYZE) and
            // scan every coupon of the template instead of the user's few.
            e.HasIndex(x => new { x.TemplateId, x.IssueSequence }).IsUnique().HasFilter("\"IssueSequence\" IS NOT NULL");
            e.HasIndex(x => new { x.UserId, x.ClaimedAt });
            e.HasIndex(x => new { x.State, x.ValidUntil });

            // The per-identity limit (templates limited per verified identity key): counted over, and serialized by, this unique
            // index; coupons without an identity sequence are NULL there and never collide. Partial, for the reasons above: a
            // count by identity key (an equality on it) still uses it.
            e.Property(x => x.IdentityKey).HasMaxLength(128);
            e.HasIndex(x => new { x.TemplateId, x.IdentityKey, x.IdentitySequence }).IsUnique().HasFilter("\"IdentityKey\" IS NOT NULL");

            // Claims by idempotency key: the key lives on the coupon it issued (one row and one index entry per coupon, not a
            // claim record of its own), unique, so a key names at most one coupon whoever writes it (a claim, a claim batch, a
            // push chunk's COPY).
            e.Property(x => x.ClaimKey).HasMaxLength(256);
            e.HasIndex(x => x.ClaimKey).IsUnique();
            Times(e.Property(x => x.ValidFrom), e.Property(x => x.ValidUntil), e.Property(x => x.ClaimedAt));
        });

        modelBuilder.Entity<ProductDiscountRow>(e =>
        {
            e.ToTable(prefix + "product_discounts", schema);
            e.HasKey(x => new { x.UserId, x.TemplateId, x.Sku });
            e.Property(x => x.UserId).HasMaxLength(128);
            e.Property(x => x.TemplateId).HasMaxLength(128);
            e.Property(x => x.Sku).HasMaxLength(128);
            e.Property(x => x.OrderId).HasMaxLength(128);
            e.HasIndex(x => new { x.UserId, x.OrderId });
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
            Message(e);
            e.HasIndex(x => x.MessageId).IsUnique();
            e.HasIndex(x => new { x.Status, x.NextAttemptAt });
            e.HasIndex(x => new { x.Key, x.Status, x.Sequence });

            e.Property(x => x.LastKey).HasMaxLength(256);

            // A push chunk's envelope is a body of about a megabyte, compressed when stored (TOAST): lz4 compresses it at a fraction
            // of the CPU that PostgreSQL's default pglz takes (a fifth of the server's time in a push of 1,000,000 coupons was
            // pglz). PostgreSQL 14 or later built with lz4 (PGDG and the distributions' packages are); no effect on SQLite.
            e.Property(x => x.Body).UseCompressionMethod("lz4");

            // The pending envelopes, which hold back later messages of the keys in their range: a handful at any time.
            e.HasIndex(x => new { x.Sequence, x.Key, x.LastKey }).HasFilter($"\"LastKey\" IS NOT NULL AND \"Status\" = {(int)OutboxStatus.Pending}");
            Times(e.Property(x => x.NextAttemptAt), e.Property(x => x.LeasedUntil));
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
            Message(e);
            e.Property(x => x.ConsumerGroup).HasMaxLength(256);
            e.HasIndex(x => new { x.ConsumerGroup, x.MessageId });
            Times(e.Property(x => x.DeadAt));
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

        modelBuilder.Entity<IssuanceScheduleRow>(e =>
        {
            e.ToTable(prefix + "issuance_schedules", schema);
            e.HasKey(x => x.TemplateId);
            e.Property(x => x.TemplateId).HasMaxLength(128);
            e.Property(x => x.ScheduleId).HasMaxLength(128);
            e.Property(x => x.OwnerId).HasMaxLength(128);
            e.Property(x => x.ActorId).HasMaxLength(128);
            Times(e.Property(x => x.At));
        });

        modelBuilder.Entity<DeadLetterAuditRow>(e =>
        {
            e.ToTable(prefix + "dead_letter_audit", schema);
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedOnAdd();
            e.Property(x => x.MessageId).HasMaxLength(128);
            e.Property(x => x.ConsumerGroup).HasMaxLength(256);
            e.Property(x => x.Topic).HasMaxLength(256);
            e.Property(x => x.Tag).HasMaxLength(256);
            e.Property(x => x.Actor).HasMaxLength(128);
            Times(e.Property(x => x.At));
        });

        return modelBuilder;
    }

    /// <summary>The message columns the outbox and the dead letters share.</summary>
    private static void Message<TRow>(EntityTypeBuilder<TRow> e)
        where TRow : MessageRow
    {
        e.Property(x => x.MessageId).HasMaxLength(128);
        e.Property(x => x.Topic).HasMaxLength(256);
        e.Property(x => x.Tag).HasMaxLength(256);
        e.Property(x => x.Key).HasMaxLength(256);
        Times(e.Property(x => x.CreatedAt));
        e.Property(x => x.DeliverAt).HasConversion(NullableUtcTicks);
    }

    private static void Times(params PropertyBuilder<DateTimeOffset>[] properties)
    {
        foreach (var property in properties)
        {
            property.HasConversion(UtcTicks);
        }
    }
}
