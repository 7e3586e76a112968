using System.Collections.Concurrent;
using CouponKit.Issuance;

namespace CouponKit.Caching;

/// <summary>The in-process <see cref="ITemplateCache"/>: the default of <c>AddCouponKit()</c>, and the reference for tests.</summary>
public sealed class InMemoryTemplateCache : ITemplateCache
{
    private readonly ConcurrentDictionary<string, CouponTemplate> _entries = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task<CouponTemplate?> GetAsync(string templateId, CancellationToken cancellationToken)
    {
        Guard.Identifier(templateId, nameof(templateId));
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_entries.TryGetValue(templateId, out var template) ? template : null);
    }

    /// <inheritdoc />
    public Task<bool> SetIfNewerAsync(CouponTemplate couponTemplate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(couponTemplate);
        var template = couponTemplate;
        cancellationToken.ThrowIfCancellationRequested();
        while (true)
        {
            if (!_entries.TryGetValue(template.Id, out var current))
            {
                if (_entries.TryAdd(template.Id, template))
                {
                    return Task.FromResult(true);
                }

                continue;
            }

            if (current.Version >= template.Version)
            {
                return Task.FromResult(false);
            }

            if (_entries.TryUpdate(template.Id, template, current))
            {
                return Task.FromResult(true);
            }
        }
    }
}
