using CouponKit.Ports;
using CouponKit.Redemption;

namespace CouponKit.Issuance;

/// <summary>Which coupons of a template count against its <see cref="CouponTemplate.PerUserLimit"/> when a user claims.</summary>
public enum PerUserLimitCounts
{
    /// <summary>Every coupon ever issued to the user (or identity), whatever its state: the limit is a lifetime limit.</summary>
    EveryClaim = 0,

    /// <summary>
    /// Only the coupons still active when the claim is made: in state <see cref="CouponState.Available"/> or
    /// <see cref="CouponState.Locked"/> and not past their end (<see cref="IssuedCoupon.ValidUntil"/> after the claim's time).
    /// A used, expired (by state or by time) or otherwise ended coupon no longer counts, so a user may claim again once theirs
    /// lapsed. Applies to claims (<see cref="CouponClaims"/>); push issuance still counts every coupon.
    /// </summary>
    ActiveOnly = 1,
}

/// <summary>Who the per-user limit of a template is counted for.</summary>
public enum PerUserLimitKey
{
    /// <summary>The account (<see cref="UserProfile.UserId"/>).</summary>
    Account = 0,

    /// <summary>
    /// The verified identity key the shop supplies with each claim (<see cref="ClaimRequest.IdentityKey"/>, for example a hash of
    /// a verified phone or ID number): one person with several accounts cannot exceed the limit. A claim without a key is
    /// refused (<see cref="ClaimRejection.IdentityKeyRequired"/>). Each account stays bound by the limit as well.
    /// </summary>
    IdentityKey = 1,
}

/// <summary>Applies a template's limit options to the store's issue command, and tells whether a coupon counts.</summary>
internal static class ClaimLimits
{
    /// <summary>The longest identity key accepted.</summary>
    public const int MaxIdentityKeyLength = 128;

    /// <summary>The claim path's command: the template's counting mode and, for identity-keyed templates, the identity count.</summary>
    public static IssueCommand ForClaim(IssueCommand command, CouponTemplate template) => command with
    {
        LimitCounts = template.PerUserLimitCounts,
        LimitsIdentityKey = template.PerUserLimitKey == PerUserLimitKey.IdentityKey,
    };

    /// <summary>
    /// Whether claims of the template skip the claim gate (Redis) and its asynchronous path: the gate counts every coupon per
    /// account, which would refuse a re-claim after expiry, and carries no identity key.
    /// </summary>
    public static bool BypassesGate(CouponTemplate template) =>
        template.PerUserLimitCounts != PerUserLimitCounts.EveryClaim || template.PerUserLimitKey != PerUserLimitKey.Account;

    /// <summary>The words of a <see cref="ClaimRejection.LimitReached"/>.</summary>
    public static string LimitMessage(CouponTemplate template) =>
        (template.PerUserLimitCounts, template.PerUserLimitKey) switch
        {
            (PerUserLimitCounts.EveryClaim, PerUserLimitKey.Account) => $"at most {template.PerUserLimit} coupon(s) of this template per user",
            (PerUserLimitCounts.EveryClaim, _) => $"at most {template.PerUserLimit} coupon(s) of this template per person",
            (_, PerUserLimitKey.Account) => $"at most {template.PerUserLimit} unused, unexpired coupon(s) of this template per user",
            _ => $"at most {template.PerUserLimit} unused, unexpired coupon(s) of this template per person",
        };

    /// <summary>
    /// Whether a coupon counts against the limit of a claim made at <paramref name="now"/>: always for
    /// <see cref="PerUserLimitCounts.EveryClaim"/>; for <see cref="PerUserLimitCounts.ActiveOnly"/> while it is available or
    /// locked and not past its end.
    /// </summary>
    public static bool Counts(IssuedCoupon coupon, PerUserLimitCounts counts, DateTimeOffset now) =>
        counts == PerUserLimitCounts.EveryClaim || IsActive(coupon.State, coupon.ValidUntil, now);

    /// <summary>Whether a coupon is active: available or locked, and not past its end.</summary>
    public static bool IsActive(CouponState state, DateTimeOffset validUntil, DateTimeOffset now) =>
        state is CouponState.Available or CouponState.Locked && validUntil > now;
}
