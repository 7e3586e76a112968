using CouponKit.Redemption;

namespace CouponKit.Statistics;

/// <summary>
/// What happened to the coupons of a template. The state counts (<see cref="Available"/>, <see cref="Locked"/>,
/// <see cref="Used"/>, <see cref="Expired"/>) are a snapshot and add up to <see cref="Issued"/>; <see cref="LocksTaken"/> and
/// <see cref="Released"/> count events since the template was created.
/// </summary>
public sealed record TemplateStatistics
{
    /// <summary>Gets the template.</summary>
    public required string TemplateId { get; init; }

    /// <summary>Gets the number of coupons issued, through every channel.</summary>
    public required int Issued { get; init; }

    /// <summary>Gets the number of coupons users claimed themselves (grab or promo code); the rest were pushed by the merchant.</summary>
    public required int Claimed { get; init; }

    /// <summary>Gets the number of coupons now <see cref="CouponState.Available"/>.</summary>
    public required int Available { get; init; }

    /// <summary>Gets the number of coupons now <see cref="CouponState.Locked"/> by unpaid orders.</summary>
    public required int Locked { get; init; }

    /// <summary>Gets the number of coupons <see cref="CouponState.Used"/> by paid orders.</summary>
    public required int Used { get; init; }

    /// <summary>Gets the number of coupons <see cref="CouponState.Expired"/>.</summary>
    public required int Expired { get; init; }

    /// <summary>Gets the number of times an order locked a coupon of the template (TCC Try), including locks later released.</summary>
    public required int LocksTaken { get; init; }

    /// <summary>Gets the number of locks released because their order failed, was cancelled or timed out (TCC Cancel).</summary>
    public required int Released { get; init; }

    /// <summary>Gets the number of used coupons with a recorded discount (<see cref="Ports.ICouponDiscountStore"/>).</summary>
    public required int UsedWithRecordedDiscount { get; init; }

    /// <summary>
    /// Gets the discount granted by the used coupons, as recorded when their orders were placed: one total per currency, by
    /// currency code; empty when no discount was recorded.
    /// </summary>
    public required IReadOnlyList<Money> DiscountGranted { get; init; }
}
