using CouponKit.Redemption;

namespace CouponKit.Statistics;

/// <summary>A kind of disagreement between CouponKit's coupons and the shop's orders.</summary>
public enum MismatchKind
{
    /// <summary>A coupon is used by an order the shop does not know.</summary>
    OrderUnknown,

    /// <summary>A coupon is used by an order the shop has not paid (unpaid or cancelled).</summary>
    OrderNotPaid,

    /// <summary>A coupon is used by an order the shop paid, but the order does not list the coupon (nor does any other paid order).</summary>
    CouponNotOnOrder,

    /// <summary>A paid order lists a coupon that is not used (available, locked or expired) or unknown.</summary>
    CouponNotUsed,

    /// <summary>A paid order lists a coupon that CouponKit records as used by another order.</summary>
    UsedByOtherOrder,

    /// <summary>The discount the order was charged with differs from the discount recorded when it was placed.</summary>
    DiscountDiffers,
}

/// <summary>One disagreement between CouponKit's coupons and the shop's orders.</summary>
/// <param name="Kind">The kind.</param>
/// <param name="CouponId">The coupon.</param>
/// <param name="TemplateId">The coupon's template, when the coupon is known.</param>
/// <param name="OrderId">The order concerned: the coupon's order for the CouponKit side, the shop's order for the shop side.</param>
/// <param name="CouponOrderId">The order CouponKit records for the coupon, when it differs from <paramref name="OrderId"/>.</param>
/// <param name="CouponState">The coupon's state, when the coupon is known.</param>
/// <param name="RecordedDiscount">The discount recorded when the order was placed, if any.</param>
/// <param name="OrderDiscount">The discount on the shop's order, if any.</param>
/// <param name="Message">In words.</param>
public sealed record ReconciliationMismatch(
    MismatchKind Kind,
    string CouponId,
    string? TemplateId,
    string OrderId,
    string? CouponOrderId,
    CouponState? CouponState,
    Money? RecordedDiscount,
    Money? OrderDiscount,
    string Message);

/// <summary>The totals of one template in a reconciliation.</summary>
/// <param name="TemplateId">The template.</param>
/// <param name="UsedCoupons">Coupons CouponKit records as used in the period.</param>
/// <param name="CouponsOnPaidOrders">Coupons on the shop's orders paid in the period.</param>
/// <param name="RecordedDiscount">The discount recorded for the used coupons, per currency.</param>
/// <param name="OrderDiscount">The discount on the shop's paid orders, per currency.</param>
/// <param name="Mismatches">The number of mismatches about the template's coupons.</param>
public sealed record TemplateReconciliation(
    string TemplateId,
    int UsedCoupons,
    int CouponsOnPaidOrders,
    IReadOnlyList<Money> RecordedDiscount,
    IReadOnlyList<Money> OrderDiscount,
    int Mismatches);

/// <summary>The result of reconciling a period: every mismatch, and totals per template.</summary>
/// <param name="From">The start of the period.</param>
/// <param name="Until">The end of the period (exclusive).</param>
/// <param name="Mismatches">The mismatches.</param>
/// <param name="Templates">The totals per template, by template id.</param>
public sealed record ReconciliationReport(
    DateTimeOffset From,
    DateTimeOffset Until,
    IReadOnlyList<ReconciliationMismatch> Mismatches,
    IReadOnlyList<TemplateReconciliation> Templates)
{
    /// <summary>Gets a value indicating whether CouponKit and the shop agree on the period.</summary>
    public bool IsClean => Mismatches.Count == 0;
}
