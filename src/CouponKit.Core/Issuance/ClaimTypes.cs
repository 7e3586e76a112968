namespace CouponKit.Issuance;

/// <summary>A user's request to claim (grab) a coupon of a template.</summary>
public sealed class ClaimRequest
{
    /// <summary>Gets the template.</summary>
    public required string TemplateId { get; init; }

    /// <summary>Gets the user, with the segments the audience is checked against.</summary>
    public required UserProfile User { get; init; }

    /// <summary>Gets the idempotency key: a retry with the same key returns the same coupon and issues nothing more.</summary>
    public required string IdempotencyKey { get; init; }

    /// <summary>Gets the channel of the claim.</summary>
    /// <value>The default value is <see cref="ClaimChannels.Grab"/>.</value>
    public ClaimChannels Channel { get; init; } = ClaimChannels.Grab;

    /// <summary>Gets the client's IP address, for rate limiting, if known.</summary>
    public string? ClientIp { get; init; }

    /// <summary>
    /// Gets the verified identity key of the person behind the account, supplied by the shop (for example a salted hash of a
    /// verified phone or ID number; never the raw value): 1 to 128 characters, or <see langword="null"/>. Required by templates
    /// limited per identity (<see cref="PerUserLimitKey.IdentityKey"/>); stored with the coupon.
    /// </summary>
    public string? IdentityKey { get; init; }
}

/// <summary>Why a claim issued nothing.</summary>
public enum ClaimRejection
{
    /// <summary>The template is a draft.</summary>
    NotActive,

    /// <summary>The claim window has not opened.</summary>
    NotStarted,

    /// <summary>The claim window closed, the template ended, or its coupons would already be expired.</summary>
    Ended,

    /// <summary>The merchant paused the template.</summary>
    Paused,

    /// <summary>No inventory remains.</summary>
    SoldOut,

    /// <summary>The user holds as many coupons of the template as allowed.</summary>
    LimitReached,

    /// <summary>The user is not in the template's audience.</summary>
    NotEligible,

    /// <summary>The template does not issue through this channel.</summary>
    ChannelClosed,

    /// <summary>The user does not have the points the claim costs.</summary>
    InsufficientPoints,

    /// <summary>Too many attempts; retry after <see cref="ClaimResult.RetryAfter"/>.</summary>
    RateLimited,

    /// <summary>The template limits claims per verified identity (<see cref="PerUserLimitKey.IdentityKey"/>) and the claim has no <see cref="ClaimRequest.IdentityKey"/>.</summary>
    IdentityKeyRequired,
}

/// <summary>The answer to a claim: the coupon issued, or the reason nothing was.</summary>
public sealed class ClaimResult
{
    private ClaimResult(IssuedCoupon? coupon, bool isReplay, ClaimRejection? rejection, string message, TimeSpan? retryAfter)
    {
        Coupon = coupon;
        IsReplay = isReplay;
        Rejection = rejection;
        Message = message;
        RetryAfter = retryAfter;
    }

    /// <summary>Gets a value indicating whether a coupon was issued (now, or by an earlier request with the same key).</summary>
    public bool IsIssued => Coupon is not null;

    /// <summary>Gets the coupon issued.</summary>
    public IssuedCoupon? Coupon { get; }

    /// <summary>Gets a value indicating whether the coupon was issued by an earlier request with the same idempotency key.</summary>
    public bool IsReplay { get; }

    /// <summary>Gets why nothing was issued.</summary>
    public ClaimRejection? Rejection { get; }

    /// <summary>Gets the outcome in words.</summary>
    public string Message { get; }

    /// <summary>Gets when to retry, for <see cref="ClaimRejection.RateLimited"/>.</summary>
    public TimeSpan? RetryAfter { get; }

    internal static ClaimResult Issued(IssuedCoupon coupon, bool replay) =>
        new(coupon, replay, null, replay ? "the coupon was already issued for this request" : "coupon issued", null);

    internal static ClaimResult Rejected(ClaimRejection rejection, string message, TimeSpan? retryAfter = null) =>
        new(null, false, rejection, message, retryAfter);

    /// <inheritdoc />
    public override string ToString() => IsIssued ? $"Issued {Coupon!.CouponId}{(IsReplay ? " (replay)" : string.Empty)}" : $"Rejected {Rejection}: {Message}";
}
