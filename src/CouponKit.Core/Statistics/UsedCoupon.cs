using CouponKit.Issuance;

namespace CouponKit.Statistics;

/// <summary>A coupon used by a paid order, as CouponKit knows it.</summary>
/// <param name="Coupon">The coupon (state <c>Used</c>; <see cref="IssuedCoupon.OrderId"/> is the order).</param>
/// <param name="ConfirmedAt">When the order's payment confirmed it.</param>
/// <param name="Discount">The discount recorded for the order and coupon, if any.</param>
public sealed record UsedCoupon(IssuedCoupon Coupon, DateTimeOffset ConfirmedAt, Money? Discount);
