using CouponKit.EfCore.Model;

namespace Microsoft.EntityFrameworkCore;

/// <content>The tables of order rewards: refunded orders' tombstones and the losses of rewards used before their order's refund.</content>
public static partial class CouponKitModelBuilderExtensions
{
    private static void MapRewards(ModelBuilder modelBuilder, string prefix, string? schema)
    {
        modelBuilder.Entity<RewardRefundRow>(e =>
        {
            e.ToTable(prefix + "reward_refunds", schema);
            e.HasKey(x => x.OrderId);
            e.Property(x => x.OrderId).HasMaxLength(128);
            Times(e.Property(x => x.RefundedAt));
        });

        modelBuilder.Entity<RewardLossRow>(e =>
        {
            e.ToTable(prefix + "reward_losses", schema);

            // One loss per rule and refunded order: recording it again leaves one row.
            e.HasKey(x => new { x.RuleId, x.OrderId });
            e.Property(x => x.RuleId).HasMaxLength(128);
            e.Property(x => x.OrderId).HasMaxLength(128);
            e.Property(x => x.CouponId).HasMaxLength(128);
            e.Property(x => x.TemplateId).HasMaxLength(128);
            e.Property(x => x.UserId).HasMaxLength(128);
            e.Property(x => x.UsedByOrderId).HasMaxLength(128);
            e.Property(x => x.DiscountAmount).HasPrecision(38, 10);
            e.Property(x => x.DiscountCurrency).HasMaxLength(3);

            // Reconciliation reads a period's losses.
            e.HasIndex(x => x.RecordedAt);
            Times(e.Property(x => x.RecordedAt));
        });
    }
}
