using CouponKit.Ports;

namespace CouponKit.InMemory;

/// <summary>A member points ledger in process memory, idempotent per key; for tests and samples.</summary>
public sealed class InMemoryPointsLedger : IPointsLedger
{
    private readonly object _gate = new();
    private readonly Dictionary<string, long> _balances = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _deductions = new(StringComparer.Ordinal);
    private readonly HashSet<string> _credits = new(StringComparer.Ordinal);

    /// <summary>Sets a user's balance.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="points">The balance.</param>
    public void SetBalance(string userId, long points)
    {
        lock (_gate)
        {
            _balances[userId] = points;
        }
    }

    /// <summary>Reads a user's balance.</summary>
    /// <param name="userId">The user.</param>
    /// <returns>The balance.</returns>
    public long BalanceOf(string userId)
    {
        lock (_gate)
        {
            return _balances.GetValueOrDefault(userId);
        }
    }

    /// <inheritdoc />
    public Task<bool> TryDeductAsync(string userId, long points, string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(points);
        lock (_gate)
        {
            if (_deductions.TryGetValue(idempotencyKey, out var active))
            {
                return Task.FromResult(active);
            }

            var balance = _balances.GetValueOrDefault(userId);
            if (balance < points)
            {
                return Task.FromResult(false);
            }

            _balances[userId] = balance - points;
            _deductions[idempotencyKey] = true;
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<bool> CreditAsync(string userId, long points, string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(points);
        lock (_gate)
        {
            if (!_credits.Add(idempotencyKey))
            {
                return Task.FromResult(false);
            }

            _balances[userId] = _balances.GetValueOrDefault(userId) + points;
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task RefundAsync(string userId, long points, string idempotencyKey, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_deductions.TryGetValue(idempotencyKey, out var active) && active)
            {
                _balances[userId] = _balances.GetValueOrDefault(userId) + points;
            }

            _deductions[idempotencyKey] = false; // refunded, or never deducted: a late deduction with this key is refused
        }

        return Task.CompletedTask;
    }
}
