using CouponKit.Ports;

namespace CouponKit.Issuance.Gated;

/// <summary>Where a claim made through <see cref="GatedClaims"/> stands.</summary>
public enum GatedClaimStatus
{
    /// <summary>The gate accepted the claim; the coupon is being written to the database. Poll again.</summary>
    Pending,

    /// <summary>The coupon is in the database.</summary>
    Issued,

    /// <summary>Nothing was (or will be) issued, for the shop reason in <see cref="GatedClaimResult.Rejection"/>.</summary>
    Rejected,

    /// <summary>The claim was accepted but could not be written (a permanent error, or every delivery failed); its reservation was given back.</summary>
    Failed,

    /// <summary>No claim with this key is known (never made, or its record expired without a coupon).</summary>
    Unknown,
}

/// <summary>The answer to a gated claim or to a poll: pending, the coupon, or why there is none.</summary>
public sealed class GatedClaimResult
{
    private GatedClaimResult(GatedClaimStatus status, string claimKey, IssuedCoupon? coupon, ClaimRejection? rejection, string message, TimeSpan? retryAfter)
    {
        Status = status;
        ClaimKey = claimKey;
        Coupon = coupon;
        Rejection = rejection;
        Message = message;
        RetryAfter = retryAfter;
    }

    /// <summary>Gets where the claim stands.</summary>
    public GatedClaimStatus Status { get; }

    /// <summary>Gets the claim (idempotency) key to poll with.</summary>
    public string ClaimKey { get; }

    /// <summary>Gets the coupon, when <see cref="Status"/> is <see cref="GatedClaimStatus.Issued"/>.</summary>
    public IssuedCoupon? Coupon { get; }

    /// <summary>Gets why nothing was issued, when <see cref="Status"/> is <see cref="GatedClaimStatus.Rejected"/>.</summary>
    public ClaimRejection? Rejection { get; }

    /// <summary>Gets the outcome in words.</summary>
    public string Message { get; }

    /// <summary>Gets when to retry, for <see cref="ClaimRejection.RateLimited"/>.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <inheritdoc />
    public override string ToString() => Status switch
    {
        GatedClaimStatus.Issued => $"Issued {Coupon!.CouponId}",
        GatedClaimStatus.Rejected => $"Rejected {Rejection}: {Message}",
        _ => $"{Status}: {Message}",
    };

    internal static GatedClaimResult Pending(string claimKey) => new(GatedClaimStatus.Pending, claimKey, null, null, "accepted; the coupon is being issued", null);

    internal static GatedClaimResult Issued(string claimKey, IssuedCoupon coupon) => new(GatedClaimStatus.Issued, claimKey, coupon, null, "coupon issued", null);

    internal static GatedClaimResult Rejected(string claimKey, ClaimRejection rejection, string message, TimeSpan? retryAfter = null) =>
        new(GatedClaimStatus.Rejected, claimKey, null, rejection, message, retryAfter);

    internal static GatedClaimResult Failed(string claimKey, string message) => new(GatedClaimStatus.Failed, claimKey, null, null, message, null);

    internal static GatedClaimResult Unknown(string claimKey) => new(GatedClaimStatus.Unknown, claimKey, null, null, "no claim with this key is known", null);

    internal static GatedClaimResult From(string claimKey, ClaimResult result) => result.IsIssued
        ? Issued(claimKey, result.Coupon!)
        : Rejected(claimKey, result.Rejection!.Value, result.Message, result.RetryAfter);
}

/// <summary>The state of a claim the gate accepted.</summary>
public enum PendingClaimState
{
    /// <summary>Accepted; the issue command is on its way to the database.</summary>
    Pending,

    /// <summary>The database issued the coupon.</summary>
    Issued,

    /// <summary>The database refused (sold out, limit, points); the reservation was given back.</summary>
    Rejected,

    /// <summary>The claim could not be written (key conflict, permanent error, dead-lettered); the reservation was given back.</summary>
    Failed,
}

/// <summary>A claim the gate accepted, kept until it is settled (and for a while after, for polling).</summary>
/// <param name="ClaimKey">The claim's idempotency key.</param>
/// <param name="TemplateId">The template.</param>
/// <param name="UserId">The user.</param>
/// <param name="PerUserLimit">The template's per-user limit when the claim was accepted.</param>
/// <param name="Channel">The channel of the claim.</param>
/// <param name="AcceptedAt">When the gate accepted it.</param>
/// <param name="State">Where it stands.</param>
/// <param name="Rejection">Why the database refused it, for <see cref="PendingClaimState.Rejected"/>.</param>
public sealed record PendingClaim(
    string ClaimKey,
    string TemplateId,
    string UserId,
    int PerUserLimit,
    ClaimChannels Channel,
    DateTimeOffset AcceptedAt,
    PendingClaimState State = PendingClaimState.Pending,
    ClaimRejection? Rejection = null)
{
    /// <summary>Gets the gate's view of the claim (to release its reservation).</summary>
    /// <returns>The gate request.</returns>
    public ClaimGateRequest ToGateRequest() => new(TemplateId, UserId, PerUserLimit, ClaimKey);
}

/// <summary>The body of a <see cref="Messaging.CouponTopics.Issue"/> command: write the coupon the gate reserved.</summary>
/// <param name="ClaimKey">The claim's idempotency key (the database de-duplicates on it).</param>
/// <param name="TemplateId">The template.</param>
/// <param name="UserId">The user.</param>
/// <param name="PerUserLimit">The per-user limit the gate checked.</param>
/// <param name="Channel">The channel.</param>
/// <param name="AcceptedAt">When the gate accepted the claim (the coupon's claim time).</param>
public sealed record GatedIssue(string ClaimKey, string TemplateId, string UserId, int PerUserLimit, ClaimChannels Channel, DateTimeOffset AcceptedAt);
