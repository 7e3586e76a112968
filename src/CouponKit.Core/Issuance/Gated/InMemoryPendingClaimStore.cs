using CouponKit.InMemory;

namespace CouponKit.Issuance.Gated;

/// <summary>The in-process <see cref="IPendingClaimStore"/>: the default of <c>AddCouponKit()</c>, and the reference for tests.</summary>
public sealed class InMemoryPendingClaimStore : IPendingClaimStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, PendingClaim> _claims = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task AddAsync(PendingClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            _claims.TryAdd(claim.ClaimKey, claim with { State = PendingClaimState.Pending, Rejection = null });
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<PendingClaim?> FindAsync(string claimKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(claimKey);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_claims.GetValueOrDefault(claimKey));
        }
    }

    /// <inheritdoc />
    public Task<bool> TrySettleAsync(string claimKey, PendingClaimState state, ClaimRejection? rejection, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(claimKey);
        if (state == PendingClaimState.Pending || !Enum.IsDefined(state))
        {
            throw new ArgumentOutOfRangeException(nameof(state), state, "A claim settles as Issued, Rejected or Failed.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_claims.TryGetValue(claimKey, out var claim) || claim.State != PendingClaimState.Pending)
            {
                return Task.FromResult(false);
            }

            _claims[claimKey] = claim with { State = state, Rejection = rejection };
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<PendingClaim>> ListPendingAsync(string templateId, CancellationToken cancellationToken)
    {
        Guard.Identifier(templateId, nameof(templateId));
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<PendingClaim>>(
                _claims.Values.Where(c => c.State == PendingClaimState.Pending && string.Equals(c.TemplateId, templateId, StringComparison.Ordinal)).ToArray());
        }
    }
}

/// <summary>The <see cref="IClaimHolderSource"/> over the <see cref="InMemoryCouponKitStore"/>.</summary>
/// <param name="store">The in-memory store.</param>
public sealed class InMemoryClaimHolderSource(InMemoryCouponKitStore store) : IClaimHolderSource
{
    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, int>> CountHoldersAsync(string templateId, CancellationToken cancellationToken)
    {
        Guard.Identifier(templateId, nameof(templateId));
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyDictionary<string, int> holders = store.Coupons
            .Where(c => string.Equals(c.TemplateId, templateId, StringComparison.Ordinal))
            .GroupBy(c => c.UserId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return Task.FromResult(holders);
    }
}
