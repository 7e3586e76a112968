using CouponKit.Ports;
using CouponKit.Statistics;

namespace CouponKit.InMemory;

/// <summary>The shop's order records in process memory; for tests and samples (a shop implements <see cref="IOrderLedger"/> on its own orders).</summary>
public sealed class InMemoryOrderLedger : IOrderLedger
{
    private readonly object _gate = new();
    private readonly Dictionary<string, OrderRecord> _orders = new(StringComparer.Ordinal);

    /// <summary>Adds or replaces an order.</summary>
    /// <param name="order">The order.</param>
    public void Put(OrderRecord order)
    {
        ArgumentNullException.ThrowIfNull(order);
        lock (_gate)
        {
            _orders[order.OrderId] = order;
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<OrderRecord>> ListPaidAsync(DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<OrderRecord> paid = _orders.Values
                .Where(o => o.Status == OrderPaymentStatus.Paid && o.PaidAt is { } at && at >= from && at < until)
                .OrderBy(o => o.PaidAt)
                .ToArray();
            return Task.FromResult(paid);
        }
    }

    /// <inheritdoc />
    public Task<OrderRecord?> FindAsync(string orderId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_orders.GetValueOrDefault(orderId));
        }
    }
}
