using System.Diagnostics;
using System.Globalization;
using System.Text;
using CouponKit.EfCore;
using CouponKit.InMemory;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.LoadTest.Infrastructure;
using CouponKit.Ports;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Spectre.Console;

namespace CouponKit.LoadTest.Modes;

/// <summary>
/// Push issuance of N coupons (1,000,000 by default) through <see cref="PushIssuance"/> on CouponKit.EfCore + PostgreSQL, next
/// to a raw <c>psql \copy</c> of the same N coupon rows from a CSV file, and next to row-by-row INSERTs measured on a sample
/// and extrapolated.
/// </summary>
internal static class PgPushMode
{
    public const string Name = "pg-push";
    private const double CopyTarget = 0.5;
    private const double RowTarget = 20.0;

    /// <summary>
    /// The coupon columns the baselines leave out: NULL for the plain coupons pushed here (benefit and identity columns), and the
    /// claim key, which CouponKit writes on top of the baselines' rows (see the baseline tables).
    /// </summary>
    private static readonly string[] NotInBaseline = ["Draw", "IssueSequence", "IdentityKey", "IdentitySequence", "ClaimKey"];

    /// <summary>The coupon columns, by model property name, in the order they are written.</summary>
    private static readonly string[] CouponProperties = ["CouponId", "TemplateId", "UserId", "Sequence", "State", "ValidFrom", "ValidUntil", "ClaimedAt", "Channel", "OrderId", "Version"];

