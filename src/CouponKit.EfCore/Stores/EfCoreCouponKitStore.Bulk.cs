using CouponKit.Benefits;
using CouponKit.EfCore.Model;
using CouponKit.EfCore.Telemetry;
using CouponKit.Issuance;
using CouponKit.Ports;
using Microsoft.EntityFrameworkCore;

namespace CouponKit.EfCore.Stores;

/// <content>
/// <see cref="IBulkCouponStore"/>: a chunk of push issuance in one transaction. The chunk is decided from three reads (the
/// claim keys already used, the users' coupon counts, the templates), the stock for the whole chunk is taken with conditional
/// decrements capped at what remains, and the rows are written at once: binary COPY on PostgreSQL, batched inserts elsewhere.
/// </content>
internal sealed partial class EfCoreCouponKitStore<TContext> : IBulkCouponStore
{
    /// <summary>The most commands one batch takes (the most users per push chunk).</summary>
    internal const int MaxBatchSize = PushIssuance.MaxChunkSize;

    /// <inheritdoc />
    public Task<IReadOnlyList<IssueOutcome>> IssueBatchAsync(IReadOnlyList<IssueCommand> commands, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commands);
        if (commands.Count > MaxBatchSize)
        {
            throw new ArgumentException($"A batch holds at most {MaxBatchSize} commands, got {commands.Count}.", nameof(commands));
        }

        if (commands.Any(c => c is null))
        {
            throw new ArgumentException("A command is null.", nameof(commands));
        }

        if (commands.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<IssueOutcome>>([]);
        }

        // A batch does not assign issue sequences (split red envelopes): bad input, refused before anything is written.
        if (commands.FirstOrDefault(c => c.AssignSequence) is { } sequenced)
        {
            throw new BenefitNotSupportedException(
                sequenced.Coupon.TemplateId,
                BenefitKind.SplitRedEnvelope,
                "a batch (IBulkCouponStore.IssueBatchAsync) does not assign issue sequences; issue it one claim at a time (ICouponStore.IssueAsync).");
        }

