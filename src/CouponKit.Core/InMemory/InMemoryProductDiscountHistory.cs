using CouponKit.Ports;

namespace CouponKit.InMemory;

/// <summary>The products each template discounted per user, in process memory, behind one lock; for tests and single-process shops.</summary>
public sealed class InMemoryProductDiscountHistory : IProductDiscountHistory
{
    private readonly object _gate = new();
    private readonly Dictionary<(string UserId, string TemplateId, string Sku), string> _takenBy = [];

    /// <inheritdoc />
    public Task<IReadOnlyCollection<string>> ListDiscountedAsync(string userId, string templateId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyCollection<string> skus = _takenBy.Keys.Where(k => k.UserId == userId && k.TemplateId == templateId).Select(k => k.Sku).ToHashSet(StringComparer.Ordinal);
            return Task.FromResult(skus);
        }
    }

    /// <inheritdoc />
    public Task<ProductDiscountConflict?> TryTakeAsync(string userId, string orderId, IReadOnlyList<ProductDiscountClaim> products, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(products);
        lock (_gate)
        {
            foreach (var claim in products)
            {
                foreach (var sku in claim.Skus)
                {
                    if (_takenBy.TryGetValue((userId, claim.TemplateId, sku), out var holder) && !string.Equals(holder, orderId, StringComparison.Ordinal))
                    {
                        return Task.FromResult<ProductDiscountConflict?>(new ProductDiscountConflict(claim.TemplateId, sku));
                    }
                }
            }

            foreach (var claim in products)
            {
                foreach (var sku in claim.Skus)
                {
                    _takenBy[(userId, claim.TemplateId, sku)] = orderId;
                }
            }

            return Task.FromResult<ProductDiscountConflict?>(null);
        }
    }

    /// <inheritdoc />
    public Task ReleaseAsync(string userId, string orderId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            foreach (var key in _takenBy.Where(e => e.Key.UserId == userId && string.Equals(e.Value, orderId, StringComparison.Ordinal)).Select(e => e.Key).ToArray())
            {
                _takenBy.Remove(key);
            }
        }

        return Task.CompletedTask;
    }
}