    public static async Task RunAsync(Args args, Report report)
    {
        var count = args.Int("--count", 1_000_000, 1, 10_000_000);
        var sample = args.Int("--sample", 20_000, 1, 1_000_000);
        var sampleLimit = args.Seconds("--sample-timeout", 45, 1);
        var chunk = args.Int("--chunk", PushIssuance.DefaultChunkSize, 1, PushIssuance.MaxChunkSize);
        var inFlight = args.Int("--chunks-in-flight", new EfCoreCouponKitOptions().PushChunksInFlight, 1, 4);
        var timeout = args.Seconds("--timeout", 120, 1);
        var bin = args.String("--pg-bin", PostgresServer.DefaultBin);
        var statements = args.String("--statements", "false") == "true";
        var warmup = args.Int("--warmup", 250_000, 0, 2_000_000);
        args.ThrowIfUnknown();

        var loadBefore = Machine.Load();
        await using var server = await PostgresServer.StartAsync(bin, statements).ConfigureAwait(false);
        var segments = new InMemoryUserSegmentSource();
        await using var provider = CouponKitOnPostgres.Build(server, more: s => s.AddSingleton<IUserSegmentSource>(segments), store: o => o.PushChunksInFlight = inFlight);
        await CouponKitOnPostgres.EnsureCreatedAsync(provider).ConfigureAwait(false);
        var (table, columns) = await CouponKitOnPostgres.TableAsync(provider, "coupons").ConfigureAwait(false);
        var missing = CouponProperties.Where(p => !columns.ContainsKey(p)).ToArray();
        var extra = columns.Keys.Except(CouponProperties).Except(NotInBaseline).ToArray();
        if (missing.Length > 0 || extra.Length > 0)
        {
            throw new InvalidOperationException($"The coupon table changed (missing: {string.Join(", ", missing)}; new: {string.Join(", ", extra)}): update {nameof(PgPushMode)}.");
        }

        var columnList = string.Join(", ", CouponProperties.Select(p => $"\"{columns[p]}\""));
        var users = Enumerable.Range(0, count).Select(UserId).ToArray();
        var now = DateTimeOffset.UtcNow;

        // 0. Warm-up: a push of other users to another template, so that the JIT has compiled the push path before anything is
        //    measured (tiered compilation took a core for the first seconds of a cold push). The runtime promotes a method to
        //    optimised code after 30 calls, and the per-chunk methods (the chunk's COPY, the envelope) run once per chunk: the
        //    default, 250,000 coupons, is 50 chunks of 5,000. Its rows are then truncated, so the measured push starts from empty
        //    tables as the baselines do.
        if (warmup > 0)
        {
            await AnsiConsole.Status().StartAsync($"Warm-up: PushIssuance of {warmup:N0} coupons to another template...", async _ =>
            {
                segments.Add("warmup", Enumerable.Range(0, warmup).Select(i => "w" + UserId(i)).ToArray());
                var other = await CouponKitOnPostgres.CreateActiveTemplateAsync(provider, "warmup", warmup, ClaimChannels.Push).ConfigureAwait(false);
                var warm = await provider.GetRequiredService<PushIssuance>()
                    .StartAsync(new PushJobRequest { JobId = "warmup-job", TemplateId = other.Id, Segment = "warmup", ChunkSize = chunk })
                    .ConfigureAwait(false);
                if (warm.Issued != warmup)
                {
                    throw new InvalidOperationException($"The warm-up push issued {warm.Issued:N0} of {warmup:N0} coupons.");
                }

                var (outbox, _) = await CouponKitOnPostgres.TableAsync(provider, "outbox").ConfigureAwait(false);
                await server.ExecuteAsync($"TRUNCATE \"{table}\", \"{outbox}\"").ConfigureAwait(false);
            }).ConfigureAwait(false);
        }

        // 1. Raw COPY: the same coupon rows from a CSV file into a copy of CouponKit's coupon table (same columns and indexes).
        //    The claim key column (and its unique index) is left out: the baselines write the coupon row as sessions before measured it,
        //    so CouponKit's claim keys are work it does on top of theirs.
        await server.ExecuteAsync($"""
            CREATE TABLE raw_copy_coupons (LIKE "{table}" INCLUDING ALL); ALTER TABLE raw_copy_coupons DROP COLUMN "{columns["ClaimKey"]}";
            CREATE TABLE raw_copy_after_coupons (LIKE "{table}" INCLUDING ALL); ALTER TABLE raw_copy_after_coupons DROP COLUMN "{columns["ClaimKey"]}";
            CREATE TABLE row_by_row_coupons (LIKE "{table}" INCLUDING ALL); ALTER TABLE row_by_row_coupons DROP COLUMN "{columns["ClaimKey"]}";
            CREATE TABLE raw_copy_keyed_coupons (LIKE "{table}" INCLUDING ALL); CREATE TABLE raw_copy_keyed_after_coupons (LIKE "{table}" INCLUDING ALL);
            """).ConfigureAwait(false);

        //    And the coupon row as CouponKit now stores it: the same rows with their claim keys (push:{template}:{user}), into
        //    tables with every column and index of the coupon table, the claim key's unique index included.
        var keyedColumnList = columnList + $", \"{columns["ClaimKey"]}\"";
        var csv = Path.Combine(Path.GetTempPath(), $"couponkit-loadtest-coupons-{Environment.ProcessId}.csv");
        var keyedCsv = Path.Combine(Path.GetTempPath(), $"couponkit-loadtest-keyed-coupons-{Environment.ProcessId}.csv");
        try
        {
            await AnsiConsole.Status().StartAsync($"Writing {count:N0} coupon rows to {csv} and {keyedCsv}...", async _ =>
            {
                await using var writer = new StreamWriter(csv, false, new UTF8Encoding(false), 1 << 20);
                await using var keyedWriter = new StreamWriter(keyedCsv, false, new UTF8Encoding(false), 1 << 20);
                foreach (var user in users)
                {
                    var line = string.Join(',', Row("raw-copy", user, now).Select(v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? string.Empty));
                    await writer.WriteLineAsync(line).ConfigureAwait(false);
                    await keyedWriter.WriteLineAsync(line + "," + PushIssuance.ClaimKeyOf("raw-copy", user)).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
            var csvSize = new FileInfo(csv).Length;
            await server.ExecuteAsync("CHECKPOINT").ConfigureAwait(false);
            var copyBefore = await RawCopyAsync(server, "raw_copy_coupons", columnList, csv, count).ConfigureAwait(false);
            await server.ExecuteAsync("VACUUM ANALYZE raw_copy_coupons").ConfigureAwait(false);
            await server.ExecuteAsync("CHECKPOINT").ConfigureAwait(false);
            var keyedBefore = await RawCopyAsync(server, "raw_copy_keyed_coupons", keyedColumnList, keyedCsv, count).ConfigureAwait(false);

            // 2. Row by row: one INSERT per transaction (autocommit), prepared, one connection, on a sample. Each run starts on a
            //    quiet server: the table the run before filled is vacuumed first, or autovacuum would land in the next run's window.
            await server.ExecuteAsync("VACUUM ANALYZE raw_copy_keyed_coupons").ConfigureAwait(false);
            await server.ExecuteAsync("CHECKPOINT").ConfigureAwait(false);
            var rowByRow = await RowByRowAsync(server, columnList, users.Take(Math.Min(sample, count)).ToArray(), now, sampleLimit).ConfigureAwait(false);
            var rowRate = rowByRow.Rows / rowByRow.Elapsed.TotalSeconds;

            // 3. CouponKit: PushIssuance with the EF store, to the same users.
            await server.ExecuteAsync("VACUUM ANALYZE row_by_row_coupons").ConfigureAwait(false);
            await server.ExecuteAsync("CHECKPOINT").ConfigureAwait(false);
            segments.Add("everyone", users);
            var template = await CouponKitOnPostgres.CreateActiveTemplateAsync(provider, "push", count, ClaimChannels.Push).ConfigureAwait(false);
            var push = provider.GetRequiredService<PushIssuance>();
            using var cancel = new CancellationTokenSource(timeout);
            var copyStatements = await server.TakeStatementsAsync().ConfigureAwait(false);
            var pushCpuStart = CpuSample.Take(server);
            var watch = Stopwatch.StartNew();
            PushJob? job = null;
            var completed = false;
            await AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async ctx =>
                {
                    var task = ctx.AddTask($"PushIssuance of {count:N0} coupons", maxValue: count);
                    var progress = new Progress<PushProgress>(p =>
                    {
                        task.Value = p.Processed;
                        task.Description = $"PushIssuance: {p.Processed:N0} of {count:N0}, {p.Processed / Math.Max(watch.Elapsed.TotalSeconds, 0.001):N0}/s";
                    });
                    try
                    {
                        job = await push.StartAsync(new PushJobRequest { JobId = "push-job", TemplateId = template.Id, Segment = "everyone", ChunkSize = chunk }, progress, cancel.Token).ConfigureAwait(false);
                        completed = job.State == PushJobState.Completed;
                    }
                    catch (OperationCanceledException) when (cancel.IsCancellationRequested)
                    {
                        job = await push.GetAsync("push-job").ConfigureAwait(false);
                    }
                }).ConfigureAwait(false);
            watch.Stop();
            var pushCpu = CpuSample.Take(server) - pushCpuStart;
            var pushStatements = await server.TakeStatementsAsync().ConfigureAwait(false);
            var pushRows = await server.ScalarAsync<long>($"SELECT count(*) FROM \"{table}\" WHERE \"{columns["TemplateId"]}\" = 'push'").ConfigureAwait(false);
            var pushKeys = await server.ScalarAsync<long>($"SELECT count(DISTINCT \"{columns["ClaimKey"]}\") FROM \"{table}\" WHERE \"{columns["TemplateId"]}\" = 'push'").ConfigureAwait(false);
            var pushRate = pushRows / watch.Elapsed.TotalSeconds;
            var stock = await provider.GetRequiredService<CouponTemplates>().GetStockAsync("push").ConfigureAwait(false);

            // Every coupon's Issued message is in the outbox: inside the chunks' envelopes (or on its own row for a lone coupon).
            var events = await server.ScalarAsync<long>(
                $"SELECT coalesce(sum(CASE WHEN \"Tag\" = 'Envelope' THEN json_array_length(\"Body\"::json -> 'messages') ELSE 1 END), 0) FROM ck_outbox WHERE \"Tag\" IN ('Envelope', '{CouponTopics.Issued}')").ConfigureAwait(false);
            var check = completed
                ? (pushRows == count && pushKeys == count && job!.Issued == count && stock.Issued == count && events == count ? $"{N(pushRows)} coupon rows = {N(count)} users = distinct claim keys = stock taken = `Issued` messages in the outbox" : $"**CHECK FAILED**: rows {N(pushRows)}, claim keys {N(pushKeys)}, job issued {N(job!.Issued)}, stock taken {N(stock.Issued)}, `Issued` messages {N(events)}")
                : $"stopped after {Secs(timeout)} s with {N(pushRows)} rows (job checkpoint: {N(job?.Issued ?? 0)} issued); stock taken {N(stock.Issued)}";

            // 4. Raw COPY again, after the push, on the server as the push left it (like pg-claims' pgbench before and after): the
            //    ratio is against the faster of the two.
            await server.ExecuteAsync($"VACUUM ANALYZE \"{table}\"").ConfigureAwait(false);
            await server.ExecuteAsync("CHECKPOINT").ConfigureAwait(false);
            var copyAfter = await RawCopyAsync(server, "raw_copy_after_coupons", columnList, csv, count).ConfigureAwait(false);
            await server.ExecuteAsync("VACUUM ANALYZE raw_copy_after_coupons").ConfigureAwait(false);
            await server.ExecuteAsync("CHECKPOINT").ConfigureAwait(false);
            var keyedAfter = await RawCopyAsync(server, "raw_copy_keyed_after_coupons", keyedColumnList, keyedCsv, count).ConfigureAwait(false);
            var copyRate = Math.Max(copyBefore.Rate, copyAfter.Rate);
            var vsCopy = pushRate / copyRate;
            var keyedRate = Math.Max(keyedBefore.Rate, keyedAfter.Rate);
            var vsKeyed = pushRate / keyedRate;
            var vsRows = pushRate / rowRate;
            report.Heading($"Push issuance on PostgreSQL (`{Name}`), {Report.Now()}");
            report.Bullets([
                $"Server: PostgreSQL {server.Version}, settings: {string.Join(", ", server.Settings.Select(s => $"`{s.Name}={s.Value}`"))}. Durability left on.",
                $"Rows: {N(count)} coupons of one template to {N(count)} distinct users (`u0000000000`...), 11 columns as in `{table}`, time-ordered coupon ids (UUIDv7 layout) as CouponKit's push gives them; the baselines write into `CREATE TABLE ... (LIKE {table} INCLUDING ALL)` without the claim key column (the same 11 columns and 4 indexes as before). CouponKit also writes each coupon's claim key (a 12th column with a unique index) and one outbox row per chunk (an envelope holding the chunk's `Issued` messages, one per coupon, which the dispatcher publishes one by one) (2 tables); the baselines write the coupon row only.",
                $"Raw COPY: `psql -c \"\\copy raw_copy_coupons ({string.Join(", ", CouponProperties)}) FROM 'coupons.csv' WITH (FORMAT csv)\"`, {csvSize / 1024.0 / 1024.0:0} MiB of CSV, wall time of the psql process; once before the push and once after it into another such table (as `pg-claims` runs pgbench before and after), the ratio against the faster of the two. The same again with the claim key as a 12th column (`push:raw-copy:{{user}}`) into `LIKE {table} INCLUDING ALL` tables that keep it and its unique index: the rows exactly as CouponKit stores them.",
                $"Row by row: one prepared `INSERT` per transaction (autocommit), one connection, {N(rowByRow.Rows)} rows measured (a sample of {N(Math.Min(sample, count))}, stopped after at most {Secs(sampleLimit)} s) and extrapolated to {N(count)} at the same per-row cost ({rowByRow.Elapsed.TotalMilliseconds / rowByRow.Rows:0.000} ms a row).",
                $"CouponKit: `PushIssuance.StartAsync` (chunks of {N(chunk)}, `PushChunksInFlight` {inFlight}: that many chunks written side by side while the stock covers them, checkpoint after them, in-memory segment source and job store; on PostgreSQL each chunk is one transaction: a template read, the conditional stock update, binary COPY straight into coupons (with their claim keys) and one outbox envelope) on `AddCouponKit().UseEntityFrameworkCore<CouponKitDbContext>()`, stopped after at most {Secs(timeout)} s{(completed ? string.Empty : " — **it did not finish in time; its rate is from the rows it wrote and its total is extrapolated**")}.",
                $"Warm-up: {(warmup > 0 ? $"a push of {N(warmup)} coupons to another template before the baselines (JIT), its rows then truncated" : "none")}. Before each run: `VACUUM ANALYZE` of the table the run before filled, then `CHECKPOINT`.",
                $"Load average (1/5/15 min): {loadBefore} before, {Machine.Load()} after.",
            ]);
            report.Table(
                ["Run", "Rows", "Time", "Rows/s", "Time for " + N(count), "CPU per row (client / server)", "CouponKit vs this"],
                [
                    CopyRow("Raw `psql \\copy` (CSV), before the push", copyBefore, count, copyRate, vsCopy),
                    CopyRow("Raw `psql \\copy` (CSV), after the push", copyAfter, count, copyRate, vsCopy),
                    CopyRow("Raw `psql \\copy` with the claim key (as stored), before the push", keyedBefore, count, keyedRate, vsKeyed),
                    CopyRow("Raw `psql \\copy` with the claim key (as stored), after the push", keyedAfter, count, keyedRate, vsKeyed),
                    [$"Row-by-row INSERT (sample, extrapolated)", N(rowByRow.Rows), $"{rowByRow.Elapsed.TotalSeconds:0.0} s", N(rowRate), $"{count / rowRate:0} s (extrapolated)", "—", $"{Report.Ratio(vsRows)} (target ≥ {RowTarget}x: {Report.Verdict(vsRows >= RowTarget)})"],
                    [$"CouponKit `PushIssuance`{(completed ? string.Empty : " (partial)")}", N(pushRows), $"{watch.Elapsed.TotalSeconds:0.0} s", N(pushRate), completed ? $"{watch.Elapsed.TotalSeconds:0.0} s" : $"{count / Math.Max(pushRate, 0.001):0} s (extrapolated)", string.Create(CultureInfo.InvariantCulture, $"{pushCpu.Client.TotalMicroseconds / Math.Max(pushRows, 1):0.0} / {pushCpu.Server.TotalMicroseconds / Math.Max(pushRows, 1):0.0} µs"), "—"],
                ],
                [false, true, true, true, true, true, false]);
            report.Line($"Check: {check}.");
            report.Line();
            report.Line($"On disk after the runs (heap, then each index; the outbox with its TOAST): `\\copy` {await SizesAsync(server, "raw_copy_coupons").ConfigureAwait(false)}; CouponKit {await SizesAsync(server, table).ConfigureAwait(false)}, outbox {await SizesAsync(server, "ck_outbox").ConfigureAwait(false)}.");
            report.Line();
            foreach (var (run, byStatement) in new[] { ("the baselines", copyStatements), ("CouponKit's push", pushStatements) }.Where(s => s.Item2.Length > 0))
            {
                report.Line($"Server time by statement (`pg_stat_statements`), {run}:");
                report.Line();
                report.Line(byStatement);
            }
        }
        finally
        {
            File.Delete(csv);
            File.Delete(keyedCsv);
        }
    }

    /// <summary>A raw COPY of the CSV file into <paramref name="target"/>: psql's wall time and the server's CPU.</summary>
    private static async Task<CopyRun> RawCopyAsync(PostgresServer server, string target, string columnList, string csv, int count)
    {
        ProcessResult copy = null!;
        var cpuStart = CpuSample.Take(server);
        await AnsiConsole.Status().StartAsync($"psql \\copy of {count:N0} rows into {target}...", async _ =>
        {
            copy = await server.PsqlAsync($"\\copy {target} ({columnList}) FROM '{csv}' WITH (FORMAT csv)").ConfigureAwait(false);
        }).ConfigureAwait(false);
        var cpu = CpuSample.Take(server) - cpuStart;
        var copied = await server.ScalarAsync<long>($"SELECT count(*) FROM {target}").ConfigureAwait(false);
        var run = new CopyRun(copied, copy.Elapsed, cpu.Server.TotalMicroseconds / Math.Max(copied, 1));
        AnsiConsole.MarkupLine(Markup.Escape($"raw COPY into {target}: {copied:N0} rows in {copy.Elapsed.TotalSeconds:0.0} s = {run.Rate:N0} rows/s"));
        return run;
    }

    /// <summary>A raw COPY's row of the report; the ratio is given on the faster run, the one it is against.</summary>
    private static string[] CopyRow(string name, CopyRun run, int count, double fastest, double vsCopy) =>
    [
        name, N(run.Rows), $"{run.Elapsed.TotalSeconds:0.0} s", N(run.Rate), $"{count / run.Rate:0.0} s",
        $"(psql) / {run.ServerMicrosPerRow:0.0} µs",
        run.Rate >= fastest ? $"{Report.Ratio(vsCopy)} (target ≥ {CopyTarget}x: {Report.Verdict(vsCopy >= CopyTarget)})" : "—",
    ];

    /// <summary>The sizes of a table's heap (with TOAST) and of each of its indexes, in MiB.</summary>
    private static Task<string> SizesAsync(PostgresServer server, string table) =>
        server.ScalarAsync<string>($"""
            SELECT format('%s MiB', round(pg_table_size('"{table}"'::regclass) / 1048576.0, 1)) || coalesce(' + ' || string_agg(format('%s %s MiB', i.indexrelid::regclass, round(pg_relation_size(i.indexrelid) / 1048576.0, 1)), ', ' ORDER BY i.indexrelid), '')
            FROM pg_index AS i WHERE i.indrelid = '"{table}"'::regclass
            """);

    private static async Task<(long Rows, TimeSpan Elapsed)> RowByRowAsync(PostgresServer server, string columnList, string[] users, DateTimeOffset now, TimeSpan limit)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString(2));
        await connection.OpenAsync().ConfigureAwait(false);
        var placeholders = string.Join(", ", CouponProperties.Select((_, i) => "$" + (i + 1).ToString(CultureInfo.InvariantCulture)));
        await using var insert = new NpgsqlCommand($"INSERT INTO row_by_row_coupons ({columnList}) VALUES ({placeholders})", connection);
        var first = Row("row-by-row", users[0], now);
        foreach (var value in first)
        {
            insert.Parameters.Add(value is null ? new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text } : new NpgsqlParameter { Value = value });
        }

