namespace CouponKit.Issuance.Gated;

/// <summary>
/// Remembers the claims the gate accepted until the database settles them, for polling by claim key and for the gate's
/// reconciliation (the claims still in flight). In memory by default; in Redis with CouponKit.Redis (shared by every
/// instance, each record expiring some time after it was accepted).
/// </summary>
public interface IPendingClaimStore
{
    /// <summary>Records an accepted claim in the <see cref="PendingClaimState.Pending"/> state; a second add of the same key changes nothing.</summary>
    /// <param name="claim">The claim.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    Task AddAsync(PendingClaim claim, CancellationToken cancellationToken);

    /// <summary>Finds a claim by its key.</summary>
    /// <param name="claimKey">The claim key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The claim, or <see langword="null"/>.</returns>
    Task<PendingClaim?> FindAsync(string claimKey, CancellationToken cancellationToken);

    /// <summary>Settles a pending claim, atomically: only a claim still <see cref="PendingClaimState.Pending"/> moves.</summary>
    /// <param name="claimKey">The claim key.</param>
    /// <param name="state">The final state (not <see cref="PendingClaimState.Pending"/>).</param>
    /// <param name="rejection">Why, for <see cref="PendingClaimState.Rejected"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when it moved; <see langword="false"/> when it was settled before or is unknown.</returns>
    Task<bool> TrySettleAsync(string claimKey, PendingClaimState state, ClaimRejection? rejection, CancellationToken cancellationToken);

    /// <summary>Lists a template's claims still pending.</summary>
    /// <param name="templateId">The template.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The pending claims.</returns>
    Task<IReadOnlyList<PendingClaim>> ListPendingAsync(string templateId, CancellationToken cancellationToken);
}

/// <summary>Lists who holds a template's coupons in the database, for warming up and reconciling the claim gate.</summary>
public interface IClaimHolderSource
{
    /// <summary>Counts the coupons of a template each user holds (every issued coupon, whatever its state).</summary>
    /// <param name="templateId">The template.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Each holder and the number of coupons issued to them.</returns>
    Task<IReadOnlyDictionary<string, int>> CountHoldersAsync(string templateId, CancellationToken cancellationToken);
}
