using System.Runtime.CompilerServices;
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
    /// <summary>
    /// Gets <see cref="EfCoreCouponKitOptions.PushChunksInFlight"/> on PostgreSQL, where each chunk in flight keeps a server
    /// backend busy with its COPY while the client prepares the next; 1 on SQLite, whose writers take turns.
    /// </summary>
    public int ConcurrentBatches => IsPostgresStore() ? _options.PushChunksInFlight : 1;

    /// <summary>The most commands one batch takes (the most users per push chunk).</summary>
    internal const int MaxBatchSize = PushIssuance.MaxChunkSize;

    /// <summary>Whether the next PostgreSQL batch reads claim keys and holdings before its COPY (set after a refused row).</summary>
    private volatile bool _bulkReadsFirst;

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

        // First COPY straight into the tables; once a unique index refuses a row, every later attempt goes through staging.
        var useStaging = new StrongBox<bool>(false);
        var stockFirst = new StrongBox<bool>(false);
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

                    await IssueRunAsync(db, new ArraySegment<IssueCommand>(all, start, end - start), outcomes.AsMemory(start, end - start), useStaging, stockFirst, firstRun: start == 0, ct).ConfigureAwait(false);
                    start = end;
                }

                return outcomes;
            },
            cancellationToken);
    }

    /// <summary>
    /// Issues commands with distinct claim keys, writing their outcomes. On PostgreSQL the rows are copied straight into the
    /// tables (<see cref="CopyIssuedDirectAsync"/>); a push chunk of new users (the common case) then skips the reads of claim
    /// keys and holdings too, since the unique indexes refuse any row those reads would have found. Once a unique index refuses
    /// a row, the transaction is rolled back and the chunk is decided again from full reads and written through staging tables.
    /// </summary>
    private async Task IssueRunAsync(TContext db, IReadOnlyList<IssueCommand> run, Memory<IssueOutcome> outcomes, StrongBox<bool> useStaging, StrongBox<bool> stockFirst, bool firstRun, CancellationToken cancellationToken)
    {
        var keys = run.Select(c => c.ClaimKey).ToArray();
        var templateIds = run.Select(c => c.Coupon.TemplateId).Distinct(StringComparer.Ordinal).ToArray();

        // Each list goes to the database as one array (PostgreSQL) or JSON (SQLite) parameter, not as thousands of parameters.
        var templates = await db.Set<TemplateRow>()
            .Where(t => EF.Parameter(templateIds).Contains(t.Id))
            .Select(t => new { t.Id, t.StockSegments })
            .ToDictionaryAsync(t => t.Id, t => t.StockSegments, StringComparer.Ordinal, cancellationToken)
            .ConfigureAwait(false);
        var postgres = IsPostgres(db);
        var direct = postgres && !useStaging.Value;

        // Optimistic: no claim key of the run used and no user holding the template. A later run of the same batch reuses a
        // key of an earlier one (so it reads), and after a refused row the next batches read first until one finds nothing.
        var optimistic = direct && firstRun && !_bulkReadsFirst && templateIds.All(templates.ContainsKey);
        Dictionary<string, CouponRow> claimed;
        Dictionary<(string TemplateId, string UserId), int> held;
        if (optimistic)
        {
            claimed = new(StringComparer.Ordinal);
            held = [];
        }
        else
        {
            claimed = await ClaimedByKeysAsync(db, keys, cancellationToken).ConfigureAwait(false);
            held = await HeldByAsync(db, run, cancellationToken).ConfigureAwait(false);
            if (direct && firstRun)
            {
                _bulkReadsFirst = claimed.Count > 0 || held.Count > 0;
            }
        }

        // Bad input changes nothing: checked before anything is written (the transaction rolls back on the exception).
        foreach (var command in run)
        {
            if (!claimed.ContainsKey(command.ClaimKey) && !templates.ContainsKey(command.Coupon.TemplateId))
            {
                throw new TemplateNotFoundException(command.Coupon.TemplateId);
            }
        }

        // The direct COPY needs no look-up of the new coupon ids either: a used one breaks the primary key, and the staging attempt
        // that follows finds it here.
        var fresh = direct ? [] : run.Where(c => !claimed.ContainsKey(c.ClaimKey)).Select(c => c.Coupon.CouponId).ToArray();
        if (fresh.Length > 0 && await db.Set<CouponRow>().AnyAsync(c => EF.Parameter(fresh).Contains(c.CouponId), cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException("A coupon id of the batch already exists.");
        }

        // First walk: how many each template would issue with unlimited stock. Then take at most that, and walk again with the
        // stock taken as the cap: both walks agree up to the cap, so exactly the stock taken is issued, to the first claimers.
        // (The direct COPY with the stock taken last copies what the first walk issued and then takes exactly that much.)
        var demand = Walk(run, key => claimed.GetValueOrDefault(key), held, cap: null, outcomes, out var uncapped);
        if (direct && !stockFirst.Value)
        {
            await IssueDirectStockLastAsync(db, run, templates, demand, uncapped, useStaging, stockFirst, cancellationToken).ConfigureAwait(false);
            return;
        }

        var granted = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (templateId, wanted) in demand)
        {
            granted[templateId] = wanted == 0 ? 0 : await TakeManyAsync(db, templateId, templates[templateId], wanted, cancellationToken).ConfigureAwait(false);
            if (granted[templateId] < wanted)
            {
                Log.SoldOut(_logger, templateId);
            }
        }

        Walk(run, key => claimed.GetValueOrDefault(key), held, granted, outcomes, out var issued);
        if (issued.Count == 0)
        {
            return;
        }

        if (direct)
        {
            await CopyDirectOrSwitchToStagingAsync(db, run, issued, useStaging, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (postgres)
        {
            await CopyIssuedAsync(db, run, issued, cancellationToken).ConfigureAwait(false);
            return;
        }

        foreach (var (index, sequence) in issued)
        {
            db.Set<CouponRow>().Add(ToRow(run[index].Coupon, sequence, run[index].ClaimKey));
        }

        await EnqueueBatchEventsAsync(db, run, issued, cancellationToken).ConfigureAwait(false);
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
        Func<string, CouponRow?> claimOf,
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
                span[i] = same ? new IssueOutcome(IssueStatus.Replayed, ToCoupon(earlier)) : new IssueOutcome(IssueStatus.KeyConflict, null);
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

    private static CouponRow ToRow(IssuedCoupon coupon, int sequence, string claimKey) => new()
    {
        ClaimKey = claimKey,
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

    /// <summary>
    /// The direct COPY with the stock taken last: the run's coupons are decided as if the stock covered them all (the walk
    /// without a cap gave <paramref name="issued"/> and the outcomes) and copied,
    /// and only then is each template's stock decremented by what it issued, with one conditional statement. So the template's
    /// row (or segment) is locked from that statement to the commit, not for the whole copy: claims of the template and a push's
    /// other chunk in flight are not held up behind this chunk's COPY. When the stock no longer covers the run, the transaction
    /// rolls back and the run is decided again with the stock taken first (what is left goes to the first users in order).
    /// </summary>
    private async Task IssueDirectStockLastAsync(
        TContext db,
        IReadOnlyList<IssueCommand> run,
        Dictionary<string, int> segmentsOf,
        Dictionary<string, int> demand,
        List<(int Index, int Sequence)> issued,
        StrongBox<bool> useStaging,
        StrongBox<bool> stockFirst,
        CancellationToken cancellationToken)
    {
        if (issued.Count == 0)
        {
            return;
        }

        await CopyDirectOrSwitchToStagingAsync(db, run, issued, useStaging, cancellationToken).ConfigureAwait(false);
        foreach (var (templateId, wanted) in demand.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            if (wanted > 0 && await TakeManyAsync(db, templateId, segmentsOf[templateId], wanted, cancellationToken).ConfigureAwait(false) < wanted)
            {
                stockFirst.Value = true;
                throw new StaleReadException($"Stock of template '{templateId}'");
            }
        }
    }

    /// <summary>
    /// Copies the issued rows straight into the tables; when a unique index refuses one, this attempt and every later one of
    /// the batch go through staging, and the next batches read first.
    /// </summary>
    private async Task CopyDirectOrSwitchToStagingAsync(TContext db, IReadOnlyList<IssueCommand> run, List<(int Index, int Sequence)> issued, StrongBox<bool> useStaging, CancellationToken cancellationToken)
    {
        try
        {
            await CopyIssuedDirectAsync(db, run, issued, cancellationToken).ConfigureAwait(false);
        }
        catch (StaleReadException)
        {
            useStaging.Value = true;
            _bulkReadsFirst = true;
            throw;
        }
    }

    /// <summary>The claim keys among <paramref name="keys"/> already used, each with the coupon it issued (one statement).</summary>
    private static Task<Dictionary<string, CouponRow>> ClaimedByKeysAsync(TContext db, string[] keys, CancellationToken cancellationToken) =>
        db.Set<CouponRow>()
            .Where(c => EF.Parameter(keys).Contains(c.ClaimKey!))
            .AsNoTracking()
            .ToDictionaryAsync(c => c.ClaimKey!, StringComparer.Ordinal, cancellationToken);
}
