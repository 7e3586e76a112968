namespace CouponKit.EfCore.Model;

/// <summary>A refunded order's tombstone (order rewards): a paid event arriving after it issues nothing.</summary>
internal sealed class RewardRefundRow
{
    public string OrderId { get; set; } = string.Empty;

    public DateTimeOffset RefundedAt { get; set; }
}

/// <summary>A reward that was already used when its order was refunded (one per rule and order).</summary>
internal sealed class RewardLossRow
{
    public string RuleId { get; set; } = string.Empty;

    public string OrderId { get; set; } = string.Empty;

    public string CouponId { get; set; } = string.Empty;

    public string TemplateId { get; set; } = string.Empty;

    public string UserId { get; set; } = string.Empty;

    public string? UsedByOrderId { get; set; }

    public decimal? DiscountAmount { get; set; }

    public string? DiscountCurrency { get; set; }

    public DateTimeOffset RecordedAt { get; set; }
}
