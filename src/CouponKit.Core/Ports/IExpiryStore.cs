using CouponKit.Issuance;
using CouponKit.Redemption;

namespace CouponKit.Ports;

/// <summary>Expires coupons whose end has passed.</summary>
public interface IExpiryStore
{
    /// <summary>
    /// In one transaction: takes up to <paramref name="max"/> coupons that are <see cref="CouponState.Available"/> with
    /// <see cref="IssuedCoupon.ValidUntil"/> at or before <paramref name="now"/>, earliest end first; applies
    /// <see cref="ExpiryPlanner.Plan"/> to them; writes its coupon changes (each only if the coupon's version is unchanged) and
    /// its outbox messages. Locked coupons are left alone: they expire when their order releases them.
    /// </summary>
    /// <param name="now">The current time.</param>
    /// <param name="max">The most coupons to expire.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The coupons expired, in their new state.</returns>
    Task<IReadOnlyList<IssuedCoupon>> ExpireAsync(DateTimeOffset now, int max, CancellationToken cancellationToken);
}
