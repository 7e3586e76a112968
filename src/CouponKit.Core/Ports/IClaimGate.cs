namespace CouponKit.Ports;

/// <summary>
/// An optional, fast gate in front of the coupon store for hot templates (flash sales): it de-duplicates users and counts stock
/// atomically (in Redis with CouponKit.Redis), so that most losing attempts never reach the database. The store stays the
/// authority: a reservation the store then refuses is released.
/// </summary>
public interface IClaimGate
{
    /// <summary>Loads a template's remaining stock and the users who already hold its coupons (with how many).</summary>
    /// <param name="templateId">The template.</param>
    /// <param name="remaining">The stock that may still be issued.</param>
    /// <param name="holders">Each holder and the number of coupons held.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    Task WarmUpAsync(string templateId, int remaining, IReadOnlyDictionary<string, int> holders, CancellationToken cancellationToken);

    /// <summary>Atomically: refuses a user at the limit, refuses when no stock remains, else takes one unit and counts the user.</summary>
    /// <param name="request">The claim.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The decision.</returns>
    Task<ClaimGateDecision> TryReserveAsync(ClaimGateRequest request, CancellationToken cancellationToken);

    /// <summary>Gives back a reservation the store refused or that failed (compensation): one unit of stock and the user's count.</summary>
    /// <param name="request">The claim that reserved.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    Task ReleaseAsync(ClaimGateRequest request, CancellationToken cancellationToken);
}

/// <summary>A claim as the gate sees it.</summary>
/// <param name="TemplateId">The template.</param>
/// <param name="UserId">The user.</param>
/// <param name="PerUserLimit">How many coupons of the template the user may hold.</param>
/// <param name="ClaimKey">The claim's idempotency key: a second reservation with the same key is <see cref="ClaimGateStatus.AlreadyReserved"/>.</param>
public sealed record ClaimGateRequest(string TemplateId, string UserId, int PerUserLimit, string ClaimKey);

/// <summary>What the gate decided.</summary>
public enum ClaimGateStatus
{
    /// <summary>One unit was reserved for the claim.</summary>
    Reserved,

    /// <summary>The same claim key reserved before; nothing more was taken.</summary>
    AlreadyReserved,

    /// <summary>No stock remains.</summary>
    SoldOut,

    /// <summary>The user is at the per-user limit.</summary>
    LimitReached,

    /// <summary>The gate knows nothing of the template (not warmed up): go to the store.</summary>
    NotWarmedUp,
}

/// <summary>The gate's answer.</summary>
/// <param name="Status">What was decided.</param>
/// <param name="Remaining">The stock the gate still holds after the decision.</param>
public sealed record ClaimGateDecision(ClaimGateStatus Status, int Remaining);
