using System.Globalization;
using System.Text.RegularExpressions;
using CouponKit.EfCore;
using CouponKit.Issuance;
using CouponKit.LoadTest.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace CouponKit.LoadTest.Modes;

/// <summary>
/// Claims per second through <see cref="CouponClaims"/> on CouponKit.EfCore + PostgreSQL, with 1 and 16 stock segments, next to
/// pgbench running the single-row claim transaction (conditional UPDATE of the stock row + INSERT of a coupon) on the same
/// server in the same run. Then checks that nothing was over-issued, and runs a sell-out burst per setting.
/// </summary>
internal static partial class PgClaimsMode
{
    public const string Name = "pg-claims";
    private const double Target = 5.0;

    public static async Task RunAsync(Args args, Report report)
    {
        var duration = args.Seconds("--duration", 20, 1);
        var warmUp = args.Seconds("--warmup", 15);
        var claimers = args.Int("--claimers", 64, 1, 250);
        var segmentsList = args.Ints("--segments", [1, 16]);
        var stock = args.Int("--stock", 50_000_000, 1, 100_000_000);
        var selloutStock = args.Int("--sellout-stock", 1_000, 0, 1_000_000);
        var selloutLimit = args.Seconds("--sellout-timeout", 45, 1);
        var jobs = args.Int("--pgbench-jobs", 2, 1, 64);
        var prepare = args.Int("--auto-prepare", 64, 0, 1000);
        var batchSize = args.Int("--batch-size", new EfCoreCouponKitOptions().ClaimBatchSize, 1, EfCoreCouponKitOptions.MaxClaimBatchSize);
        var batchWriters = args.Int("--batch-writers", new EfCoreCouponKitOptions().ClaimBatchWriters, 1, 64);
        Action<EfCoreCouponKitOptions> batching = o =>
        {
            o.ClaimBatchSize = batchSize;
            o.ClaimBatchWriters = batchWriters;
        };
        var bin = args.String("--pg-bin", PostgresServer.DefaultBin);
        var statements = args.String("--statements", "false") == "true";
        var existing = args.Int("--existing", 200_000, 0, 10_000_000);
        args.ThrowIfUnknown();

        var loadBefore = Machine.Load();
        await using var server = await PostgresServer.StartAsync(bin, statements).ConfigureAwait(false);
        var pgbenchVersion = await Shell.VersionOfAsync(server.Tool("pgbench")).ConfigureAwait(false);
        await using (var setup = CouponKitOnPostgres.Build(server))
        {
            await CouponKitOnPostgres.EnsureCreatedAsync(setup).ConfigureAwait(false);
        }

        // The baseline's tables: one stock row, coupons keyed by an md5 id (like CouponKit's 32-hex ids).
        await server.PsqlAsync($"""
            CREATE TABLE bench_templates (id int PRIMARY KEY, stock int NOT NULL, remaining int NOT NULL);
            CREATE TABLE bench_coupons (coupon_id text PRIMARY KEY, template_id int NOT NULL, user_id text NOT NULL, claimed_at timestamptz NOT NULL);
            INSERT INTO bench_templates VALUES (1, {stock}, {stock});
            """).ConfigureAwait(false);

        // A shop's database is not empty: both sides start from the same number of coupons already issued (other templates,
        // other users), and from statistics that know it, as autovacuum's ANALYZE keeps them in production. On empty tables
        // the plans cached by prepared statements stay the ones made for empty tables (sequential scans) until autovacuum
        // runs a minute later, which is not what a shop's server does.
        await PrefillAsync(server, existing).ConfigureAwait(false);
        var script = Path.Combine(Path.GetTempPath(), $"couponkit-loadtest-claim-{Environment.ProcessId}.sql");
        await File.WriteAllTextAsync(script, """
            \set uid random(1, 2000000000)
            BEGIN;
            UPDATE bench_templates SET remaining = remaining - 1 WHERE id = 1 AND remaining > 0;
            INSERT INTO bench_coupons (coupon_id, template_id, user_id, claimed_at) VALUES (md5(random()::text || clock_timestamp()::text), 1, 'u' || :uid, now());
            END;

            """).ConfigureAwait(false);

        var rows = new List<IReadOnlyList<string>>();
        var checks = new List<IReadOnlyList<string>>();
        try
        {
            var byStatement = new List<(string Run, string Table)>();
            await server.TakeStatementsAsync().ConfigureAwait(false);
            var first = await PgbenchAsync(server, script, claimers, jobs, duration).ConfigureAwait(false);
            byStatement.Add(("pgbench (before)", await server.TakeStatementsAsync().ConfigureAwait(false)));

            var ck = new List<(int Segments, LoopResult? Result, string Note, string Cpu)>();
            foreach (var segments in segmentsList)
            {
                if (segments != 1 && !StockSegments.IsAvailable)
                {
                    AnsiConsole.MarkupLine($"[yellow]StockSegments is not in this build of CouponKit.EfCore: the {segments}-segment run is skipped.[/]");
                    ck.Add((segments, null, "not run: `EfCoreCouponKitOptions.StockSegments` is not in this build", "—"));
                    continue;
                }

                await server.ExecuteAsync("CHECKPOINT").ConfigureAwait(false);
                var (result, check, cpu) = await ClaimRunAsync(server, segments, claimers, stock, warmUp, duration, prepare, batching).ConfigureAwait(false);
                ck.Add((segments, result, check, cpu));
                byStatement.Add(($"CouponKit, {segments} segment(s), warm-up and measured window", await server.TakeStatementsAsync().ConfigureAwait(false)));
            }

            await server.ExecuteAsync("CHECKPOINT").ConfigureAwait(false);
            var second = await PgbenchAsync(server, script, claimers, jobs, duration).ConfigureAwait(false);
            var baseline = Math.Max(first.Tps, second.Tps);
            rows.Add(BaselineRow("pgbench, single-row claim transaction (before)", first, claimers, first.Tps >= second.Tps));
            rows.Add(BaselineRow("pgbench, single-row claim transaction (after)", second, claimers, first.Tps < second.Tps));
            var baselineCount = await server.ScalarAsync<long>("SELECT count(*) FROM bench_coupons WHERE template_id = 1").ConfigureAwait(false);
            var baselineTaken = await server.ScalarAsync<long>("SELECT stock - remaining FROM bench_templates WHERE id = 1").ConfigureAwait(false);
            checks.Add(["pgbench baseline (both runs)", N(baselineTaken), baselineCount == baselineTaken && baselineTaken <= stock ? $"0 over-issued: {N(baselineCount)} coupon rows = {N(baselineTaken)} stock taken" : $"**CHECK FAILED**: {N(baselineCount)} coupon rows, {N(baselineTaken)} stock taken"]);

            foreach (var (segments, result, note, cpu) in ck)
            {
                if (result is null)
                {
                    rows.Add([$"CouponKit `CouponClaims`, {segments} stock segments", "—", "—", "—", "—", "—", note]);
                    continue;
                }

                var ratio = result.PerSecond / baseline;
                rows.Add([
                    $"CouponKit `CouponClaims`, {segments} stock segment{(segments == 1 ? string.Empty : "s")}",
                    N(result.PerSecond),
                    $"{Ms(result.P50)} / {Ms(result.P99)}",
                    Report.Ratio(ratio),
                    N(result.Completed),
                    cpu,
                    Outcomes(result) + (segments == segmentsList.Max() ? $"; target ≥ {Target}x: {Report.Verdict(ratio >= Target)}" : string.Empty),
                ]);
                checks.Add([$"CouponKit, {segments} segment(s)", N(result.Outcome("issued")), note]);
            }

            // A sell-out burst per setting: far more attempts than stock, all at once; exactly the stock must be issued.
            var sellouts = new List<IReadOnlyList<string>>();
            if (selloutStock > 0)
            {
                foreach (var segments in segmentsList.Where(s => s == 1 || StockSegments.IsAvailable))
                {
                    sellouts.Add(await SelloutAsync(server, segments, claimers, selloutStock, selloutLimit, prepare, batching).ConfigureAwait(false));
                }
            }

            report.Heading($"Claims on PostgreSQL (`{Name}`), {Report.Now()}");
            report.Bullets([
                $"Server: PostgreSQL {server.Version} (throwaway cluster on 127.0.0.1), settings: {string.Join(", ", server.Settings.Select(s => $"`{s.Name}={s.Value}`"))}. Durability left on: every commit waits for fsync of the WAL.",
                $"Baseline: `{pgbenchVersion}`, `pgbench -n -M prepared -c {claimers} -j {jobs} -T {Secs(duration)} -f claim.sql`: `BEGIN; UPDATE bench_templates SET remaining = remaining - 1 WHERE id = 1 AND remaining > 0; INSERT INTO bench_coupons (...) VALUES (md5(...), 1, 'u' || :uid, now()); END;` — one hot stock row, a 4-column coupon table with a primary key. Run before and after the CouponKit runs; the ratio is against the better of the two.",
                $"CouponKit: `CouponClaims.ClaimAsync` through `AddCouponKit().UseEntityFrameworkCore<CouponKitDbContext>()` on Npgsql.EntityFrameworkCore.PostgreSQL (pooled context factory), {claimers} concurrent claimers in a closed loop, distinct users, one template with {N(stock)} stock and a limit of 1 per user, {Secs(warmUp)} s warm-up then {Secs(duration)} s measured (after 20 claims one at a time to load the model and pools). Each claim: rate limit (in memory), template read (concurrent reads of one template share a query), then the store's group commit (`ClaimBatchSize` {batchSize}, `ClaimBatchWriters` {batchWriters}) writes it with the claims queued meanwhile in one transaction: per-user counts, claim keys, one conditional decrement by the batch's count, coupons (with their claim keys) + `Issued` outbox rows in two `unnest` inserts. Connection string with Npgsql `Max Auto Prepare={prepare}` (prepared statements, as the baseline's `-M prepared`; 0 = off). CPU per claim: this process, and the server's processes (from `/proc`, ended backends included), over the measured window; for pgbench only the server's.",
                $"Load average (1/5/15 min): {loadBefore} before, {Machine.Load()} after.",
            ]);
            report.Table(["Run", "Claims/s", "p50 / p99 latency", "vs pgbench", "Claims measured", "CPU per claim (client / server)", "Outcomes"], rows, [false, true, true, true, true, true, false]);
            report.Line("Over-issuance check after the runs (warm-up included; rows counted in the database against the stock taken):");
            report.Line();
            report.Table(["Run", "Issued", "Check"], checks, [false, true, false]);
            if (sellouts.Count > 0)
            {
                report.Line($"Sell-out bursts: {claimers} claimers, up to {N(selloutStock * 3.0)} attempts by distinct users on {N(selloutStock)} stock (at most {Secs(selloutLimit)} s); the coupon rows must equal the issued results and never exceed the stock:");
                report.Line();
                report.Table(["Segments", "Attempts", "Issued", "Coupons in DB", "Stock left", "Over-issued", "Attempts/s"], sellouts, [true, true, true, true, true, false, true]);
            }

            foreach (var (run, table) in byStatement.Where(s => s.Table.Length > 0))
            {
                report.Line($"Server time by statement (`pg_stat_statements`), {run}:");
                report.Line();
                report.Line(table);
            }
        }
        finally
        {
            File.Delete(script);
        }
    }

