using CouponKit.Statistics;

namespace CouponKit.Ports;

/// <summary>
/// The shop's own record of its orders: which were paid and which coupons each used with what discount. Implemented by the
/// shop (from its order service or database); reconciliation compares it with CouponKit's coupons.
/// </summary>
public interface IOrderLedger
{
    /// <summary>Lists the orders paid in a period, with their coupons.</summary>
    /// <param name="from">The start of the period.</param>
    /// <param name="until">The end of the period (exclusive).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The paid orders.</returns>
    Task<IReadOnlyList<OrderRecord>> ListPaidAsync(DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>Finds an order, whatever its status.</summary>
    /// <param name="orderId">The order.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The order, or <see langword="null"/> when the shop does not know it.</returns>
    Task<OrderRecord?> FindAsync(string orderId, CancellationToken cancellationToken);
}
