using CouponKit.EfCore.Model;
using CouponKit.Ports;
using Microsoft.EntityFrameworkCore;

namespace CouponKit.EfCore.Stores;

/// <content>
/// <see cref="IProductDiscountHistory"/>: the products once-per-product templates discounted per user. Taking is one transaction
/// that reads the rows of the products and inserts those missing; two orders taking the same product collide on the key
/// (user, template, SKU), and the one run again sees the other's row and answers the conflict.
/// </content>
internal sealed partial class EfCoreCouponKitStore<TContext> : IProductDiscountHistory
{
    /// <inheritdoc />
    public Task<IReadOnlyCollection<string>> ListDiscountedAsync(string userId, string templateId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyCollection<string>>(
            nameof(IProductDiscountHistory.ListDiscountedAsync),
            async (db, ct) => await db.Set<ProductDiscountRow>().AsNoTracking()
                .Where(p => p.UserId == userId && p.TemplateId == templateId)
                .Select(p => p.Sku)
                .ToListAsync(ct)
                .ConfigureAwait(false),
            cancellationToken);

    /// <inheritdoc />
    public Task<ProductDiscountConflict?> TryTakeAsync(string userId, string orderId, IReadOnlyList<ProductDiscountClaim> products, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(products);
        return WriteAsync<ProductDiscountConflict?>(
            nameof(IProductDiscountHistory.TryTakeAsync),
            async (db, ct) =>
            {
                var set = db.Set<ProductDiscountRow>();
                foreach (var claim in products)
                {
                    var skus = claim.Skus.Distinct(StringComparer.Ordinal).ToList();
                    var held = await set.AsNoTracking()
                        .Where(p => p.UserId == userId && p.TemplateId == claim.TemplateId && skus.Contains(p.Sku))
                        .ToListAsync(ct)
                        .ConfigureAwait(false);
                    if (held.Where(p => p.OrderId != orderId).OrderBy(p => p.Sku, StringComparer.Ordinal).FirstOrDefault() is { } other)
                    {
                        db.ChangeTracker.Clear();
                        return new ProductDiscountConflict(claim.TemplateId, other.Sku);
                    }

                    var mine = held.Select(p => p.Sku).ToHashSet(StringComparer.Ordinal);
                    foreach (var sku in skus.Where(s => !mine.Contains(s)))
                    {
                        set.Add(new ProductDiscountRow { UserId = userId, TemplateId = claim.TemplateId, Sku = sku, OrderId = orderId });
                    }
                }

                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                return null;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task ReleaseAsync(string userId, string orderId, CancellationToken cancellationToken) =>
        WriteAsync(
            nameof(IProductDiscountHistory.ReleaseAsync),
            async (db, ct) => await db.Set<ProductDiscountRow>()
                .Where(p => p.UserId == userId && p.OrderId == orderId)
                .ExecuteDeleteAsync(ct)
                .ConfigureAwait(false),
            cancellationToken);
}
