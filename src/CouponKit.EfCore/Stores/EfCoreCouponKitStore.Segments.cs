using CouponKit.EfCore.Model;
using Microsoft.EntityFrameworkCore;

namespace CouponKit.EfCore.Stores;

/// <content>
/// Stock segments: a hot template's remaining inventory split over several rows, each decremented with one conditional
/// statement (<c>remaining &gt; 0</c>, or <c>remaining &gt;= @n</c> for several at once), never read-modify-write.
/// </content>
internal sealed partial class EfCoreCouponKitStore<TContext>
{
    /// <summary>Splits <paramref name="amount"/> over <paramref name="segments"/> parts that differ by at most one.</summary>
    internal static int[] Split(int amount, int segments)
    {
        var parts = new int[segments];
        for (var i = 0; i < segments; i++)
        {
            parts[i] = (amount / segments) + (i < amount % segments ? 1 : 0);
        }

        return parts;
    }

    /// <summary>The segment a claim starts at: a stable hash (FNV-1a) of its claim key, so that claimers spread over the segments.</summary>
    internal static int StartSegmentOf(string claimKey, int segments)
    {
        var hash = 2166136261u;
        foreach (var c in claimKey)
        {
            hash = unchecked((hash ^ c) * 16777619u);
        }

        return (int)(hash % (uint)segments);
    }

    /// <summary>Adds the segment rows of a new template, its inventory spread evenly over them.</summary>
    private static void AddSegments(TContext db, string templateId, int inventory, int segments)
    {
        var parts = Split(inventory, segments);
        for (var i = 0; i < segments; i++)
        {
            db.Set<StockSegmentRow>().Add(new StockSegmentRow { TemplateId = templateId, Segment = i, Remaining = parts[i] });
        }
    }

    /// <summary>The inventory a template has left: its own counter plus its segments (one statement, one snapshot).</summary>
    private static Task<int> RemainingOfAsync(TContext db, string templateId, CancellationToken cancellationToken) =>
        db.Set<TemplateRow>()
            .Where(t => t.Id == templateId)
            .Select(t => t.Remaining + db.Set<StockSegmentRow>().Where(s => s.TemplateId == t.Id).Sum(s => s.Remaining))
            .FirstAsync(cancellationToken);

    /// <summary>
    /// Takes one coupon's stock from a segmented template: first the segment the claim key hashes to, then, in turn after it,
    /// the segments that still hold stock. <see langword="false"/> only when every segment was empty.
    /// </summary>
    private static async Task<bool> TakeOneFromSegmentsAsync(TContext db, string templateId, int segments, string claimKey, CancellationToken cancellationToken)
    {
        var start = StartSegmentOf(claimKey, segments);
        if (await TryTakeOneAsync(db, templateId, start, cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        while (true)
        {
            var withStock = await SegmentsWithStockAsync(db, templateId, cancellationToken).ConfigureAwait(false);
            if (withStock.Count == 0)
            {
                return false;
            }

            foreach (var segment in withStock.OrderBy(s => (s.Segment - start + segments) % segments))
            {
                if (await TryTakeOneAsync(db, templateId, segment.Segment, cancellationToken).ConfigureAwait(false))
                {
                    return true;
                }
            }

            // Every segment seen with stock was emptied by concurrent claims meanwhile: look again.
        }
    }

    /// <summary>
    /// Takes up to <paramref name="count"/> coupons' stock from a template at once (push issuance), never more than it has:
    /// each step is one conditional decrement by what the row was seen to hold, and a step that finds less (a concurrent claim
    /// got there first) looks again. Segments are taken in segment order, so that two bulk takes lock rows in the same order.
    /// </summary>
    /// <returns>How many were taken: <paramref name="count"/>, or less when the inventory ran out.</returns>
    private static async Task<int> TakeManyAsync(TContext db, string templateId, int segments, int count, CancellationToken cancellationToken)
    {
        var taken = 0;
        while (taken < count)
        {
            if (segments == 0)
            {
                var remaining = await db.Set<TemplateRow>().Where(t => t.Id == templateId).Select(t => t.Remaining).FirstAsync(cancellationToken).ConfigureAwait(false);
                if (remaining <= 0)
                {
                    return taken;
                }

                var step = Math.Min(count - taken, remaining);
                var affected = await db.Set<TemplateRow>()
                    .Where(t => t.Id == templateId && t.Remaining >= step)
                    .ExecuteUpdateAsync(s => s.SetProperty(t => t.Remaining, t => t.Remaining - step), cancellationToken)
                    .ConfigureAwait(false);
                taken += affected == 1 ? step : 0;
                continue;
            }

            var withStock = await SegmentsWithStockAsync(db, templateId, cancellationToken).ConfigureAwait(false);
            if (withStock.Count == 0)
            {
                return taken;
            }

            foreach (var segment in withStock)
            {
                var step = Math.Min(count - taken, segment.Remaining);
                if (step > 0 && await TryTakeAsync(db, templateId, segment.Segment, step, cancellationToken).ConfigureAwait(false))
                {
                    taken += step;
                }
            }
        }

        return taken;
    }

    /// <summary>Spreads an inventory increase evenly over a template's segments.</summary>
    private static async Task AddToSegmentsAsync(TContext db, string templateId, int segments, int increase, CancellationToken cancellationToken)
    {
        var parts = Split(increase, segments);
        for (var i = 0; i < segments; i++)
        {
            var segment = i;
            var part = parts[i];
            if (part > 0)
            {
                await db.Set<StockSegmentRow>()
                    .Where(s => s.TemplateId == templateId && s.Segment == segment)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.Remaining, x => x.Remaining + part), cancellationToken)
                    .ConfigureAwait(false);
            }
        }
    }

    /// <summary>A claim's one conditional decrement of a segment: <c>remaining = remaining - 1 WHERE ... AND remaining &gt; 0</c>.</summary>
    private static async Task<bool> TryTakeOneAsync(TContext db, string templateId, int segment, CancellationToken cancellationToken) =>
        await db.Set<StockSegmentRow>()
            .Where(s => s.TemplateId == templateId && s.Segment == segment && s.Remaining > 0)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Remaining, x => x.Remaining - 1), cancellationToken)
            .ConfigureAwait(false) == 1;

    /// <summary>The conditional decrement of a segment by <paramref name="count"/>, only if it holds that many.</summary>
    private static async Task<bool> TryTakeAsync(TContext db, string templateId, int segment, int count, CancellationToken cancellationToken) =>
        await db.Set<StockSegmentRow>()
            .Where(s => s.TemplateId == templateId && s.Segment == segment && s.Remaining >= count)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Remaining, x => x.Remaining - count), cancellationToken)
            .ConfigureAwait(false) == 1;

    private static Task<List<StockSegmentRow>> SegmentsWithStockAsync(TContext db, string templateId, CancellationToken cancellationToken) =>
        db.Set<StockSegmentRow>().AsNoTracking()
            .Where(s => s.TemplateId == templateId && s.Remaining > 0)
            .OrderBy(s => s.Segment)
            .ToListAsync(cancellationToken);
}
