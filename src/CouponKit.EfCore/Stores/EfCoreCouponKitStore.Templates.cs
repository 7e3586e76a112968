using CouponKit.EfCore.Model;
using CouponKit.EfCore.Serialization;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using Microsoft.EntityFrameworkCore;

namespace CouponKit.EfCore.Stores;

/// <content><see cref="ITemplateStore"/>: templates with their definition as JSON and a <c>remaining</c> counter.</content>
internal sealed partial class EfCoreCouponKitStore<TContext> : ITemplateStore
{
    /// <inheritdoc />
    public Task<CouponTemplate?> FindAsync(string templateId, CancellationToken cancellationToken) =>
        ReadAsync(
            nameof(ITemplateStore.FindAsync),
            async (db, ct) =>
            {
                var row = await db.Set<TemplateRow>().AsNoTracking().FirstOrDefaultAsync(t => t.Id == templateId, ct).ConfigureAwait(false);
                return row is null ? null : ToTemplate(row);
            },
            cancellationToken);

    /// <inheritdoc />
    public Task AddAsync(CouponTemplate created, IReadOnlyList<OutboxMessage> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(created);
        ArgumentNullException.ThrowIfNull(events);
        var definition = TemplateDefinition.Serialize(created.ToDraft());
        return WriteAsync(
            nameof(ITemplateStore.AddAsync),
            async (db, ct) =>
            {
                if (await db.Set<TemplateRow>().AnyAsync(t => t.Id == created.Id, ct).ConfigureAwait(false))
                {
                    throw new InvalidTemplateException(created.Id, "id", "a template with this id already exists.");
                }

                db.Set<TemplateRow>().Add(new TemplateRow
                {
                    Id = created.Id,
                    Name = created.Name,
                    Definition = definition,
                    State = (int)created.State,
                    Version = created.Version,
                    TotalInventory = created.TotalInventory,
                    Remaining = created.TotalInventory,
                    CreatedAt = created.CreatedAt,
                    UpdatedAt = created.UpdatedAt,
                });
                await EnqueueAsync(db, events, ct).ConfigureAwait(false);
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task UpdateAsync(CouponTemplate updated, long expectedVersion, IReadOnlyList<OutboxMessage> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updated);
        ArgumentNullException.ThrowIfNull(events);
        var definition = TemplateDefinition.Serialize(updated.ToDraft());
        var total = updated.TotalInventory;
        var state = (int)updated.State;
        return WriteAsync(
            nameof(ITemplateStore.UpdateAsync),
            async (db, ct) =>
            {
                var templates = db.Set<TemplateRow>();
                var current = await templates.AsNoTracking().FirstOrDefaultAsync(t => t.Id == updated.Id, ct).ConfigureAwait(false)
                    ?? throw new TemplateNotFoundException(updated.Id);
                Check(current);

                // One conditional statement: the version and the issued count are checked by the database itself. Every
                // right-hand side reads the row as it was before the statement (standard SQL; not MySQL's left-to-right rule).
                var affected = await templates
                    .Where(t => t.Id == updated.Id && t.Version == expectedVersion && t.TotalInventory - t.Remaining <= total)
                    .ExecuteUpdateAsync(
                        s => s.SetProperty(t => t.Name, updated.Name)
                            .SetProperty(t => t.Definition, definition)
                            .SetProperty(t => t.State, state)
                            .SetProperty(t => t.Version, updated.Version)
                            .SetProperty(t => t.Remaining, t => t.Remaining + total - t.TotalInventory)
                            .SetProperty(t => t.TotalInventory, total)
                            .SetProperty(t => t.UpdatedAt, updated.UpdatedAt),
                        ct)
                    .ConfigureAwait(false);
                if (affected != 1)
                {
                    var now = await templates.AsNoTracking().FirstAsync(t => t.Id == updated.Id, ct).ConfigureAwait(false);
                    Check(now);
                    throw new StaleReadException($"Template '{updated.Id}'");
                }

                await EnqueueAsync(db, events, ct).ConfigureAwait(false);
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);

        void Check(TemplateRow row)
        {
            if (row.Version != expectedVersion)
            {
                throw new ConcurrencyConflictException($"Template '{updated.Id}'");
            }

            var issued = row.TotalInventory - row.Remaining;
            if (total < issued)
            {
                throw new InvalidTemplateException(updated.Id, "totalInventory", $"the inventory cannot go below the {issued} coupons already issued.");
            }
        }
    }

    /// <inheritdoc />
    public Task<TemplateStock?> GetStockAsync(string templateId, CancellationToken cancellationToken) =>
        ReadAsync(
            nameof(ITemplateStore.GetStockAsync),
            async (db, ct) =>
            {
                var row = await db.Set<TemplateRow>().AsNoTracking()
                    .Where(t => t.Id == templateId)
                    .Select(t => new { t.TotalInventory, t.Remaining })
                    .FirstOrDefaultAsync(ct)
                    .ConfigureAwait(false);
                return row is null ? null : new TemplateStock(row.TotalInventory, row.TotalInventory - row.Remaining);
            },
            cancellationToken);
}
