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
    long Version)
{
    /// <summary>Gets the draw of a lucky coupon's face value, with its seed, or <see langword="null"/> for other benefits.</summary>
    public Benefits.BenefitDraw? Draw { get; init; }

    /// <summary>
    /// Gets the coupon's place in its template's inventory, from 0, when the store assigned one in the atomic issue
    /// (<see cref="Ports.IssueCommand.AssignSequence"/>; split red envelopes take the share with this index), or <see langword="null"/>.
    /// </summary>
    public long? IssueSequence { get; init; }

    /// <summary>
    /// Gets the verified identity key the shop supplied with the claim (<see cref="ClaimRequest.IdentityKey"/>), or
    /// <see langword="null"/>. Templates limited per identity (<see cref="PerUserLimitKey.IdentityKey"/>) count coupons by it.
    /// </summary>
    public string? IdentityKey { get; init; }
}
