using CouponKit.Statistics;

namespace CouponKit.Ports;

/// <summary>
/// The discount each coupon gave each order, as quoted when the order was placed: what statistics count as discount granted
/// and what reconciliation checks the shop's orders against. One amount per order and coupon.
/// </summary>
public interface ICouponDiscountStore
{
    /// <summary>Records discounts; an amount recorded again for the same order and coupon replaces the earlier one.</summary>
    /// <param name="discounts">The discounts.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    Task RecordAsync(IReadOnlyList<CouponDiscount> discounts, CancellationToken cancellationToken);

    /// <summary>Lists the discounts recorded for an order.</summary>
    /// <param name="orderId">The order.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The discounts.</returns>
    Task<IReadOnlyList<CouponDiscount>> ListByOrderAsync(string orderId, CancellationToken cancellationToken);
}
