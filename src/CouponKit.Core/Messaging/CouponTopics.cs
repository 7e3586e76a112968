namespace CouponKit.Messaging;

/// <summary>
/// The one scheme of topics and tags CouponKit publishes and consumes. Events say what happened; commands ask a consumer to
/// act. Every message's keys hold the aggregate id (template, coupon or order) so that brokers can order and look them up.
/// </summary>
public static class CouponTopics
{
    /// <summary>The topic of coupon events and commands.</summary>
    public const string Coupon = "coupon";

    /// <summary>A coupon was issued to a user (event).</summary>
    public const string Issued = "Issued";

    /// <summary>An order locked coupons (event).</summary>
    public const string Locked = "Locked";

    /// <summary>A paid order used its coupons (event).</summary>
    public const string Confirmed = "Confirmed";

    /// <summary>An order's coupons were released (event).</summary>
    public const string Released = "Released";

    /// <summary>Coupons expired (event).</summary>
    public const string Expired = "Expired";

    /// <summary>A template changed; carries its new version (event).</summary>
    public const string TemplateChanged = "TemplateChanged";

    /// <summary>An order's lock reached its time limit: release it unless it was paid (delayed command).</summary>
    public const string LockTimeout = "LockTimeout";

    /// <summary>Return points taken for a claim that did not issue a coupon (command).</summary>
    public const string PointsRefund = "PointsRefund";

    /// <summary>Issue the coupon of a claim the claim gate accepted, idempotent by claim key (command, gated claims).</summary>
    public const string Issue = "Issue";
}
