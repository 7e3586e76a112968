using CouponKit.Issuance;
using CouponKit.Issuance.Gated;
using CouponKit.Ports;
using CouponKit.Redis.Internal;
using CouponKit.Redis.Telemetry;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CouponKit.Redis;

/// <summary>
/// Loads the claim gate in Redis from the database (warm-up) and keeps it in line (reconciliation). The expected state of a
/// template's gate is: stock = the database's remaining inventory − the claims in flight; holders = the database's holders
/// plus each in-flight claim's user; reserved claim keys = those with a coupon in the database or in flight. A claim is in
/// flight while it is pending (<see cref="IPendingClaimStore"/>), not in the database and younger than
/// <see cref="RedisCouponKitOptions.InFlightTimeout"/>.
/// </summary>
/// <remarks>
/// <para>
/// Reconciliation reports each difference (<see cref="GateDrift"/>: logged at warning level, counted in
/// <c>couponkit.redis.reconcile.drift</c>) and repairs it in one <c>MULTI</c>/<c>EXEC</c> that only commits if the gate's
/// stock and key count did not change since they were read (reservations racing the repair make it try again, up to three
/// times; then the report says it did not repair). The database stays the authority: a gate that drifts can refuse a sale
/// the database would allow, or let through a claim the database then refuses (and the reservation is given back), never
/// issue without a database record.
/// </para>
/// <para>
/// A claim accepted between the reads of the gate and of the pending claims (microseconds) can be taken for an orphan and its
/// reservation freed; the database still decides that claim, and the next reconciliation corrects the counts. Run it after a
/// sale, on a schedule, or after Redis was restarted.
/// </para>
/// </remarks>
public sealed class RedisGateReconciler
{
    private const int MaxAttempts = 3;
    private const int Batch = 1000;
    private readonly RedisConnection _connection;
    private readonly ITemplateStore _templates;
    private readonly ICouponStore _coupons;
    private readonly IClaimHolderSource _holders;
    private readonly IPendingClaimStore _pending;
    private readonly TimeProvider _time;
    private readonly TimeSpan _inFlightTimeout;