    /// <summary>
    /// Writes <paramref name="count"/> coupons already issued (a template and users no run uses) into CouponKit's coupons (with claim keys) and
    /// into the baseline's coupons, then analyzes every table.
    /// </summary>
    private static async Task PrefillAsync(PostgresServer server, int count)
    {
        if (count > 0)
        {
            await server.ExecuteAsync($"""
                INSERT INTO ck_coupons ("CouponId", "TemplateId", "UserId", "Sequence", "State", "ValidFrom", "ValidUntil", "ClaimedAt", "Channel", "Version", "ClaimKey")
                SELECT md5('existing' || g), 'existing-' || (g % 50), 'x' || lpad(g::text, 10, '0'), 1, 0, 0, 0, 0, 0, 0, 'existing:' || g FROM generate_series(1, {count}) g;
                INSERT INTO bench_coupons (coupon_id, template_id, user_id, claimed_at)
                SELECT md5('existing' || g), 2, 'x' || lpad(g::text, 10, '0'), now() FROM generate_series(1, {count}) g;
                """).ConfigureAwait(false);
        }

        await server.ExecuteAsync("VACUUM ANALYZE").ConfigureAwait(false);
    }

    private static async Task<(LoopResult Result, string Check, string Cpu)> ClaimRunAsync(PostgresServer server, int segments, int claimers, int stock, TimeSpan warmUp, TimeSpan duration, int prepare, Action<EfCoreCouponKitOptions> batching)
    {
        await using var provider = CouponKitOnPostgres.Build(server, segments, connectionString: ConnectionString(server, prepare), store: batching);
        var id = $"claims-s{segments}";
        await CouponKitOnPostgres.CreateActiveTemplateAsync(provider, id, stock).ConfigureAwait(false);
        var claims = provider.GetRequiredService<CouponClaims>();
        CpuSample windowStart = default, windowEnd = default;
        using var batchSizes = new ClaimBatchSizes();
        (long, long) batchesAtStart = default, batchesAtEnd = default;
        var result = await ClosedLoop.RunAsync(
            $"CouponKit claims, {segments} segment(s)",
            claimers,
            warmUp,
            duration,
            async n =>
            {
                var claim = await claims.ClaimAsync(new ClaimRequest
                {
                    TemplateId = id,
                    User = new UserProfile(UserId(n)),
                    IdempotencyKey = $"{id}:{n}",
                }).ConfigureAwait(false);
                return claim.IsIssued ? (claim.IsReplay ? "replayed" : "issued") : claim.Rejection!.Value.ToString();
            },
            prime: 20,
            onWindow: start =>
            {
                if (start)
                {
                    windowStart = CpuSample.Take(server);
                    batchesAtStart = batchSizes.Snapshot();
                }
                else
                {
                    windowEnd = CpuSample.Take(server);
                    batchesAtEnd = batchSizes.Snapshot();
                }
            }).ConfigureAwait(false);
        var cpu = (windowEnd - windowStart).PerOperation(result.Completed) + $"; {ClaimBatchSizes.Mean(batchesAtStart, batchesAtEnd)} claims per commit";
        var check = await CheckAsync(server, provider, id, stock, result.Outcome("issued")).ConfigureAwait(false);
        return (result, check, cpu);
    }

