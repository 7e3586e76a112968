using CouponKit.Redemption;

namespace CouponKit.Issuance;

/// <summary>A coupon a user holds: issued from a template, with its own validity window and state.</summary>
/// <param name="CouponId">The coupon id.</param>
/// <param name="TemplateId">The template it was issued from.</param>
/// <param name="UserId">The user who holds it.</param>
/// <param name="State">Its state.</param>
/// <param name="ValidFrom">The first moment it may be used.</param>
/// <param name="ValidUntil">The moment it expires (exclusive).</param>
/// <param name="ClaimedAt">When it was issued.</param>
/// <param name="Channel">How it reached the user.</param>
/// <param name="OrderId">The order that locked or used it, if any.</param>
/// <param name="Version">Raised by one at every change of state.</param>
public sealed record IssuedCoupon(
    string CouponId,
    string TemplateId,
    string UserId,
    CouponState State,
    DateTimeOffset ValidFrom,
    DateTimeOffset ValidUntil,
    DateTimeOffset ClaimedAt,
    ClaimChannels Channel,
    string? OrderId,
    long Version);
