namespace CouponKit.Statistics;

/// <summary>The payment status of an order in the shop's records.</summary>
public enum OrderPaymentStatus
{
    /// <summary>Placed, not paid yet.</summary>
    Unpaid,

    /// <summary>Paid.</summary>
    Paid,

    /// <summary>Cancelled or failed without payment.</summary>
    Cancelled,
}

/// <summary>A coupon on an order in the shop's records, with the discount the order was charged with.</summary>
/// <param name="CouponId">The coupon.</param>
/// <param name="Discount">The discount the coupon gave on the order.</param>
public sealed record OrderCouponLine(string CouponId, Money Discount);

/// <summary>An order as the shop records it.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="UserId">The user who placed it.</param>
/// <param name="Status">Its payment status.</param>
/// <param name="PaidAt">When it was paid, if it was.</param>
/// <param name="Coupons">The coupons it used, with their discounts.</param>
public sealed record OrderRecord(string OrderId, string UserId, OrderPaymentStatus Status, DateTimeOffset? PaidAt, IReadOnlyList<OrderCouponLine> Coupons);