    private static async Task<IReadOnlyList<string>> SelloutAsync(PostgresServer server, int segments, int claimers, int stock, TimeSpan limit, int prepare, Action<EfCoreCouponKitOptions> batching)
    {
        await using var provider = CouponKitOnPostgres.Build(server, segments, connectionString: ConnectionString(server, prepare), store: batching);
        var id = $"sellout-s{segments}";
        await CouponKitOnPostgres.CreateActiveTemplateAsync(provider, id, stock).ConfigureAwait(false);
        var claims = provider.GetRequiredService<CouponClaims>();
        var result = await ClosedLoop.RunAsync(
            $"Sell-out burst, {segments} segment(s)",
            claimers,
            TimeSpan.Zero,
            limit,
            async n =>
            {
                var claim = await claims.ClaimAsync(new ClaimRequest { TemplateId = id, User = new UserProfile(UserId(n)), IdempotencyKey = $"{id}:{n}" }).ConfigureAwait(false);
                return claim.IsIssued ? "issued" : claim.Rejection!.Value.ToString();
            },
            maxOperations: stock * 3L).ConfigureAwait(false);
        var (table, columns) = await CouponKitOnPostgres.TableAsync(provider, "coupons").ConfigureAwait(false);
        var rows = await server.ScalarAsync<long>($"SELECT count(*) FROM \"{table}\" WHERE \"{columns["TemplateId"]}\" = '{id}'").ConfigureAwait(false);
        var left = (await provider.GetRequiredService<CouponTemplates>().GetStockAsync(id).ConfigureAwait(false)).Remaining;
        var issued = result.Outcome("issued");
        var attempts = result.Outcomes.Values.Sum();
        var errors = result.Outcomes.Where(o => o.Key.StartsWith("error:", StringComparison.Ordinal)).Sum(o => o.Value);
        var over = Math.Max(0, rows - stock);
        var consistent = rows == issued && rows <= stock && left == stock - rows && errors == 0;
        var soldOut = left == 0 && rows == stock;
        var verdict = consistent
            ? (soldOut ? "0 (sold out exactly)" : $"0 (not sold out: stopped at the {limit.TotalSeconds:0} s limit)")
            : $"**CHECK FAILED** ({over} over, results {issued}, rows {rows}, left {left}, errors {errors}: {result.FirstError})";
        return [segments.ToString(CultureInfo.InvariantCulture), N(attempts), N(issued), N(rows), N(left), verdict, N(attempts / result.Window.TotalSeconds)];
    }

