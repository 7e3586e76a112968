using CouponKit.Rewards;

namespace CouponKit.InMemory;

/// <summary>Refunded orders and reward losses in process memory; for tests, samples and single-process shops.</summary>
public sealed class InMemoryRewardLedger : IRewardLedger
{
    private readonly object _gate = new();
    private readonly Dictionary<string, DateTimeOffset> _refunded = new(StringComparer.Ordinal);
    private readonly Dictionary<(string RuleId, string OrderId), RewardLoss> _losses = [];

    /// <inheritdoc />
    public Task<bool> MarkRefundedAsync(string orderId, DateTimeOffset refundedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orderId);
        lock (_gate)
        {
            return Task.FromResult(_refunded.TryAdd(orderId, refundedAt));
        }
    }

    /// <inheritdoc />
    public Task<bool> IsRefundedAsync(string orderId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_refunded.ContainsKey(orderId));
        }
    }

    /// <inheritdoc />
    public Task<bool> AddLossAsync(RewardLoss loss, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(loss);
        lock (_gate)
        {
            return Task.FromResult(_losses.TryAdd((loss.RuleId, loss.OrderId), loss));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<RewardLoss>> ListLossesAsync(DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<RewardLoss> list = _losses.Values
                .Where(l => l.RecordedAt >= from && l.RecordedAt < until)
                .OrderBy(l => l.RecordedAt)
                .ThenBy(l => l.OrderId, StringComparer.Ordinal)
                .ThenBy(l => l.RuleId, StringComparer.Ordinal)
                .ToArray();
            return Task.FromResult(list);
        }
    }
}
