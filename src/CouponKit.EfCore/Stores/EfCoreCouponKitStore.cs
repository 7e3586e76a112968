using System.Data.Common;
using System.Security.Cryptography;
using CouponKit.EfCore.Model;
using CouponKit.EfCore.Telemetry;
using CouponKit.Issuance;
using CouponKit.Ports;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CouponKit.EfCore.Stores;

/// <summary>
/// Every store port of the core on Entity Framework Core, with the semantics of <c>InMemoryCouponKitStore</c>. Each operation
/// uses one short-lived context from the factory and one transaction; a transient error or a unique-index conflict with a
/// concurrent writer rolls it back and starts it again (bounded, with backoff); what still fails surfaces as a
/// <see cref="CouponKitStoreException"/>. Provider-neutral (LINQ, <c>ExecuteUpdate</c> and <c>SaveChanges</c>), except where
/// PostgreSQL offers what the portable path cannot: the outbox lease with <c>FOR UPDATE SKIP LOCKED</c>.
/// </summary>
/// <typeparam name="TContext">The shop's context, with <c>ApplyCouponKit()</c> in its model.</typeparam>
internal sealed partial class EfCoreCouponKitStore<TContext>
    where TContext : DbContext
{
    private readonly IDbContextFactory<TContext> _factory;
    private readonly TimeProvider _time;
    private readonly EfCoreCouponKitOptions _options;
    private readonly ILogger _logger;
    private readonly ClaimBatcher? _claimBatcher;
    private readonly ReadCoalescer<CouponTemplate?> _templateReads;
    private PostgresStatements? _postgres;
    private int _provider; // 0: not known yet, 1: PostgreSQL, 2: another provider

    public EfCoreCouponKitStore(IDbContextFactory<TContext> factory, TimeProvider time, IOptions<EfCoreCouponKitOptions> options, ILogger<EfCoreCouponKitStore<TContext>>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        _factory = factory;
        _time = time;
        _options = options.Value;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _templateReads = new ReadCoalescer<CouponTemplate?>(ReadTemplateAsync);
        _claimBatcher = _options.ClaimBatchSize > 1 ? new ClaimBatcher(WriteClaimBatchAsync, _options.ClaimBatchSize, _options.ClaimBatchWriters) : null;
    }

    /// <summary>Runs a read without a transaction, mapping database errors.</summary>
    private Task<T> ReadAsync<T>(string operation, Func<TContext, CancellationToken, Task<T>> body, CancellationToken cancellationToken) =>
        RunAsync(operation, transactional: false, body, cancellationToken);

    /// <summary>
    /// Runs a body of one write statement (<c>ExecuteUpdate</c>, or PostgreSQL's one-statement lease) without an explicit
    /// transaction: the statement is atomic on its own, which saves the round trips of <c>BEGIN</c> and <c>COMMIT</c>.
    /// </summary>
    private Task<T> StatementAsync<T>(string operation, Func<TContext, CancellationToken, Task<T>> body, CancellationToken cancellationToken) =>
        RunAsync(operation, transactional: false, body, cancellationToken);

    /// <summary>Runs <paramref name="body"/> in a transaction, committing on success; retries conflicts and transient errors.</summary>
    private Task<T> WriteAsync<T>(string operation, Func<TContext, CancellationToken, Task<T>> body, CancellationToken cancellationToken) =>
        RunAsync(operation, transactional: true, body, cancellationToken);

    /// <summary>
    /// Runs <paramref name="answerFirst"/>, a read without a transaction, and only when it has no answer runs
    /// <paramref name="body"/> in a transaction: the cheap refusals cost one statement and no <c>BEGIN</c>/<c>COMMIT</c>.
    /// </summary>
    private Task<T> WriteAsync<T>(string operation, Func<TContext, CancellationToken, Task<T?>> answerFirst, Func<TContext, CancellationToken, Task<T>> body, CancellationToken cancellationToken)
        where T : class =>
        RunAsync(operation, transactional: true, body, cancellationToken, answerFirst);

    /// <summary>
    /// Runs <paramref name="body"/> in a transaction whose reads are one snapshot (REPEATABLE READ on PostgreSQL, where each
    /// statement of a READ COMMITTED transaction sees its own): for bodies that plan from several reads, like the TCC steps
    /// (records, then coupons). A write that meets a row changed since the snapshot fails with a serialization error (40001),
    /// and the operation runs again from fresh reads. SQLite transactions read one snapshot anyway.
    /// </summary>
    private Task<T> SnapshotWriteAsync<T>(string operation, Func<TContext, CancellationToken, Task<T>> body, CancellationToken cancellationToken) =>
        RunAsync(operation, transactional: true, body, cancellationToken, snapshot: true);

    private async Task<T> RunAsync<T>(string operation, bool transactional, Func<TContext, CancellationToken, Task<T>> body, CancellationToken cancellationToken, Func<TContext, CancellationToken, Task<T?>>? answerFirst = null, bool snapshot = false)
    {
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var context = await _factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
                await using (context.ConfigureAwait(false))
                {
                    if (!transactional)
                    {
                        return await body(context, cancellationToken).ConfigureAwait(false);
                    }

                    if (answerFirst is not null && await answerFirst(context, cancellationToken).ConfigureAwait(false) is { } answer)
                    {
                        return answer;
                    }

                    var transaction = snapshot && IsPostgres(context)
                        ? await context.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false)
                        : await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                    await using (transaction.ConfigureAwait(false))
                    {
                        var result = await body(context, cancellationToken).ConfigureAwait(false);
                        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                        return result;
                    }
                }
            }
            catch (StaleReadException ex) when (!cancellationToken.IsCancellationRequested)
            {
                if (attempt >= _options.MaxAttempts)
                {
                    throw new ConcurrencyConflictException(ex.What);
                }

                Log.StoreRetry(_logger, ex, operation, attempt);
                await Task.Delay(Backoff(attempt), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsDatabaseError(ex) && !cancellationToken.IsCancellationRequested)
            {
                if (IsPermanent(ex, out var sqlState))
                {
                    Log.StoreFailedPermanently(_logger, ex, operation, sqlState);
                    throw new CouponKitStoreException(operation, $"the database refused it (SQLSTATE {sqlState}, not retried): {ex.GetBaseException().Message}", Unwrap(ex));
                }

                if (attempt >= _options.MaxAttempts)
                {
                    Log.StoreFailed(_logger, ex, operation, attempt);
                    throw new CouponKitStoreException(operation, $"the database refused it after {attempt} attempt(s): {ex.GetBaseException().Message}", Unwrap(ex));
                }

                Log.StoreRetry(_logger, ex, operation, attempt);
                await Task.Delay(Backoff(attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Errors that a fresh attempt may not meet again: any provider exception (a SQLite busy or locked database, a dropped
    /// connection, a serialization failure) and any failed <c>SaveChanges</c> (a unique index hit by a concurrent writer, which
    /// the next attempt reads and reports as a replay, a limit or an already-done step).
    /// </summary>
    private static bool IsDatabaseError(Exception ex) =>
        ex is DbUpdateException or DbException or TimeoutException
        || (ex is InvalidOperationException && ex.InnerException is DbException or DbUpdateException);

    /// <summary>
    /// The provider's own exception when EF Core wrapped it in an <see cref="InvalidOperationException"/> (Npgsql's execution
    /// strategy does, for transient errors), so that the store exception's inner exception is the database's error.
    /// </summary>
    private static Exception Unwrap(Exception ex) => ex switch
    {
        InvalidOperationException { InnerException: DbException inner } => inner,
        InvalidOperationException { InnerException: DbUpdateException { InnerException: DbException inner } } => inner,
        _ => ex,
    };

    /// <summary>
    /// Errors that every attempt would meet again, known by their SQLSTATE (PostgreSQL and other providers that report one;
    /// SQLite does not): a missing table or column and other statement errors (class 42), a missing database (3D), refused
    /// credentials (28), data that does not fit its column (22). They are reported at once. Everything else a database raises is
    /// retried: serialization failures (40001) and deadlocks (40P01), unique violations with a concurrent writer (23505),
    /// lost connections (class 08, 57P01-57P03), too many connections (53300).
    /// </summary>
    private static bool IsPermanent(Exception ex, out string? sqlState)
    {
        sqlState = null;
        for (var inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is DbException { SqlState: { Length: 5 } state })
            {
                sqlState = state;
                return state.StartsWith("42", StringComparison.Ordinal)
                    || state.StartsWith("3D", StringComparison.Ordinal)
                    || state.StartsWith("28", StringComparison.Ordinal)
                    || state.StartsWith("22", StringComparison.Ordinal);
            }
        }

        return false;
    }

    /// <summary>
    /// The answers of a claim that writes nothing, from one read without a transaction (one statement, so one snapshot), before
    /// <see cref="IssueAsync"/> starts its transaction: after its own key was not
    /// used, a user at the per-user limit is told <see cref="IssueStatus.LimitReached"/>, and a template with no stock left
    /// (its counter and its segments) <see cref="IssueStatus.SoldOut"/>. Once a flash sale is sold out, most claims end here
    /// instead of reading and writing row by row. <see langword="null"/> when the claim must go on: an unknown template, a used
    /// key (replay or conflict), or stock left. Stock only comes back through a template update, so a read that saw none
    /// answers as the claim would have at that moment.
    /// </summary>
    private async Task<IssueOutcome?> AnswerFromOneReadAsync(TContext db, IssueCommand command, CancellationToken cancellationToken)
    {
        var coupon = command.Coupon;
        var counted = CountedTowardLimit(db, coupon.TemplateId);
        var probe = await db.Set<TemplateRow>().AsNoTracking()
            .Where(t => t.Id == coupon.TemplateId)
            .Select(t => new
            {
                Remaining = t.Remaining + db.Set<StockSegmentRow>().Where(s => s.TemplateId == t.Id).Sum(s => s.Remaining),
                Used = db.Set<CouponRow>().Any(c => c.ClaimKey == command.ClaimKey),
                Held = counted.Count(c => c.UserId == coupon.UserId),
            })
            .FirstOrDefaultAsync(cancellationToken)
            .ConfigureAwait(false);
        if (probe is null || probe.Used)
        {
            return null;
        }

        if (command.LimitCounts == PerUserLimitCounts.EveryClaim && probe.Held >= command.PerUserLimit)
        {
            return new IssueOutcome(IssueStatus.LimitReached, null);
        }

        if (probe.Remaining > 0)
        {
            return null;
        }

        Log.SoldOut(_logger, coupon.TemplateId);
        return new IssueOutcome(IssueStatus.SoldOut, null);
    }

    /// <summary>Whether the context runs on PostgreSQL (Npgsql), where the store uses a few statements of its own.</summary>
    private static bool IsPostgres(DbContext context) =>
        string.Equals(context.Database.ProviderName, PostgresStatements.ProviderName, StringComparison.Ordinal);

    /// <summary>Whether this store's contexts run on PostgreSQL; known from the first context (creating one opens no connection).</summary>
    private bool IsPostgresStore()
    {
        if (_provider == 0)
        {
            using var context = _factory.CreateDbContext();
            _provider = IsPostgres(context) ? 1 : 2;
        }

        return _provider == 1;
    }

    /// <summary>The PostgreSQL statements, with the table and column names of the context's model (prefix, schema); built once.</summary>
    private PostgresStatements PostgresSql(TContext context) => _postgres ??= PostgresStatements.For(context);

    private TimeSpan Backoff(int attempt)
    {
        var baseTicks = _options.RetryBackoff.Ticks * Math.Pow(2, Math.Min(attempt - 1, 16));
        var capped = Math.Min(baseTicks, _options.MaxRetryBackoff.Ticks);
        var jitter = 0.5 + (RandomNumberGenerator.GetInt32(1000) / 1000.0);
        return TimeSpan.FromTicks((long)(capped * jitter));
    }
}

/// <summary>
/// Raw SQL for PostgreSQL, quoted with the provider's helper from the names in the model, so that a shop's prefix and schema apply.
/// Parameters are positional (<c>{0}</c>, ...), passed to <c>FromSqlRaw</c>; no value is ever spliced into the text.
/// </summary>
internal sealed class PostgresStatements
{
    /// <summary>The provider name of Npgsql's EF Core provider.</summary>
    public const string ProviderName = "Npgsql.EntityFrameworkCore.PostgreSQL";

    private PostgresStatements(string leaseDue)
    {
        LeaseDue = leaseDue;
    }

    /// <summary>
    /// Leases due outbox rows and returns them: {0} the lease end (UTC ticks), {1} the pending status, {2} now (UTC ticks), {3}
    /// the most rows. Rows another transaction holds are skipped, not waited for; a row is due only while it is the oldest pending
    /// row of its key and no earlier pending envelope's key range (compared as <c>COLLATE "C"</c>, the order of
    /// <c>OutboxEnvelope.CompareKeys</c>) holds its key; that check writes the pending status as a literal, so that it matches the
    /// filter of the partial index of pending envelopes (a parameter would not). Under READ COMMITTED a row locked after a concurrent lease committed is checked again on its new version
    /// (leased: not taken twice).
    /// </summary>
    public string LeaseDue { get; }

    public static PostgresStatements For(DbContext context)
    {
        var sql = context.GetService<ISqlGenerationHelper>();
        var entity = context.Model.FindEntityType(typeof(OutboxRow))
            ?? throw new InvalidOperationException($"The context {context.GetType().Name} does not map CouponKit's outbox: call modelBuilder.ApplyCouponKit().");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var outbox = sql.DelimitIdentifier(table.Name, table.Schema);
        string Column(string property) => sql.DelimitIdentifier(entity.FindProperty(property)!.GetColumnName(table)!);
        var sequence = Column(nameof(OutboxRow.Sequence));
        var status = Column(nameof(OutboxRow.Status));
        var key = Column(nameof(OutboxRow.Key));
        var lastKey = Column(nameof(OutboxRow.LastKey));
        var leasedUntil = Column(nameof(OutboxRow.LeasedUntil));
        var attempts = Column(nameof(OutboxRow.Attempts));
        var nextAttemptAt = Column(nameof(OutboxRow.NextAttemptAt));
        return new PostgresStatements(
            $$"""
            UPDATE {{outbox}} AS o SET {{leasedUntil}} = {0}, {{attempts}} = o.{{attempts}} + 1
            FROM (
                SELECT c.{{sequence}} FROM {{outbox}} AS c
                WHERE c.{{status}} = {1} AND c.{{nextAttemptAt}} <= {2} AND c.{{leasedUntil}} <= {2}
                  AND NOT EXISTS (SELECT 1 FROM {{outbox}} AS e WHERE e.{{key}} = c.{{key}} AND e.{{status}} = {1} AND e.{{sequence}} < c.{{sequence}})
                  AND NOT EXISTS (SELECT 1 FROM {{outbox}} AS e WHERE e.{{lastKey}} IS NOT NULL AND e.{{status}} = {{(int)OutboxStatus.Pending}} AND e.{{sequence}} < c.{{sequence}}
                      AND c.{{key}} COLLATE "C" >= e.{{key}} AND c.{{key}} COLLATE "C" <= e.{{lastKey}})
                ORDER BY c.{{sequence}}
                LIMIT {3}
                FOR UPDATE OF c SKIP LOCKED
            ) AS d
            WHERE o.{{sequence}} = d.{{sequence}}
            RETURNING o.*
            """);
    }
}
