using CouponKit.Ports;

namespace CouponKit.InMemory;

/// <summary>Users' paid orders in process memory; for tests and samples (a shop implements <see cref="IOrderHistory"/> on its own orders).</summary>
public sealed class InMemoryOrderHistory : IOrderHistory
{
    private readonly object _gate = new();
    private readonly HashSet<string> _paid = new(StringComparer.Ordinal);

    /// <summary>Records that a user paid an order.</summary>
    /// <param name="userId">The user.</param>
    public void RecordPaid(string userId)
    {
        Guard.Identifier(userId, nameof(userId));
        lock (_gate)
        {
            _paid.Add(userId);
        }
    }

    /// <inheritdoc />
    public Task<bool> HasPaidOrderAsync(string userId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_paid.Contains(userId));
        }
    }
}
