using CouponKit.Ports;

namespace CouponKit.InMemory;

/// <summary>Promo codes in process memory, behind one lock so that each redemption is atomic; for tests and samples.</summary>
public sealed class InMemoryPromoCodeStore : IPromoCodeStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Code> _codes = new(StringComparer.Ordinal);

    /// <summary>Gets the number of codes stored (for tests and diagnostics).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _codes.Count;
            }
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> AddAsync(IReadOnlyList<PromoCodeEntry> codes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(codes);
        cancellationToken.ThrowIfCancellationRequested();
        var existing = new List<string>();
        lock (_gate)
        {
            foreach (var entry in codes)
            {
                ArgumentNullException.ThrowIfNull(entry, nameof(codes));
                if (!_codes.TryAdd(entry.CodeHash, new Code(entry)))
                {
                    existing.Add(entry.CodeHash);
                }
            }
        }

        return Task.FromResult<IReadOnlyList<string>>(existing);
    }

    /// <inheritdoc />
    public Task<PromoCodeRedeemOutcome> TryRedeemAsync(string codeHash, string userId, string requestKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(codeHash);
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(requestKey);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_codes.TryGetValue(codeHash, out var code))
            {
                return Task.FromResult(new PromoCodeRedeemOutcome(PromoCodeRedeemStatus.Unknown, null, null));
            }

            var templateId = code.Entry.TemplateId;
            if (code.Redemptions.TryGetValue(userId, out var earlierKey))
            {
                return Task.FromResult(new PromoCodeRedeemOutcome(PromoCodeRedeemStatus.AlreadyRedeemed, templateId, earlierKey));
            }

            if (code.Redemptions.Count >= code.Entry.MaxRedemptions)
            {
                return Task.FromResult(new PromoCodeRedeemOutcome(PromoCodeRedeemStatus.UsedUp, templateId, null));
            }

            code.Redemptions.Add(userId, requestKey);
            return Task.FromResult(new PromoCodeRedeemOutcome(PromoCodeRedeemStatus.Recorded, templateId, null));
        }
    }

    /// <inheritdoc />
    public Task ReleaseAsync(string codeHash, string userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(codeHash);
        ArgumentNullException.ThrowIfNull(userId);
        lock (_gate)
        {
            if (_codes.TryGetValue(codeHash, out var code))
            {
                code.Redemptions.Remove(userId);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Counts the redemptions of a code (for tests and diagnostics).</summary>
    /// <param name="codeHash">The hash of the canonical code.</param>
    /// <returns>The number of users holding a redemption of the code; 0 when the code is unknown.</returns>
    public int RedemptionsOf(string codeHash)
    {
        lock (_gate)
        {
            return _codes.TryGetValue(codeHash, out var code) ? code.Redemptions.Count : 0;
        }
    }

    private sealed class Code(PromoCodeEntry entry)
    {
        public PromoCodeEntry Entry { get; } = entry;

        /// <summary>The users who redeemed the code, with the request key of each redemption.</summary>
        public Dictionary<string, string> Redemptions { get; } = new(StringComparer.Ordinal);
    }
}
