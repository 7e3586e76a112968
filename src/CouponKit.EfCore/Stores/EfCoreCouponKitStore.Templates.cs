using CouponKit.EfCore.Model;
using CouponKit.EfCore.Serialization;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using Microsoft.EntityFrameworkCore;

namespace CouponKit.EfCore.Stores;

/// <content>
/// <see cref="ITemplateStore"/>: templates with their definition as JSON and a <c>remaining</c> counter, or their inventory
/// split over stock segments (<see cref="EfCoreCouponKitOptions.StockSegments"/>).
/// </content>
internal sealed partial class EfCoreCouponKitStore<TContext> : ITemplateStore
{
    /// <inheritdoc />
    /// <remarks>
    /// Every claim reads its template: concurrent reads of one template share a query, one that started after each of them
    /// asked (<see cref="ReadCoalescer{TValue}"/>), so the answer is as fresh as a read of its own.
    /// </remarks>
    public Task<CouponTemplate?> FindAsync(string templateId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(templateId);
        return _templateReads.ReadAsync(templateId, cancellationToken);
    }

    /// <summary>One read of a template, shared by the callers of <see cref="FindAsync"/> that wait for it.</summary>
    private Task<CouponTemplate?> ReadTemplateAsync(string templateId) =>
        ReadAsync(
            nameof(ITemplateStore.FindAsync),
            async (db, ct) =>
            {
                var row = await db.Set<TemplateRow>().AsNoTracking().FirstOrDefaultAsync(t => t.Id == templateId, ct).ConfigureAwait(false);
                return row is null ? null : ToTemplate(row);
            },
            CancellationToken.None);

    /// <inheritdoc />
    public Task AddAsync(CouponTemplate created, IReadOnlyList<OutboxMessage> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(created);
        ArgumentNullException.ThrowIfNull(events);
        var definition = TemplateDefinition.Serialize(created.ToDraft());
        var segments = _options.StockSegments > 1 ? _options.StockSegments : 0;
        if (created.Benefit is CouponKit.Benefits.SplitRedEnvelopeBenefit)
        {
            EnsureSequenceable(created.Id, segments); // refused when added, not at every claim: its shares need one issue sequence
        }

        return WriteAsync(
            nameof(ITemplateStore.AddAsync),
            async (db, ct) =>
            {
                if (await db.Set<TemplateRow>().AnyAsync(t => t.Id == created.Id, ct).ConfigureAwait(false))
                {
                    throw new InvalidTemplateException(created.Id, "id", "a template with this id already exists.");
                }

                // With stock segments the inventory lives in the segment rows; the template's own counter stays at zero.
                db.Set<TemplateRow>().Add(new TemplateRow
                {
                    Id = created.Id,
                    Name = created.Name,
                    Definition = definition,
                    State = (int)created.State,
                    Version = created.Version,
                    TotalInventory = created.TotalInventory,
                    Remaining = segments > 0 ? 0 : created.TotalInventory,
                    StockSegments = segments,
                    CreatedAt = created.CreatedAt,
                    UpdatedAt = created.UpdatedAt,
                });
                if (segments > 0)
                {
                    AddSegments(db, created.Id, created.TotalInventory, segments);
                }

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
                var remaining = current.StockSegments > 0 ? await RemainingOfAsync(db, updated.Id, ct).ConfigureAwait(false) : current.Remaining;
                Check(current, remaining);

                // One conditional statement: the version and the issued count are checked by the database itself. Every
                // right-hand side reads the row as it was before the statement (standard SQL; not MySQL's left-to-right rule).
                // A segmented template keeps its counter at zero; its segments are adjusted below, in the same transaction.
                var segmented = current.StockSegments > 0;
                var affected = await templates
                    .Where(t => t.Id == updated.Id && t.Version == expectedVersion && (segmented || t.TotalInventory - t.Remaining <= total))
                    .ExecuteUpdateAsync(
                        s => s.SetProperty(t => t.Name, updated.Name)
                            .SetProperty(t => t.Definition, definition)
                            .SetProperty(t => t.State, state)
                            .SetProperty(t => t.Version, updated.Version)
                            .SetProperty(t => t.Remaining, t => segmented ? 0 : t.Remaining + total - t.TotalInventory)
                            .SetProperty(t => t.TotalInventory, total)
                            .SetProperty(t => t.UpdatedAt, updated.UpdatedAt),
                        ct)
                    .ConfigureAwait(false);
                if (affected != 1)
                {
                    var now = await templates.AsNoTracking().FirstAsync(t => t.Id == updated.Id, ct).ConfigureAwait(false);
                    Check(now, now.StockSegments > 0 ? await RemainingOfAsync(db, updated.Id, ct).ConfigureAwait(false) : now.Remaining);
                    throw new StaleReadException($"Template '{updated.Id}'");
                }

                // The version matched, so the total read above is the one replaced: move the difference in the segments. A
                // decrease takes only stock not claimed yet; if concurrent claims left less than that, it is refused (rolled back).
                var change = total - current.TotalInventory;
                if (segmented && change > 0)
                {
                    await AddToSegmentsAsync(db, updated.Id, current.StockSegments, change, ct).ConfigureAwait(false);
                }
                else if (segmented && change < 0)
                {
                    var taken = await TakeManyAsync(db, updated.Id, current.StockSegments, -change, ct).ConfigureAwait(false);
                    if (taken < -change)
                    {
                        var left = await RemainingOfAsync(db, updated.Id, ct).ConfigureAwait(false) + taken;
                        Check(current, left);
                        throw new StaleReadException($"Template '{updated.Id}'");
                    }
                }

                await EnqueueAsync(db, events, ct).ConfigureAwait(false);
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);

        void Check(TemplateRow row, int remaining)
        {
            if (row.Version != expectedVersion)
            {
                throw new ConcurrencyConflictException($"Template '{updated.Id}'");
            }

            var issued = row.TotalInventory - remaining;
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
                // The template's counter plus its segments, in one statement.
                var row = await db.Set<TemplateRow>().AsNoTracking()
                    .Where(t => t.Id == templateId)
                    .Select(t => new { t.TotalInventory, Remaining = t.Remaining + db.Set<StockSegmentRow>().Where(s => s.TemplateId == t.Id).Sum(s => s.Remaining) })
                    .FirstOrDefaultAsync(ct)
                    .ConfigureAwait(false);
                return row is null ? null : new TemplateStock(row.TotalInventory, row.TotalInventory - row.Remaining);
            },
            cancellationToken);
}
