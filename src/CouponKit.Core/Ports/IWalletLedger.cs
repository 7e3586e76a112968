namespace CouponKit.Ports;

/// <summary>The shop's wallet: cash credited to users by red envelopes. Idempotent per key, so a retried credit has no second effect.</summary>
public interface IWalletLedger
{
    /// <summary>Credits cash to a user's wallet once per idempotency key.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="amount">The amount, above zero.</param>
    /// <param name="idempotencyKey">A key that makes a retried credit have no second effect.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when credited now; <see langword="false"/> when the key was already credited.</returns>
    Task<bool> CreditAsync(string userId, Money amount, string idempotencyKey, CancellationToken cancellationToken);
}