        await insert.PrepareAsync().ConfigureAwait(false);
        var watch = Stopwatch.StartNew();
        var done = 0;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask($"Row-by-row INSERT of {users.Length:N0} rows", maxValue: users.Length);
                for (var i = 0; i < users.Length && watch.Elapsed < limit; i++)
                {
                    var row = Row("row-by-row", users[i], now);
                    for (var p = 0; p < row.Length; p++)
                    {
                        insert.Parameters[p].Value = row[p] ?? DBNull.Value;
                    }

                    await insert.ExecuteNonQueryAsync().ConfigureAwait(false);
                    done++;
                    if (i % 500 == 0)
                    {
                        task.Value = i;
                    }
                }

                task.Value = users.Length;
            }).ConfigureAwait(false);
        watch.Stop();
        return (done, watch.Elapsed);
    }

    /// <summary>
    /// A coupon row as CouponKit stores it (times as UTC ticks), with a time-ordered id (UUIDv7 layout, 32 hex digits) like the
    /// ids a push gives its coupons, so that the baselines maintain the same primary key as CouponKit does.
    /// </summary>
    private static object?[] Row(string templateId, string user, DateTimeOffset now) =>
    [
        Guid.CreateVersion7().ToString("N"), templateId, user, 1, 0, now.UtcTicks, now.AddDays(30).UtcTicks, now.UtcTicks, (int)ClaimChannels.Push, null, 1L,
    ];

    private static string UserId(int n) => "u" + n.ToString("D10", CultureInfo.InvariantCulture);

    private static string N(double value) => Report.N(value);

    private static string Secs(TimeSpan t) => ((int)Math.Ceiling(t.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    /// <summary>A raw COPY: rows copied, psql's wall time, the server's CPU per row.</summary>
    private sealed record CopyRun(long Rows, TimeSpan Elapsed, double ServerMicrosPerRow)
    {
        public double Rate => Rows / Elapsed.TotalSeconds;
    }
}