    internal RedisGateReconciler(RedisConnection connection, ITemplateStore templates, ICouponStore coupons, IClaimHolderSource holders, IPendingClaimStore pending, TimeProvider time, IOptions<RedisCouponKitOptions> options)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
        _templates = templates ?? throw new ArgumentNullException(nameof(templates));
        _coupons = coupons ?? throw new ArgumentNullException(nameof(coupons));
        _holders = holders ?? throw new ArgumentNullException(nameof(holders));
        _pending = pending ?? throw new ArgumentNullException(nameof(pending));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _inFlightTimeout = (options ?? throw new ArgumentNullException(nameof(options))).Value.InFlightTimeout;
    }

    /// <summary>Loads a template's gate from the database (replacing whatever Redis held), keeping the claims in flight.</summary>
    /// <param name="templateId">The template.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What Redis held compared with the database (a cold gate reports one <see cref="StockDrift"/> with no Redis stock).</returns>
    /// <exception cref="TemplateNotFoundException">The template does not exist.</exception>
    /// <exception cref="CouponKitRedisException">Redis failed.</exception>
    /// <exception cref="InvalidOperationException">No <see cref="IClaimHolderSource"/> for the database store is registered.</exception>
    public Task<GateReconciliationReport> WarmUpAsync(string templateId, CancellationToken cancellationToken = default) =>
        RunAsync(templateId, replace: true, cancellationToken);

    /// <summary>Compares a template's gate with the database and repairs every difference.</summary>
    /// <param name="templateId">The template.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The differences, and whether they were repaired.</returns>
    /// <exception cref="TemplateNotFoundException">The template does not exist.</exception>
    /// <exception cref="CouponKitRedisException">Redis failed.</exception>
    /// <exception cref="InvalidOperationException">No <see cref="IClaimHolderSource"/> for the database store is registered.</exception>
    public Task<GateReconciliationReport> ReconcileAsync(string templateId, CancellationToken cancellationToken = default) =>
        RunAsync(templateId, replace: false, cancellationToken);

    private async Task<GateReconciliationReport> RunAsync(string templateId, bool replace, CancellationToken cancellationToken)
    {
        Guard(templateId);
        if (_holders is InMemoryClaimHolderSource && _templates is not CouponKit.InMemory.InMemoryCouponKitStore)
        {
            // The in-memory holders know nothing of a database store: loading the gate from them would forget every holder.
            throw new InvalidOperationException(
                "The claim gate cannot be warmed up or reconciled: IClaimHolderSource is the in-memory one while the templates are in another store. Register an IClaimHolderSource for your database.");
        }

        for (var attempt = 1; ; attempt++)
        {
            var (report, committed) = await RunOnceAsync(templateId, replace, cancellationToken).ConfigureAwait(false);
            if (committed || attempt == MaxAttempts)
            {
                foreach (var drift in report.Differences)
                {
                    LogDrift(drift);
                }

                Log.GateReconciled(_connection.Logger, templateId, report.Differences.Count, report.Repaired, report.InFlight);
                return report;
            }

            Log.GateReconcileRetry(_connection.Logger, templateId, attempt);
        }
    }

    private async Task<(GateReconciliationReport Report, bool Committed)> RunOnceAsync(string templateId, bool replace, CancellationToken cancellationToken)
    {
        var keys = RedisKeys.Gate(_connection.KeyPrefix, templateId);
        var differences = new List<GateDrift>();

        // 1. Redis first: everything reserved before this read is pending or in the database by the time those are read.
        var (stockValue, users, reserved) = await _connection.RunAsync("claim-gate.reconcile", async db =>
        {
            var stock = db.StringGetAsync(keys[0]);
            var hash = db.HashGetAllAsync(keys[1]);
            var members = db.SetMembersAsync(keys[2]);
            await Task.WhenAll(stock, hash, members).ConfigureAwait(false);
            return (stock.Result, hash.Result, members.Result);
        }).ConfigureAwait(false);

        // 2. The database and the claims in flight.
        var stockRow = await _templates.GetStockAsync(templateId, cancellationToken).ConfigureAwait(false) ?? throw new TemplateNotFoundException(templateId);
        var holders = await _holders.CountHoldersAsync(templateId, cancellationToken).ConfigureAwait(false);
        var pending = await _pending.ListPendingAsync(templateId, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var inFlight = new Dictionary<string, PendingClaim>(StringComparer.Ordinal);
        foreach (var claim in pending)
        {
            if (await _coupons.FindByClaimKeyAsync(claim.ClaimKey, cancellationToken).ConfigureAwait(false) is not null)
            {
                await _pending.TrySettleAsync(claim.ClaimKey, PendingClaimState.Issued, null, cancellationToken).ConfigureAwait(false);
            }
            else if (now - claim.AcceptedAt > _inFlightTimeout)
            {
                await _pending.TrySettleAsync(claim.ClaimKey, PendingClaimState.Failed, null, cancellationToken).ConfigureAwait(false);
                differences.Add(new AbandonedClaim(templateId, claim.ClaimKey, claim.AcceptedAt));
            }
            else
            {
                inFlight[claim.ClaimKey] = claim;
            }
        }

        // 3. Expected state.
        var expectedStock = Math.Max(0, stockRow.Remaining - inFlight.Count);
        var expectedUsers = new Dictionary<string, int>(holders, StringComparer.Ordinal);
        foreach (var claim in inFlight.Values)
        {
            expectedUsers[claim.UserId] = expectedUsers.GetValueOrDefault(claim.UserId) + 1;
        }

        int? redisStock = stockValue.IsNull ? null : (int)stockValue;
        if (redisStock != expectedStock)
        {
            differences.Add(new StockDrift(templateId, redisStock, expectedStock));
        }

        var redisUsers = users.ToDictionary(e => (string)e.Name!, e => (int)e.Value, StringComparer.Ordinal);
        foreach (var user in redisUsers.Keys.Union(expectedUsers.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var have = redisUsers.GetValueOrDefault(user);
            var want = expectedUsers.GetValueOrDefault(user);
            if (have != want)
            {
                differences.Add(new HolderDrift(templateId, user, have, want));
            }
        }

        var orphans = new List<RedisValue>();
        if (!replace)
        {
            foreach (var member in reserved)
            {
                var key = (string)member!;
                if (!inFlight.ContainsKey(key) && await _coupons.FindByClaimKeyAsync(key, cancellationToken).ConfigureAwait(false) is null)
                {
                    orphans.Add(member);
                    differences.Add(new OrphanReservation(templateId, key));
                }
            }
        }

        if (differences.Count == 0 && !replace)
        {
            return (new GateReconciliationReport(templateId, stockRow.Remaining, inFlight.Count, expectedStock, differences, Repaired: true), true);
        }

        // 4. Repair in one transaction, only if the gate did not move since step 1.
        var committed = await _connection.RunAsync("claim-gate.reconcile", async db =>
        {
            var tx = db.CreateTransaction();
            tx.AddCondition(stockValue.IsNull ? Condition.KeyNotExists(keys[0]) : Condition.StringEqual(keys[0], stockValue));
            tx.AddCondition(Condition.SetLengthEqual(keys[2], reserved.Length));
            var writes = new List<Task>();
            if (replace)
            {
                writes.Add(tx.KeyDeleteAsync(keys[1..]));
                var entries = expectedUsers.Where(u => u.Value > 0).Select(u => new HashEntry(u.Key, u.Value)).ToArray();
                for (var i = 0; i < entries.Length; i += Batch)
                {
                    writes.Add(tx.HashSetAsync(keys[1], entries.AsSpan(i, Math.Min(Batch, entries.Length - i)).ToArray()));
                }
            }
            else
            {
                foreach (var drift in differences.OfType<HolderDrift>())
                {
                    writes.Add(drift.ExpectedCount > 0
                        ? tx.HashSetAsync(keys[1], drift.UserId, drift.ExpectedCount)
                        : tx.HashDeleteAsync(keys[1], drift.UserId));
                }

                if (orphans.Count > 0)
                {
                    writes.Add(tx.SetRemoveAsync(keys[2], orphans.ToArray()));
                }
            }

            if (inFlight.Count > 0)
            {
                writes.Add(tx.SetAddAsync(keys[2], inFlight.Keys.Select(k => (RedisValue)k).ToArray()));
            }

            writes.Add(tx.StringSetAsync(keys[0], expectedStock));
            var ok = await tx.ExecuteAsync().ConfigureAwait(false);
            if (ok)
            {
                await Task.WhenAll(writes).ConfigureAwait(false);
            }

            return ok;
        }).ConfigureAwait(false);
        return (new GateReconciliationReport(templateId, stockRow.Remaining, inFlight.Count, expectedStock, differences, committed), committed);
    }

    private static void Guard(string templateId)
    {
        ArgumentNullException.ThrowIfNull(templateId);
        if (string.IsNullOrWhiteSpace(templateId) || templateId.Length > 128)
        {
            throw new ArgumentException("templateId must be 1 to 128 characters and not blank.", nameof(templateId));
        }
    }

    private void LogDrift(GateDrift drift)
    {
        var logger = _connection.Logger;
        switch (drift)
        {
            case StockDrift s:
                Log.GateDrift(logger, s.TemplateId, "stock", s.RedisStock ?? -1, s.ExpectedStock);
                RedisMetrics.Shared.Drift("stock");
                break;
            case HolderDrift h:
                Log.GateDrift(logger, h.TemplateId, "holder", h.RedisCount, h.ExpectedCount);
                RedisMetrics.Shared.Drift("holder");
                break;
            case OrphanReservation o:
                Log.GateDrift(logger, o.TemplateId, "orphan-reservation", 1, 0);
                RedisMetrics.Shared.Drift("orphan-reservation");
                break;
            case AbandonedClaim a:
                Log.GateDrift(logger, a.TemplateId, "abandoned-claim", 1, 0);
                RedisMetrics.Shared.Drift("abandoned-claim");
                break;
        }
    }
}
