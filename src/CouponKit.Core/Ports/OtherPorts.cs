namespace CouponKit.Ports;

/// <summary>Limits how often a key (a user, an IP address, a template) may act.</summary>
public interface IRateLimiter
{
    /// <summary>Takes one permit for a key under a policy.</summary>
    /// <param name="key">The key, for example <c>claim:user:42</c>.</param>
    /// <param name="policy">The policy.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether the action is allowed, and if not, when to retry.</returns>
    ValueTask<RateLimitDecision> TryAcquireAsync(string key, RateLimitPolicy policy, CancellationToken cancellationToken);
}

/// <summary>A token bucket: <see cref="PermitLimit"/> actions, refilled evenly over <see cref="Window"/>.</summary>
/// <param name="PermitLimit">The bucket size: 1 to 1,000,000.</param>
/// <param name="Window">The time in which a full bucket refills.</param>
public sealed record RateLimitPolicy(int PermitLimit, TimeSpan Window);

/// <summary>The answer of a rate limiter.</summary>
/// <param name="Allowed">Whether the action is allowed.</param>
/// <param name="RetryAfter">When it is not, how long until a permit is free.</param>
public sealed record RateLimitDecision(bool Allowed, TimeSpan RetryAfter)
{
    /// <summary>Gets an allowing decision.</summary>
    public static RateLimitDecision Allow { get; } = new(true, TimeSpan.Zero);
}

/// <summary>The shop's member points ledger, for claims that cost points.</summary>
public interface IPointsLedger
{
    /// <summary>Deducts points once per idempotency key.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="points">The points, more than zero.</param>
    /// <param name="idempotencyKey">A key that makes a retried deduction have no second effect.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when deducted (now or by an earlier call with the same key); <see langword="false"/> when the balance is too low.</returns>
    Task<bool> TryDeductAsync(string userId, long points, string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>Returns deducted points once per idempotency key; a key never deducted is recorded so that a late deduction is refused.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="points">The points.</param>
    /// <param name="idempotencyKey">The key of the deduction to return.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    Task RefundAsync(string userId, long points, string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>
    /// Credits points once per idempotency key (points benefits). Ledgers that do not implement it throw
    /// <see cref="NotSupportedException"/>, and a points benefit cannot be credited through them.
    /// </summary>
    /// <param name="userId">The user.</param>
    /// <param name="points">The points, more than zero.</param>
    /// <param name="idempotencyKey">A key that makes a retried credit have no second effect.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when credited now; <see langword="false"/> when the key was already credited.</returns>
    /// <exception cref="NotSupportedException">The ledger does not credit points.</exception>
    Task<bool> CreditAsync(string userId, long points, string idempotencyKey, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{GetType().Name} does not credit points; implement IPointsLedger.CreditAsync to issue points benefits.");
}
