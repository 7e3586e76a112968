namespace CouponKit.EfCore.Model;

/// <summary>A row of the notify table: remind a user that their coupons of a template expire on a date (unique per user, template, date).</summary>
internal sealed class NotifyRow
{
    public string UserId { get; set; } = string.Empty;

    public string TemplateId { get; set; } = string.Empty;

    public DateOnly Date { get; set; }

    public DateTimeOffset NotifyAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public string TemplateName { get; set; } = string.Empty;

    public int Channels { get; set; }
}
