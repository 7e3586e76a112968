using CouponKit.Issuance;
using CouponKit.Messaging;

namespace CouponKit.Ports;

/// <summary>Stores issued coupons and claim records; issues a coupon atomically (idempotency key, per-user limit, inventory).</summary>
public interface ICouponStore
{
    /// <summary>
    /// Issues a coupon in one atomic step: if the claim key was used, returns that claim's coupon (<see cref="IssueStatus.Replayed"/>,
    /// or <see cref="IssueStatus.KeyConflict"/> for another user or template); else if the user holds
    /// <see cref="IssueCommand.PerUserLimit"/> coupons of the template, <see cref="IssueStatus.LimitReached"/>; else if no inventory
    /// remains, <see cref="IssueStatus.SoldOut"/>; else decrements the inventory by one (never below zero), stores the coupon,
    /// the claim record and the events.
    /// </summary>
    /// <param name="command">What to issue.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome.</returns>
    Task<IssueOutcome> IssueAsync(IssueCommand command, CancellationToken cancellationToken);

    /// <summary>Finds the coupon a claim key issued.</summary>
    /// <param name="claimKey">The claim's idempotency key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The coupon, or <see langword="null"/> when the key was never used.</returns>
    Task<IssuedCoupon?> FindByClaimKeyAsync(string claimKey, CancellationToken cancellationToken);

    /// <summary>Finds a coupon.</summary>
    /// <param name="couponId">The coupon id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The coupon, or <see langword="null"/>.</returns>
    Task<IssuedCoupon?> FindAsync(string couponId, CancellationToken cancellationToken);

    /// <summary>Lists a user's coupons.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The coupons, in the order they were claimed.</returns>
    Task<IReadOnlyList<IssuedCoupon>> ListByUserAsync(string userId, CancellationToken cancellationToken);

    /// <summary>
    /// Gets a value indicating whether the store honours <see cref="IssueCommand.AssignSequence"/> (stamps
    /// <see cref="IssuedCoupon.IssueSequence"/> in the atomic issue). Split red envelopes are only claimed through stores that do.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    bool AssignsIssueSequence => false;
}

/// <summary>A request to the store to issue one coupon.</summary>
/// <param name="ClaimKey">The idempotency key of the claim.</param>
/// <param name="Coupon">The coupon to store (state <c>Available</c>).</param>
/// <param name="PerUserLimit">How many coupons of the template the user may hold.</param>
/// <param name="Events">The events to write to the outbox with it.</param>
public sealed record IssueCommand(string ClaimKey, IssuedCoupon Coupon, int PerUserLimit, IReadOnlyList<OutboxMessage> Events)
{
    /// <summary>
    /// Gets a value indicating whether the store stamps the coupon's <see cref="IssuedCoupon.IssueSequence"/>: the number of
    /// coupons of the template issued before it, read in the same atomic step that decrements the inventory (so each sequence
    /// from 0 to the inventory − 1 is given once). Split red envelopes need it.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool AssignSequence { get; init; }

    /// <summary>
    /// Gets which of the user's coupons of the template count against <see cref="PerUserLimit"/>: all of them, or only those
    /// active at the coupon's <see cref="IssuedCoupon.ClaimedAt"/> (available or locked, and ending after it). Read in the same
    /// atomic step as the issue, so that concurrent claims never leave more counted coupons than the limit.
    /// </summary>
    /// <value>The default value is <see cref="PerUserLimitCounts.EveryClaim"/>.</value>
    public PerUserLimitCounts LimitCounts { get; init; }

    /// <summary>
    /// Gets a value indicating whether the limit is also counted over the coupons of the template carrying the coupon's
    /// <see cref="IssuedCoupon.IdentityKey"/> (whichever account holds them), in the same atomic step: one person with several
    /// accounts never holds more counted coupons than <see cref="PerUserLimit"/>. The coupon must carry an identity key.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool LimitsIdentityKey { get; init; }
}

/// <summary>What the store did with an <see cref="IssueCommand"/>.</summary>
public enum IssueStatus
{
    /// <summary>The coupon was issued.</summary>
    Issued,

    /// <summary>The claim key was used before by the same user and template; the earlier coupon is returned.</summary>
    Replayed,

    /// <summary>No inventory remains.</summary>
    SoldOut,

    /// <summary>The user (or, with <see cref="IssueCommand.LimitsIdentityKey"/>, the identity key) holds as many counted coupons of the template as allowed.</summary>
    LimitReached,

    /// <summary>The claim key was used before for another user or template.</summary>
    KeyConflict,
}

/// <summary>The outcome of an <see cref="IssueCommand"/>.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Coupon">The coupon issued or replayed.</param>
public sealed record IssueOutcome(IssueStatus Status, IssuedCoupon? Coupon);