    /// <summary>Coupons in the database = issued results = stock taken, and no more than the stock.</summary>
    private static async Task<string> CheckAsync(PostgresServer server, ServiceProvider provider, string id, int stock, long issued)
    {
        var (table, columns) = await CouponKitOnPostgres.TableAsync(provider, "coupons").ConfigureAwait(false);
        var rows = await server.ScalarAsync<long>($"SELECT count(*) FROM \"{table}\" WHERE \"{columns["TemplateId"]}\" = '{id}'").ConfigureAwait(false);
        var taken = (await provider.GetRequiredService<CouponTemplates>().GetStockAsync(id).ConfigureAwait(false)).Issued;
        return rows == issued && taken == issued && rows <= stock
            ? $"0 over-issued: {N(rows)} coupon rows = {N(taken)} stock taken = issued results"
            : $"**CHECK FAILED**: {N(rows)} coupon rows, {N(taken)} stock taken, {N(issued)} issued results, stock {N(stock)}";
    }

    private static async Task<(double Tps, long Transactions, long Failed, string P50, string Cpu)> PgbenchAsync(PostgresServer server, string script, int clients, int jobs, TimeSpan duration)
    {
        var arguments = new List<string>(server.ClientArguments())
        {
            "-n", "-M", "prepared", "-c", clients.ToString(CultureInfo.InvariantCulture), "-j", jobs.ToString(CultureInfo.InvariantCulture),
            "-T", Secs(duration), "-f", script, "-r", PostgresServer.Database,
        };
        ProcessResult result = null!;
        var cpuBefore = CpuSample.Take(server);
        await AnsiConsole.Status().StartAsync($"pgbench -c {clients} -j {jobs} -T {Secs(duration)} (single-row claim transaction)...", async _ =>
        {
            result = (await Shell.RunAsync(server.Tool("pgbench"), arguments).ConfigureAwait(false)).EnsureSuccess("pgbench");
        }).ConfigureAwait(false);
        var cpu = CpuSample.Take(server) - cpuBefore;
        var tps = double.Parse(TpsPattern().Match(result.Output).Groups[1].Value, CultureInfo.InvariantCulture);
        var processed = long.Parse(ProcessedPattern().Match(result.Output).Groups[1].Value, CultureInfo.InvariantCulture);
        var failedMatch = FailedPattern().Match(result.Output);
        var failed = failedMatch.Success ? long.Parse(failedMatch.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        var latency = LatencyPattern().Match(result.Output);
        AnsiConsole.MarkupLine(Markup.Escape($"pgbench: {tps:N0} tps, {processed:N0} transactions, {failed} failed"));
        return (tps, processed, failed, latency.Success ? latency.Groups[1].Value + " ms avg" : "?", string.Create(CultureInfo.InvariantCulture, $"(pgbench) / {cpu.Server.TotalMicroseconds / Math.Max(processed, 1):0} µs"));
    }

    private static IReadOnlyList<string> BaselineRow(string name, (double Tps, long Transactions, long Failed, string Latency, string Cpu) run, int clients, bool used) =>
        [name, N(run.Tps), run.Latency, used ? "1.00x (baseline)" : "—", N(run.Transactions), run.Cpu, $"{run.Failed} failed; {clients} clients"];

    private static string Outcomes(LoopResult result) =>
        string.Join(", ", result.WindowOutcomes.OrderByDescending(o => o.Value).Select(o => $"{o.Key} {N(o.Value)}"))
        + (result.FirstError is { } e ? $" (first error: {e})" : string.Empty);

    /// <summary>
    /// The application's connection string: with Npgsql's automatic preparation of the statements it runs most (as pgbench's
    /// <c>-M prepared</c> does for the baseline), so the server parses and plans each of CouponKit's statements once per connection.
    /// </summary>
    private static string ConnectionString(PostgresServer server, int prepare) =>
        prepare == 0 ? server.ConnectionString() : server.ConnectionString() + $";Max Auto Prepare={prepare.ToString(CultureInfo.InvariantCulture)};Auto Prepare Min Usages=2";

    private static string UserId(long n) => "u" + n.ToString("D10", CultureInfo.InvariantCulture);

    private static string N(double value) => Report.N(value);

    private static string Ms(TimeSpan t) => t == TimeSpan.Zero ? "—" : t.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture) + " ms";

    private static string Secs(TimeSpan t) => ((int)Math.Ceiling(t.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex TpsPattern();

    [GeneratedRegex(@"number of transactions actually processed: ([0-9]+)")]
    private static partial Regex ProcessedPattern();

    [GeneratedRegex(@"number of failed transactions: ([0-9]+)")]
    private static partial Regex FailedPattern();

    [GeneratedRegex(@"latency average = ([0-9.]+) ms")]
    private static partial Regex LatencyPattern();
}
