using CouponKit.EfCore.Model;

namespace Microsoft.EntityFrameworkCore;

/// <content>The notify table of expiry reminders.</content>
public static partial class CouponKitModelBuilderExtensions
{
    private static void MapNotify(ModelBuilder modelBuilder, string prefix, string? schema) =>
        modelBuilder.Entity<NotifyRow>(e =>
        {
            e.ToTable(prefix + "notify", schema);

            // One reminder per user, template and date: scheduling it twice leaves one row.
            e.HasKey(x => new { x.UserId, x.TemplateId, x.Date });
            e.Property(x => x.UserId).HasMaxLength(128);
            e.Property(x => x.TemplateId).HasMaxLength(128);
            e.Property(x => x.TemplateName).HasMaxLength(256);

            // The sweep reads due rows, earliest first.
            e.HasIndex(x => x.NotifyAt);
            Times(e.Property(x => x.NotifyAt), e.Property(x => x.ExpiresAt));
        });
}
