using CouponKit.Issuance;
using CouponKit.Ports;

namespace CouponKit.Benefits;

/// <summary>Credits a coupon's cash or points, idempotently per coupon (key <c>benefit:{couponId}</c>).</summary>
internal sealed class BenefitCrediter(IPointsLedger points, IWalletLedger? wallet)
{
    /// <summary>Credits what the coupon gives; a coupon or lucky coupon credits nothing.</summary>
    /// <returns>The grant, and whether something was credited now (false for a repeat or a plain coupon).</returns>
    public async Task<(BenefitGrant Grant, bool Credited)> CreditAsync(CouponTemplate template, IssuedCoupon coupon, CancellationToken cancellationToken)
    {
        var grant = BenefitGrant.Of(template, coupon);
        var key = BenefitIssuance.CreditKey(coupon);
        if (grant.Points > 0)
        {
            return (grant, await points.CreditAsync(coupon.UserId, grant.Points, key, cancellationToken).ConfigureAwait(false));
        }

        if (grant.Cash is { } cash)
        {
            if (wallet is null)
            {
                throw new InvalidOperationException("No IWalletLedger is registered; red envelopes need one.");
            }

            return (grant, await wallet.CreditAsync(coupon.UserId, cash, key, cancellationToken).ConfigureAwait(false));
        }

        return (grant, false);
    }
}
