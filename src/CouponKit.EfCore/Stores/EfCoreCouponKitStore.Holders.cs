using CouponKit.EfCore.Model;
using CouponKit.Issuance.Gated;
using Microsoft.EntityFrameworkCore;

namespace CouponKit.EfCore.Stores;

/// <content><see cref="IClaimHolderSource"/>: who holds a template's coupons, for warming up and reconciling a claim gate.</content>
internal sealed partial class EfCoreCouponKitStore<TContext> : IClaimHolderSource
{
    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, int>> CountHoldersAsync(string templateId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(templateId);
        return ReadAsync<IReadOnlyDictionary<string, int>>(
            nameof(IClaimHolderSource.CountHoldersAsync),
            async (db, ct) =>
            {
                // One grouped query: every issued coupon counts, whatever its state (the gate's per-user limit counts them all).
                var counts = await db.Set<CouponRow>().AsNoTracking()
                    .Where(c => c.TemplateId == templateId)
                    .GroupBy(c => c.UserId)
                    .Select(g => new { UserId = g.Key, Count = g.Count() })
                    .ToListAsync(ct)
                    .ConfigureAwait(false);
                return counts.ToDictionary(c => c.UserId, c => c.Count, StringComparer.Ordinal);
            },
            cancellationToken);
    }
}
