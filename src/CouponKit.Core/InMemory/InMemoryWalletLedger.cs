using CouponKit.Ports;

namespace CouponKit.InMemory;

/// <summary>A wallet in process memory, idempotent per key; for tests and samples.</summary>
public sealed class InMemoryWalletLedger : IWalletLedger
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Money> _credits = new(StringComparer.Ordinal);
    private readonly Dictionary<(string UserId, string Currency), decimal> _balances = [];

    /// <summary>Gets every credit, by idempotency key (for tests and diagnostics).</summary>
    public IReadOnlyDictionary<string, Money> Credits
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, Money>(_credits, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Reads a user's balance in a currency.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="currency">The currency.</param>
    /// <returns>The balance.</returns>
    public Money BalanceOf(string userId, Currency currency)
    {
        ArgumentNullException.ThrowIfNull(currency);
        lock (_gate)
        {
            return new Money(_balances.GetValueOrDefault((userId, currency.Code)), currency);
        }
    }

    /// <inheritdoc />
    public Task<bool> CreditAsync(string userId, Money amount, string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        if (amount.Amount <= 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(amount), amount, "A credit must be above zero.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_credits.TryAdd(idempotencyKey, amount))
            {
                return Task.FromResult(false);
            }

            var key = (userId, amount.Currency.Code);
            _balances[key] = _balances.GetValueOrDefault(key) + amount.Amount;
            return Task.FromResult(true);
        }
    }
}
