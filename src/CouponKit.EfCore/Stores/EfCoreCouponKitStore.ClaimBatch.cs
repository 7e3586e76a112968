using CouponKit.EfCore.Model;
using CouponKit.EfCore.Telemetry;
using CouponKit.Issuance;
using CouponKit.Ports;
using Microsoft.EntityFrameworkCore;

namespace CouponKit.EfCore.Stores;

/// <content>
/// Group commit of claims (<see cref="EfCoreCouponKitOptions.ClaimBatchSize"/>): the claims a <see cref="ClaimBatcher"/> writer
/// took are decided and written in one transaction, each with the outcome it would have had alone, in arrival order.
/// </content>
internal sealed partial class EfCoreCouponKitStore<TContext>
{
    private int _batchSegment;

    /// <summary>
    /// Writes a batch of claims and completes each. The batch runs as one transaction (retried as a whole on a transient error;
    /// after the last attempt every claim fails with the store's error and nothing of the batch is stored). When its insert meets
    /// a concurrent writer on a unique index (a claim key or a user's sequence taken meanwhile), the transaction is rolled back
    /// and its claims run again one at a time, so that one claim's conflict gets its own outcome and not the others'.
    /// </summary>
    internal async Task WriteClaimBatchAsync(IReadOnlyList<PendingClaim> batch)
    {
        EfCoreMetrics.ClaimBatch(batch.Count);
        var commands = batch.Select(c => c.Command).ToArray();
        ClaimAnswer[] answers;
        try
        {
            answers = await WriteAsync(nameof(ICouponStore.IssueAsync), (db, ct) => IssueClaimBatchAsync(db, commands, ct), CancellationToken.None).ConfigureAwait(false);
        }
        catch (ClaimBatchConflictException)
        {
            await Task.WhenAll(batch.Select(async claim =>
            {
                try
                {
                    claim.Complete(await IssueOneAsync(claim.Command, CancellationToken.None).ConfigureAwait(false));
                }
#pragma warning disable CA1031 // The claim's own failure is its outcome.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    claim.Fail(ex);
                }
            })).ConfigureAwait(false);
            return;
        }
#pragma warning disable CA1031 // The batch's failure (after its retries) is each claim's outcome: nothing of the batch was stored.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            foreach (var claim in batch)
            {
                claim.Fail(ex);
            }

            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            if (answers[i].Error is { } error)
            {
                batch[i].Fail(error);
            }
            else
            {
                batch[i].Complete(answers[i].Outcome!);
            }
        }
    }

    /// <summary>
    /// Decides and writes claims with distinct claim keys in the transaction of <paramref name="db"/>: reads what each needs (the
    /// users' counts, then the claim keys, the templates, the coupon ids), decides each in order as a claim alone would, takes the
    /// stock of each template with one conditional decrement, and inserts the coupons (with their claim keys) and outbox rows at once.
    /// </summary>
    private async Task<ClaimAnswer[]> IssueClaimBatchAsync(TContext db, IssueCommand[] claims, CancellationToken cancellationToken)
    {
        var answers = new ClaimAnswer[claims.Length];

        // The counts are read before the claim keys: under READ COMMITTED each statement sees its own snapshot, and a later one
        // sees everything an earlier one saw. So a concurrent claim with one of these keys that a count includes is also found
        // by the key read (a replay, never a false LimitReached); one committed after both reads makes the insert fail (unique
        // index) and the claims run again. On PostgreSQL the four reads go in one round trip, in this order.
        var (held, claimed, segmentsOf, used) = IsPostgres(db)
            ? await ReadClaimBatchOnPostgresAsync(db, claims, cancellationToken).ConfigureAwait(false)
            : await ReadClaimBatchAsync(db, claims, cancellationToken).ConfigureAwait(false);

        // Replays and key conflicts, then bad input, refused per claim before anything is written: an unknown template, a
        // coupon id given twice in the batch (the later claims).
        var inBatch = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < claims.Length; i++)
        {
            var coupon = claims[i].Coupon;
            if (claimed.TryGetValue(claims[i].ClaimKey, out var earlier))
            {
                var same = earlier.UserId == coupon.UserId && earlier.TemplateId == coupon.TemplateId;
                answers[i] = new ClaimAnswer(same ? new IssueOutcome(IssueStatus.Replayed, ToCoupon(earlier)) : new IssueOutcome(IssueStatus.KeyConflict, null), null);
            }
            else if (!segmentsOf.ContainsKey(coupon.TemplateId))
            {
                answers[i] = new ClaimAnswer(null, new TemplateNotFoundException(coupon.TemplateId));
            }
            else if (!inBatch.Add(coupon.CouponId))
            {
                answers[i] = new ClaimAnswer(null, new InvalidOperationException($"Coupon id '{coupon.CouponId}' already exists."));
            }
        }

        // First walk: what each template would issue with unlimited stock. Then take at most that, and walk again with the stock
        // taken as the cap: both walks agree up to the cap, so exactly the stock taken is issued, to the first claimers in order.
        var demand = DecideClaims(claims, answers, held, used, cap: null, out _);
        var granted = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (templateId, wanted) in demand.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            granted[templateId] = wanted == 0 ? 0 : await TakeForClaimsAsync(db, templateId, segmentsOf[templateId], wanted, cancellationToken).ConfigureAwait(false);
            if (granted[templateId] < wanted)
            {
                Log.SoldOut(_logger, templateId);
            }
        }

        DecideClaims(claims, answers, held, used, granted, out var issued);
        if (issued.Count == 0)
        {
            return answers;
        }

        var events = new List<Messaging.OutboxMessage>();
        if (IsPostgres(db))
        {
            foreach (var (index, _) in issued)
            {
                events.AddRange(claims[index].Events);
            }

            try
            {
                await InsertClaimBatchOnPostgresAsync(db, claims, issued, events, cancellationToken).ConfigureAwait(false);
            }
            catch (Npgsql.PostgresException ex) when (ex.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation)
            {
                throw new ClaimBatchConflictException(ex);
            }

            return answers;
        }

        foreach (var (index, sequence) in issued)
        {
            db.Set<CouponRow>().Add(ToRow(claims[index].Coupon, sequence, claims[index].ClaimKey));
            events.AddRange(claims[index].Events);
        }

        await EnqueueAsync(db, events, cancellationToken).ConfigureAwait(false);
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException ex) when (IsUniqueViolation(ex))
        {
            throw new ClaimBatchConflictException(ex);
        }

        return answers;
    }

    /// <summary>
    /// The reads a claim batch decides from, through EF Core (SQLite): the users' counts, the claim keys already used (with
    /// their coupons), the templates' segment counts and the coupon ids already stored, in that order.
    /// </summary>
    private async Task<ClaimBatchReads> ReadClaimBatchAsync(TContext db, IssueCommand[] claims, CancellationToken cancellationToken)
    {
        var held = await HeldByAsync(db, claims, cancellationToken).ConfigureAwait(false);
        var claimed = await ClaimedByKeysAsync(db, claims.Select(c => c.ClaimKey).ToArray(), cancellationToken).ConfigureAwait(false);
        var fresh = claims.Where(c => !claimed.ContainsKey(c.ClaimKey)).ToArray();
        var templateIds = fresh.Select(c => c.Coupon.TemplateId).Distinct(StringComparer.Ordinal).ToArray();
        var couponIds = fresh.Select(c => c.Coupon.CouponId).ToArray();
        var segmentsOf = templateIds.Length == 0
            ? new Dictionary<string, int>(StringComparer.Ordinal)
            : await db.Set<TemplateRow>()
                .Where(t => EF.Parameter(templateIds).Contains(t.Id))
                .Select(t => new { t.Id, t.StockSegments })
                .ToDictionaryAsync(t => t.Id, t => t.StockSegments, StringComparer.Ordinal, cancellationToken)
                .ConfigureAwait(false);
        var used = couponIds.Length == 0
            ? new HashSet<string>(StringComparer.Ordinal)
            : new HashSet<string>(
                await db.Set<CouponRow>().Where(c => EF.Parameter(couponIds).Contains(c.CouponId)).Select(c => c.CouponId).ToListAsync(cancellationToken).ConfigureAwait(false),
                StringComparer.Ordinal);
        return new ClaimBatchReads(held, claimed, segmentsOf, used);
    }

    /// <summary>
    /// Decides the claims without an answer yet, in order, as <see cref="IssueOneAsync"/> would one after the other: the
    /// per-user limit (counting the coupons the batch issued before), then a coupon id already stored (bad input), then sold out once a template has issued its <paramref name="cap"/> (no cap when <see langword="null"/>).
    /// Answers of replays, conflicts and unknown templates stay as they are.
    /// </summary>
    /// <returns>How many coupons each template issues.</returns>
    private static Dictionary<string, int> DecideClaims(
        IssueCommand[] claims,
        ClaimAnswer[] answers,
        Dictionary<(string TemplateId, string UserId), int> heldBefore,
        HashSet<string> usedCouponIds,
        Dictionary<string, int>? cap,
        out List<(int Index, int Sequence)> issued)
    {
        var held = new Dictionary<(string TemplateId, string UserId), int>(heldBefore);
        var perTemplate = new Dictionary<string, int>(StringComparer.Ordinal);
        issued = [];
        for (var i = 0; i < claims.Length; i++)
        {
            if (answers[i].Decided)
            {
                continue;
            }

            var command = claims[i];
            var coupon = command.Coupon;
            var user = (coupon.TemplateId, coupon.UserId);
            var count = held.GetValueOrDefault(user);
            var sofar = perTemplate.GetValueOrDefault(coupon.TemplateId);
            IssueOutcome outcome;
            if (count >= command.PerUserLimit)
            {
                outcome = new IssueOutcome(IssueStatus.LimitReached, null);
            }
            else if (usedCouponIds.Contains(coupon.CouponId))
            {
                if (cap is not null)
                {
                    answers[i] = new ClaimAnswer(null, new InvalidOperationException($"Coupon id '{coupon.CouponId}' already exists."));
                }

                continue;
            }
            else if (cap is not null && sofar >= cap.GetValueOrDefault(coupon.TemplateId))
            {
                outcome = new IssueOutcome(IssueStatus.SoldOut, null);
            }
            else
            {
                held[user] = count + 1;
                perTemplate[coupon.TemplateId] = sofar + 1;
                issued.Add((i, NextSequence(count)));
                outcome = new IssueOutcome(IssueStatus.Issued, coupon);
            }

            if (cap is not null)
            {
                answers[i] = new ClaimAnswer(outcome, null);
            }
        }

        return perTemplate;
    }

    /// <summary>
    /// Takes <paramref name="count"/> coupons' stock for a batch, or what is left: first with one conditional decrement by the
    /// whole count (on the template's row, or on a segment chosen in turn per batch, so that side-by-side batches take from
    /// different rows), and when that row holds less, segment by segment (<see cref="TakeManyAsync"/>). A decrement that matches
    /// no row locks none, so a batch holds at most the one row it took from before it goes on in segment order.
    /// </summary>
    private async Task<int> TakeForClaimsAsync(TContext db, string templateId, int segments, int count, CancellationToken cancellationToken)
    {
        if (segments == 0)
        {
            var affected = await db.Set<TemplateRow>()
                .Where(t => t.Id == templateId && t.Remaining >= count)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.Remaining, t => t.Remaining - count), cancellationToken)
                .ConfigureAwait(false);
            if (affected == 1)
            {
                return count;
            }
        }
        else
        {
            var start = (int)((uint)Interlocked.Increment(ref _batchSegment) % (uint)segments);
            if (await TryTakeAsync(db, templateId, start, count, cancellationToken).ConfigureAwait(false))
            {
                return count;
            }
        }

        return await TakeManyAsync(db, templateId, segments, count, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether an insert failed on a unique index (PostgreSQL's SQLSTATE 23505, SQLite's constraint error): a concurrent writer
    /// took a claim key or a user's sequence. Other failures are retried with the whole batch.
    /// </summary>
    private static bool IsUniqueViolation(DbUpdateException ex) =>
        ex.InnerException switch
        {
            Npgsql.PostgresException postgres => postgres.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation,
            Microsoft.Data.Sqlite.SqliteException sqlite => sqlite.SqliteErrorCode == 19, // SQLITE_CONSTRAINT
            _ => false,
        };

    /// <summary>What a claim batch decides from: the users' counts, the used claim keys, the templates' segment counts, the stored coupon ids.</summary>
    private readonly record struct ClaimBatchReads(
        Dictionary<(string TemplateId, string UserId), int> Held,
        Dictionary<string, CouponRow> Claimed,
        Dictionary<string, int> SegmentsOf,
        HashSet<string> Used);

    /// <summary>A claim's answer in a batch: its outcome, or the error it alone fails with (bad input).</summary>
    private readonly record struct ClaimAnswer(IssueOutcome? Outcome, Exception? Error)
    {
        public bool Decided => Outcome is not null || Error is not null;
    }
}

/// <summary>A claim batch's insert met a concurrent writer (a unique index): its transaction rolled back, its claims run again alone.</summary>
internal sealed class ClaimBatchConflictException(Exception inner) : Exception("A claim batch met a concurrent writer.", inner);
