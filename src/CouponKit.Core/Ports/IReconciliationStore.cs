using CouponKit.Statistics;

namespace CouponKit.Ports;

/// <summary>Lists what CouponKit knows about the coupons used in a period, for reconciliation with the shop's orders.</summary>
public interface IReconciliationStore
{
    /// <summary>Lists the coupons confirmed (used) by orders in a period, with the discount recorded for each, if any.</summary>
    /// <param name="from">The start of the period.</param>
    /// <param name="until">The end of the period (exclusive).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The used coupons, in the order they were confirmed.</returns>
    Task<IReadOnlyList<UsedCoupon>> ListUsedAsync(DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken);
}
