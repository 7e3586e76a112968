using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Redemption;
using CouponKit.Rewards;

namespace CouponKit.InMemory;

/// <content><see cref="ICouponRevocationStore"/>: the conditional Available → Revoked under the store's lock.</content>
public sealed partial class InMemoryCouponKitStore : ICouponRevocationStore
{
    /// <inheritdoc />
    public Task<IssuedCoupon?> TryRevokeAsync(string couponId, IReadOnlyList<OutboxMessage> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(couponId);
        ArgumentNullException.ThrowIfNull(events);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_coupons.TryGetValue(couponId, out var coupon)
                || !RedemptionTransitions.TryFire(coupon.State, CouponTrigger.Revoke, out var next, out _))
            {
                return Task.FromResult<IssuedCoupon?>(null);
            }

            var revoked = coupon with { State = next, Version = coupon.Version + 1 };
            _coupons[couponId] = revoked;
            Enqueue(events);
            return Task.FromResult<IssuedCoupon?>(revoked);
        }
    }
}
