using CouponKit.EfCore.Model;

namespace Microsoft.EntityFrameworkCore;

/// <content>The security tables: the audit trail of merchant operations, the attempt throttle, and the owner of TCC operation rows.</content>
public static partial class CouponKitModelBuilderExtensions
{
    /// <summary>The longest throttle key: a prefix and an id of at most 128 characters.</summary>
    internal const int MaxThrottleKeyLength = 256;

    /// <summary>The longest audited action and subject kind.</summary>
    internal const int MaxAuditWordLength = 64;

    private static void MapSecurity(ModelBuilder modelBuilder, string prefix, string? schema)
    {
        modelBuilder.Entity<AuditRow>(e =>
        {
            e.ToTable(prefix + "audit", schema);
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedOnAdd();
            e.Property(x => x.OwnerId).HasMaxLength(128);
            e.Property(x => x.ActorId).HasMaxLength(128);
            e.Property(x => x.Action).HasMaxLength(MaxAuditWordLength);
            e.Property(x => x.SubjectKind).HasMaxLength(MaxAuditWordLength);
            e.Property(x => x.SubjectId).HasMaxLength(128);
            e.Property(x => x.Changes).IsRequired();

            // An owner's entries, all or about one subject, oldest first.
            e.HasIndex(x => new { x.OwnerId, x.SubjectId, x.Id });
            Times(e.Property(x => x.At));
        });

        modelBuilder.Entity<AttemptThrottleRow>(e =>
        {
            e.ToTable(prefix + "attempt_throttle", schema);
            e.HasKey(x => x.Key);
            e.Property(x => x.Key).HasMaxLength(MaxThrottleKeyLength);
            Times(e.Property(x => x.LastMiss));
            e.Property(x => x.LockedUntil).HasConversion(NullableUtcTicks);
        });

        // The user who owns the order, so that Confirm and Cancel check ownership from the rows alone.
        modelBuilder.Entity<OperationRow>(e => e.Property(x => x.UserId).HasMaxLength(128));
    }
}
