using System.Data.Common;
using System.Security.Cryptography;
using CouponKit.EfCore.Telemetry;
using CouponKit.Issuance;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CouponKit.EfCore.Stores;

/// <summary>
/// Every store port of the core on Entity Framework Core, with the semantics of <c>InMemoryCouponKitStore</c>. Each operation
/// uses one short-lived context from the factory and one transaction; a transient error or a unique-index conflict with a
/// concurrent writer rolls it back and starts it again (bounded, with backoff); what still fails surfaces as a
/// <see cref="CouponKitStoreException"/>. Provider-neutral: only LINQ, <c>ExecuteUpdate</c> and <c>SaveChanges</c>.
/// </summary>
/// <typeparam name="TContext">The shop's context, with <c>ApplyCouponKit()</c> in its model.</typeparam>
internal sealed partial class EfCoreCouponKitStore<TContext>
    where TContext : DbContext
{
    private readonly IDbContextFactory<TContext> _factory;
    private readonly TimeProvider _time;
    private readonly EfCoreCouponKitOptions _options;
    private readonly ILogger _logger;

    public EfCoreCouponKitStore(IDbContextFactory<TContext> factory, TimeProvider time, IOptions<EfCoreCouponKitOptions> options, ILogger<EfCoreCouponKitStore<TContext>>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        _factory = factory;
        _time = time;
        _options = options.Value;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Runs a read without a transaction, mapping database errors.</summary>
    private Task<T> ReadAsync<T>(string operation, Func<TContext, CancellationToken, Task<T>> body, CancellationToken cancellationToken) =>
        RunAsync(operation, transactional: false, body, cancellationToken);

    /// <summary>Runs <paramref name="body"/> in a transaction, committing on success; retries conflicts and transient errors.</summary>
    private Task<T> WriteAsync<T>(string operation, Func<TContext, CancellationToken, Task<T>> body, CancellationToken cancellationToken) =>
        RunAsync(operation, transactional: true, body, cancellationToken);

    private async Task<T> RunAsync<T>(string operation, bool transactional, Func<TContext, CancellationToken, Task<T>> body, CancellationToken cancellationToken)
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

                    var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
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
                if (attempt >= _options.MaxAttempts)
                {
                    Log.StoreFailed(_logger, ex, operation, attempt);
                    throw new CouponKitStoreException(operation, $"the database refused it after {attempt} attempt(s): {ex.GetBaseException().Message}", ex);
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
        || (ex is InvalidOperationException && ex.InnerException is DbException);

    private TimeSpan Backoff(int attempt)
    {
        var baseTicks = _options.RetryBackoff.Ticks * Math.Pow(2, Math.Min(attempt - 1, 16));
        var capped = Math.Min(baseTicks, _options.MaxRetryBackoff.Ticks);
        var jitter = 0.5 + (RandomNumberGenerator.GetInt32(1000) / 1000.0);
        return TimeSpan.FromTicks((long)(capped * jitter));
    }
}
