using CouponKit.Ports;

namespace CouponKit.InMemory;

/// <summary>The claim gate in process memory: the reference behaviour of <see cref="IClaimGate"/> and a gate for a single process.</summary>
public sealed class InMemoryClaimGate : IClaimGate
{
    private readonly object _gate = new();
    private readonly Dictionary<string, TemplateGate> _templates = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task WarmUpAsync(string templateId, int remaining, IReadOnlyDictionary<string, int> holders, CancellationToken cancellationToken)
    {
        Guard.Identifier(templateId, nameof(templateId));
        ArgumentOutOfRangeException.ThrowIfNegative(remaining);
        ArgumentNullException.ThrowIfNull(holders);
        lock (_gate)
        {
            _templates[templateId] = new TemplateGate(remaining, new Dictionary<string, int>(holders, StringComparer.Ordinal));
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<ClaimGateDecision> TryReserveAsync(ClaimGateRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_gate)
        {
            if (!_templates.TryGetValue(request.TemplateId, out var t))
            {
                return Task.FromResult(new ClaimGateDecision(ClaimGateStatus.NotWarmedUp, 0));
            }

            if (t.Keys.Contains(request.ClaimKey))
            {
                return Task.FromResult(new ClaimGateDecision(ClaimGateStatus.AlreadyReserved, t.Remaining));
            }

            if (t.Holders.GetValueOrDefault(request.UserId) >= request.PerUserLimit)
            {
                return Task.FromResult(new ClaimGateDecision(ClaimGateStatus.LimitReached, t.Remaining));
            }

            if (t.Remaining <= 0)
            {
                return Task.FromResult(new ClaimGateDecision(ClaimGateStatus.SoldOut, 0));
            }

            t.Remaining--;
            t.Holders[request.UserId] = t.Holders.GetValueOrDefault(request.UserId) + 1;
            t.Keys.Add(request.ClaimKey);
            return Task.FromResult(new ClaimGateDecision(ClaimGateStatus.Reserved, t.Remaining));
        }
    }

    /// <inheritdoc />
    public Task ReleaseAsync(ClaimGateRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_gate)
        {
            if (_templates.TryGetValue(request.TemplateId, out var t) && t.Keys.Remove(request.ClaimKey))
            {
                t.Remaining++;
                var held = t.Holders.GetValueOrDefault(request.UserId) - 1;
                if (held > 0)
                {
                    t.Holders[request.UserId] = held;
                }
                else
                {
                    t.Holders.Remove(request.UserId);
                }
            }
        }

        return Task.CompletedTask;
    }

    private sealed class TemplateGate(int remaining, Dictionary<string, int> holders)
    {
        public int Remaining { get; set; } = remaining;

        public Dictionary<string, int> Holders { get; } = holders;

        public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);
    }
}