        return WriteAsync<IReadOnlyList<IssueOutcome>>(
            nameof(IBulkCouponStore.IssueBatchAsync),
            async (db, ct) =>
            {
                var outcomes = new IssueOutcome[commands.Count];
                var all = commands.ToArray();

                // A claim key used twice in one batch: the second use must see the first, so the batch is cut before it.
                var start = 0;
                while (start < commands.Count)
                {
                    var keys = new HashSet<string>(StringComparer.Ordinal);
                    var end = start;
                    while (end < commands.Count && keys.Add(commands[end].ClaimKey))
                    {
                        end++;
                    }

                    await IssueRunAsync(db, new ArraySegment<IssueCommand>(all, start, end - start), outcomes.AsMemory(start, end - start), ct).ConfigureAwait(false);
                    start = end;
                }

                return outcomes;
            },
            cancellationToken);
    }

    /// <summary>Issues commands with distinct claim keys, writing their outcomes.</summary>
    private async Task IssueRunAsync(TContext db, IReadOnlyList<IssueCommand> run, Memory<IssueOutcome> outcomes, CancellationToken cancellationToken)
    {
        var keys = run.Select(c => c.ClaimKey).ToArray();
        var templateIds = run.Select(c => c.Coupon.TemplateId).Distinct(StringComparer.Ordinal).ToArray();
        var userIds = run.Select(c => c.Coupon.UserId).Distinct(StringComparer.Ordinal).ToArray();
        var couponIds = run.Select(c => c.Coupon.CouponId).ToArray();

        // Each list goes to the database as one array (PostgreSQL) or JSON (SQLite) parameter, not as thousands of parameters.
        var claimed = await (from claim in db.Set<ClaimRow>()
                             join coupon in db.Set<CouponRow>() on claim.CouponId equals coupon.CouponId
                             where EF.Parameter(keys).Contains(claim.ClaimKey)
                             select new { claim.ClaimKey, claim.UserId, claim.TemplateId, Coupon = coupon })
            .AsNoTracking()
            .ToDictionaryAsync(x => x.ClaimKey, StringComparer.Ordinal, cancellationToken)
            .ConfigureAwait(false);
        var templates = await db.Set<TemplateRow>()
            .Where(t => EF.Parameter(templateIds).Contains(t.Id))
            .Select(t => new { t.Id, t.StockSegments })
            .ToDictionaryAsync(t => t.Id, t => t.StockSegments, StringComparer.Ordinal, cancellationToken)
            .ConfigureAwait(false);
        var held = (await db.Set<CouponRow>()
                .Where(c => EF.Parameter(templateIds).Contains(c.TemplateId) && EF.Parameter(userIds).Contains(c.UserId))
                .GroupBy(c => new { c.TemplateId, c.UserId })
                .Select(g => new { g.Key.TemplateId, g.Key.UserId, Count = g.Count() })
                .ToListAsync(cancellationToken)
                .ConfigureAwait(false))
            .ToDictionary(x => (x.TemplateId, x.UserId), x => x.Count);

        // Bad input changes nothing: checked before anything is written (the transaction rolls back on the exception).
        foreach (var command in run)
        {
            if (!claimed.ContainsKey(command.ClaimKey) && !templates.ContainsKey(command.Coupon.TemplateId))
            {
                throw new TemplateNotFoundException(command.Coupon.TemplateId);
            }
        }

        var fresh = run.Where(c => !claimed.ContainsKey(c.ClaimKey)).Select(c => c.Coupon.CouponId).ToArray();
        if (fresh.Length > 0 && await db.Set<CouponRow>().AnyAsync(c => EF.Parameter(fresh).Contains(c.CouponId), cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException("A coupon id of the batch already exists.");
        }

        // First walk: how many each template would issue with unlimited stock. Then take at most that, and walk again with the
        // stock taken as the cap: both walks agree up to the cap, so exactly the stock taken is issued, to the first claimers.
        var demand = Walk(run, key => claimed.TryGetValue(key, out var c) ? (c.UserId, c.TemplateId, c.Coupon) : null, held, cap: null, outcomes, out _);
        var granted = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (templateId, wanted) in demand)
        {
            granted[templateId] = wanted == 0 ? 0 : await TakeManyAsync(db, templateId, templates[templateId], wanted, cancellationToken).ConfigureAwait(false);
            if (granted[templateId] < wanted)
            {
                Log.SoldOut(_logger, templateId);
            }
        }

        Walk(run, key => claimed.TryGetValue(key, out var c) ? (c.UserId, c.TemplateId, c.Coupon) : null, held, granted, outcomes, out var issued);
        if (issued.Count == 0)
        {
            return;
        }

        if (IsPostgres(db))
        {
            await CopyIssuedAsync(db, run, issued, cancellationToken).ConfigureAwait(false);
            return;
        }

        foreach (var (index, sequence) in issued)
        {
            var coupon = run[index].Coupon;
            db.Set<CouponRow>().Add(ToRow(coupon, sequence));
            db.Set<ClaimRow>().Add(new ClaimRow { ClaimKey = run[index].ClaimKey, CouponId = coupon.CouponId, UserId = coupon.UserId, TemplateId = coupon.TemplateId });
        }

        await EnqueueAsync(db, issued.SelectMany(x => run[x.Index].Events).ToList(), cancellationToken).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        db.ChangeTracker.Clear();
    }

    /// <summary>
    /// Decides each command as <see cref="ICouponStore.IssueAsync"/> would, one after the other: replay or key conflict, limit,
    /// then sold out once a template has issued <paramref name="cap"/> (no cap when <see langword="null"/>).
    /// </summary>
    /// <returns>How many coupons each template issues.</returns>
    private static Dictionary<string, int> Walk(
        IReadOnlyList<IssueCommand> run,
        Func<string, (string UserId, string TemplateId, CouponRow Coupon)?> claimOf,
        Dictionary<(string TemplateId, string UserId), int> heldBefore,
        Dictionary<string, int>? cap,
        Memory<IssueOutcome> outcomes,
        out List<(int Index, int Sequence)> issued)
    {
        var held = new Dictionary<(string TemplateId, string UserId), int>(heldBefore);
        var perTemplate = new Dictionary<string, int>(StringComparer.Ordinal);
        issued = [];
        var span = outcomes.Span;
        for (var i = 0; i < run.Count; i++)
        {
            var command = run[i];
            var coupon = command.Coupon;
            if (claimOf(command.ClaimKey) is { } earlier)
            {
                var same = earlier.UserId == coupon.UserId && earlier.TemplateId == coupon.TemplateId;
                span[i] = same ? new IssueOutcome(IssueStatus.Replayed, ToCoupon(earlier.Coupon)) : new IssueOutcome(IssueStatus.KeyConflict, null);
                continue;
            }

            var key = (coupon.TemplateId, coupon.UserId);
            var count = held.GetValueOrDefault(key);
            var sofar = perTemplate.GetValueOrDefault(coupon.TemplateId);
            if (count >= command.PerUserLimit)
            {
                span[i] = new IssueOutcome(IssueStatus.LimitReached, null);
            }
            else if (cap is not null && sofar >= cap.GetValueOrDefault(coupon.TemplateId))
            {
                span[i] = new IssueOutcome(IssueStatus.SoldOut, null);
            }
            else
            {
                held[key] = count + 1;
                perTemplate[coupon.TemplateId] = sofar + 1;
                issued.Add((i, count + 1));
                span[i] = new IssueOutcome(IssueStatus.Issued, coupon);
            }
        }

        return perTemplate;
    }

    private static CouponRow ToRow(IssuedCoupon coupon, int sequence) => new()
    {
        CouponId = coupon.CouponId,
        TemplateId = coupon.TemplateId,
        UserId = coupon.UserId,
        Sequence = sequence,
        State = (int)coupon.State,
        ValidFrom = coupon.ValidFrom,
        ValidUntil = coupon.ValidUntil,
        ClaimedAt = coupon.ClaimedAt,
        Channel = (int)coupon.Channel,
        OrderId = coupon.OrderId,
        Version = coupon.Version,
        Draw = ToDrawJson(coupon.Draw),
        IssueSequence = coupon.IssueSequence,
        IdentityKey = coupon.IdentityKey,
    };
}
