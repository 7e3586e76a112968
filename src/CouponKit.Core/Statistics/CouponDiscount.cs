namespace CouponKit.Statistics;

/// <summary>The discount one coupon gave one order, as quoted when the order was placed.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="CouponId">The coupon.</param>
/// <param name="Amount">The discount (lines plus shipping), zero or more.</param>
public sealed record CouponDiscount(string OrderId, string CouponId, Money Amount);
