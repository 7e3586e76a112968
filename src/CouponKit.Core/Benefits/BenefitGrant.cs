using CouponKit.Issuance;

namespace CouponKit.Benefits;

/// <summary>What one issued coupon gives its holder, worked out from its template and its draw or share.</summary>
/// <param name="Kind">The benefit kind.</param>
/// <param name="Cash">The cash credited to the wallet (red envelopes and split shares), or <see langword="null"/>.</param>
/// <param name="Points">The points credited (points benefits), or 0.</param>
/// <param name="FaceValue">The drawn face value of a lucky coupon, or <see langword="null"/>.</param>
/// <param name="Timing">When cash is credited, for red envelopes.</param>
public sealed record BenefitGrant(BenefitKind Kind, Money? Cash, long Points, Money? FaceValue, CreditTiming? Timing)
{
    /// <summary>Works out what a coupon gives.</summary>
    /// <param name="template">The coupon's template.</param>
    /// <param name="coupon">The coupon.</param>
    /// <returns>The grant.</returns>
    /// <exception cref="InvalidOperationException">A split share has no <see cref="IssuedCoupon.IssueSequence"/> (its store did not assign one), or a lucky coupon has no draw.</exception>
    public static BenefitGrant Of(CouponTemplate template, IssuedCoupon coupon)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(coupon);
        return template.Benefit switch
        {
            RedEnvelopeBenefit r => new(BenefitKind.RedEnvelope, r.Amount, 0, null, r.Timing),
            PointsBenefit p => new(BenefitKind.Points, null, p.Points, null, CreditTiming.OnClaim),
            LuckyCouponBenefit => new(BenefitKind.LuckyCoupon, null, 0, (coupon.Draw ?? throw new InvalidOperationException($"Lucky coupon '{coupon.CouponId}' has no recorded draw.")).Value, null),
            SplitRedEnvelopeBenefit s => new(
                BenefitKind.SplitRedEnvelope,
                SplitRedEnvelope.ShareAt(s, template.TotalInventory, coupon.IssueSequence ?? throw new InvalidOperationException($"Split red envelope share '{coupon.CouponId}' has no issue sequence; the coupon store must assign it (IssueCommand.AssignSequence).")),
                0,
                null,
                s.Timing),
            _ => new(BenefitKind.Coupon, null, 0, null, null),
        };
    }
}
