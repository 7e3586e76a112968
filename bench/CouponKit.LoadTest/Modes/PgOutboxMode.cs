using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using CouponKit.Issuance;
using CouponKit.LoadTest.Infrastructure;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Redemption;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Spectre.Console;

namespace CouponKit.LoadTest.Modes;

/// <summary>
/// Outbox dispatch: <see cref="OutboxDispatcher"/> on CouponKit.EfCore + PostgreSQL moving N pending <c>Issued</c> messages to a
/// bus that only counts them, with 1 and 3 dispatchers side by side; and the rate on one hot key (one template's messages are
/// published in order, one at a time).
/// </summary>
internal static class PgOutboxMode
{
    public const string Name = "pg-outbox";

    public static async Task RunAsync(Args args, Report report)
    {
        var count = args.Int("--count", 20_000, 1, 10_000_000);
        var keys = args.Int("--keys", 1_000, 1, 10_000_000);
        var dispatchers = args.Ints("--dispatchers", [1, 3]);
        var batch = args.Int("--batch", new OutboxDispatcherOptions().BatchSize, 1, 10_000);
        var timeout = args.Seconds("--timeout", 60, 1);
        var hotDuration = args.Seconds("--hot-duration", 10, 0);
        var envelopeSize = args.Int("--envelope-size", PushIssuance.DefaultChunkSize, 0, PushIssuance.MaxChunkSize);
        var bin = args.String("--pg-bin", PostgresServer.DefaultBin);
        args.ThrowIfUnknown();

        var loadBefore = Machine.Load();
        await using var server = await PostgresServer.StartAsync(bin).ConfigureAwait(false);
        await using var provider = CouponKitOnPostgres.Build(server);
        await CouponKitOnPostgres.EnsureCreatedAsync(provider).ConfigureAwait(false);
        var outbox = provider.GetRequiredService<IOutboxStore>();
        var (table, columns) = await CouponKitOnPostgres.TableAsync(provider, "outbox").ConfigureAwait(false);
        var options = Options.Create(new OutboxDispatcherOptions { BatchSize = batch });

        var rows = new List<IReadOnlyList<string>>();
        foreach (var n in dispatchers)
        {
            await FillAsync(server, table, columns, count, keys).ConfigureAwait(false);
            var run = await DispatchAsync($"{n} dispatcher(s), {N(count)} messages over {N(keys)} keys", server, table, columns, outbox, options, n, count, timeout).ConfigureAwait(false);
            rows.Add([$"{n} dispatcher{(n == 1 ? string.Empty : "s")}, {N(keys)} keys", N(run.Published), $"{run.Elapsed.TotalSeconds:0.0} s", N(run.Published / run.Elapsed.TotalSeconds), run.Check]);
        }

        if (envelopeSize > 0)
        {
            // A push's messages: envelopes of one chunk's Issued messages each, keyed by their coupons (new aggregates).
            var envelopes = await FillEnvelopesAsync(server, table, columns, count, envelopeSize).ConfigureAwait(false);
            var run = await DispatchAsync($"1 dispatcher, {N(count)} messages in {N(envelopes)} envelopes", server, table, columns, outbox, options, 1, count, timeout).ConfigureAwait(false);
            rows.Add([$"1 dispatcher, a push's envelopes ({N(envelopeSize)} messages each)", N(run.Published), $"{run.Elapsed.TotalSeconds:0.0} s", N(run.Published / run.Elapsed.TotalSeconds), run.Check]);
        }

        if (hotDuration > TimeSpan.Zero)
        {
            // One key: at most one message of it is leased per sweep, so this is a sweep per message.
            await FillAsync(server, table, columns, count, 1).ConfigureAwait(false);
            var run = await DispatchAsync($"1 dispatcher, one hot key, {Secs(hotDuration)} s", server, table, columns, outbox, options, 1, count, hotDuration).ConfigureAwait(false);
            rows.Add(["1 dispatcher, 1 key (one hot template)", N(run.Published), $"{run.Elapsed.TotalSeconds:0.0} s", N(run.Published / run.Elapsed.TotalSeconds), run.Check]);
        }

        report.Heading($"Outbox dispatch on PostgreSQL (`{Name}`), {Report.Now()}");
        report.Bullets([
            $"Server: PostgreSQL {server.Version}, settings: {string.Join(", ", server.Settings.Select(s => $"`{s.Name}={s.Value}`"))}. Durability left on.",
            $"Setup: {N(count)} pending `Issued` messages (bodies from `CouponEvents.Issued`, keyed by template as CouponKit writes them) loaded into `{table}` by binary COPY, then `ANALYZE`; each run starts from a freshly filled table.",
            $"Dispatch: `OutboxDispatcher.DispatchOnceAsync` called in a loop by each dispatcher (the hosted loop's fast path, without its poll waits), `BatchSize` {N(batch)}, on the EF outbox store; the bus only counts messages (no broker cost). The clock stops when every message has been published once (or after the time limit).",
            $"Envelopes: {(envelopeSize > 0 ? $"the same {N(count)} `Issued` messages as a push writes them, {N(envelopeSize)} to an envelope row (keyed by their coupons); the dispatcher opens each envelope and publishes every message in it; the rows marked published are the envelopes" : "not measured")}.",
            "Several dispatchers share the table: the store leases each due row to one dispatcher only (on PostgreSQL, with `FOR UPDATE SKIP LOCKED` in builds that have it; otherwise a conditional update per row), and only the oldest pending message of a key, so the order per key holds.",
            $"Load average (1/5/15 min): {loadBefore} before, {Machine.Load()} after.",
        ]);
        report.Table(["Run", "Published", "Time", "Messages/s", "Check"], rows, [false, true, true, true, false]);
    }

    private static async Task FillAsync(PostgresServer server, string table, IReadOnlyDictionary<string, string> columns, int count, int keys)
    {
        await server.ExecuteAsync($"TRUNCATE \"{table}\"").ConfigureAwait(false);
        string[] properties = ["MessageId", "Topic", "Tag", "Key", "Body", "CreatedAt", "DeliverAt", "Status", "Attempts", "NextAttemptAt", "LeasedUntil", "LastError"];
        RequireColumns(columns, properties);

        var at = DateTimeOffset.UtcNow.AddMinutes(-1);
        await using var connection = new NpgsqlConnection(server.ConnectionString(2));
        await connection.OpenAsync().ConfigureAwait(false);
        await AnsiConsole.Status().StartAsync($"Loading {count:N0} pending messages over {keys:N0} key(s)...", async _ =>
        {
            await using (var import = await connection.BeginBinaryImportAsync($"COPY \"{table}\" ({string.Join(", ", properties.Select(p => $"\"{columns[p]}\""))}) FROM STDIN (FORMAT BINARY)").ConfigureAwait(false))
            {
                for (var i = 0; i < count; i++)
                {
                    var template = "t" + (i % keys).ToString("D7", CultureInfo.InvariantCulture);
                    var coupon = new IssuedCoupon(Guid.NewGuid().ToString("N"), template, "u" + i.ToString("D10", CultureInfo.InvariantCulture), CouponState.Available, at, at.AddDays(30), at, ClaimChannels.Grab, null, 1);
                    var message = CouponEvents.Issued(coupon, "k" + i.ToString(CultureInfo.InvariantCulture));
                    await import.StartRowAsync().ConfigureAwait(false);
                    await import.WriteAsync(message.MessageId, NpgsqlDbType.Varchar).ConfigureAwait(false);
                    await import.WriteAsync(message.Topic, NpgsqlDbType.Varchar).ConfigureAwait(false);
                    await import.WriteAsync(message.Tag, NpgsqlDbType.Varchar).ConfigureAwait(false);
                    await import.WriteAsync(message.Key, NpgsqlDbType.Varchar).ConfigureAwait(false);
                    await import.WriteAsync(message.Body, NpgsqlDbType.Text).ConfigureAwait(false);
                    await import.WriteAsync(message.CreatedAt.UtcTicks, NpgsqlDbType.Bigint).ConfigureAwait(false);
                    await import.WriteNullAsync().ConfigureAwait(false);
                    await import.WriteAsync((int)OutboxStatus.Pending, NpgsqlDbType.Integer).ConfigureAwait(false);
                    await import.WriteAsync(0, NpgsqlDbType.Integer).ConfigureAwait(false);
                    await import.WriteAsync(message.CreatedAt.UtcTicks, NpgsqlDbType.Bigint).ConfigureAwait(false);
                    await import.WriteAsync(DateTimeOffset.MinValue.UtcTicks, NpgsqlDbType.Bigint).ConfigureAwait(false);
                    await import.WriteNullAsync().ConfigureAwait(false);
                }

                await import.CompleteAsync().ConfigureAwait(false);
            }

            await using var analyze = new NpgsqlCommand($"ANALYZE \"{table}\"; CHECKPOINT", connection);
            await analyze.ExecuteNonQueryAsync().ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <summary>Loads the outbox with <paramref name="count"/> pending Issued messages in envelopes of <paramref name="size"/>, as a push writes them.</summary>
    /// <returns>The number of envelopes.</returns>
    private static async Task<int> FillEnvelopesAsync(PostgresServer server, string table, IReadOnlyDictionary<string, string> columns, int count, int size)
    {
        await server.ExecuteAsync($"TRUNCATE \"{table}\"").ConfigureAwait(false);
        string[] properties = ["MessageId", "Topic", "Tag", "Key", "LastKey", "Body", "CreatedAt", "Status", "Attempts", "NextAttemptAt", "LeasedUntil"];
        RequireColumns(columns, properties);

        var at = DateTimeOffset.UtcNow.AddMinutes(-1);
        var envelopes = 0;
        await using var connection = new NpgsqlConnection(server.ConnectionString(2));
        await connection.OpenAsync().ConfigureAwait(false);
        await AnsiConsole.Status().StartAsync($"Loading {count:N0} pending messages in envelopes of {size:N0}...", async _ =>
        {
            await using (var import = await connection.BeginBinaryImportAsync($"COPY \"{table}\" ({string.Join(", ", properties.Select(p => $"\"{columns[p]}\""))}) FROM STDIN (FORMAT BINARY)").ConfigureAwait(false))
            {
                for (var start = 0; start < count; start += size)
                {
                    var messages = Enumerable.Range(start, Math.Min(size, count - start)).Select(i =>
                    {
                        var coupon = new IssuedCoupon(Guid.CreateVersion7(at).ToString("N") + i.ToString("x8", CultureInfo.InvariantCulture), "push", "u" + i.ToString("D10", CultureInfo.InvariantCulture), CouponState.Available, at, at.AddDays(30), at, ClaimChannels.Push, null, 1);
                        return CouponEvents.Issued(coupon, "push:job:" + coupon.UserId);
                    }).ToArray();
                    var packed = OutboxEnvelope.Wrap(messages);
                    await import.StartRowAsync().ConfigureAwait(false);
                    await import.WriteAsync(packed.Envelope.MessageId, NpgsqlDbType.Varchar).ConfigureAwait(false);
                    await import.WriteAsync(packed.Envelope.Topic, NpgsqlDbType.Varchar).ConfigureAwait(false);
                    await import.WriteAsync(packed.Envelope.Tag, NpgsqlDbType.Varchar).ConfigureAwait(false);
                    await import.WriteAsync(packed.Envelope.Key, NpgsqlDbType.Varchar).ConfigureAwait(false);
                    await import.WriteAsync(packed.LastKey, NpgsqlDbType.Varchar).ConfigureAwait(false);
                    await import.WriteAsync(packed.Envelope.Body, NpgsqlDbType.Text).ConfigureAwait(false);
                    await import.WriteAsync(packed.Envelope.CreatedAt.UtcTicks, NpgsqlDbType.Bigint).ConfigureAwait(false);
                    await import.WriteAsync((int)OutboxStatus.Pending, NpgsqlDbType.Integer).ConfigureAwait(false);
                    await import.WriteAsync(0, NpgsqlDbType.Integer).ConfigureAwait(false);
                    await import.WriteAsync(packed.Envelope.CreatedAt.UtcTicks, NpgsqlDbType.Bigint).ConfigureAwait(false);
                    await import.WriteAsync(DateTimeOffset.MinValue.UtcTicks, NpgsqlDbType.Bigint).ConfigureAwait(false);
                    envelopes++;
                }

                await import.CompleteAsync().ConfigureAwait(false);
            }

            await using var analyze = new NpgsqlCommand($"ANALYZE \"{table}\"; CHECKPOINT", connection);
            await analyze.ExecuteNonQueryAsync().ConfigureAwait(false);
        }).ConfigureAwait(false);
        return envelopes;
    }

    /// <summary>Fails when the outbox table no longer has a column the tool writes.</summary>
    private static void RequireColumns(IReadOnlyDictionary<string, string> columns, string[] properties)
    {
        var missing = properties.Where(p => !columns.ContainsKey(p)).ToArray();
        if (missing.Length > 0)
        {
            throw new InvalidOperationException($"The outbox table changed (missing: {string.Join(", ", missing)}): update {nameof(PgOutboxMode)}.");
        }
    }

    private static async Task<(long Published, TimeSpan Elapsed, string Check)> DispatchAsync(
        string title, PostgresServer server, string table, IReadOnlyDictionary<string, string> columns, IOutboxStore outbox, IOptions<OutboxDispatcherOptions> options, int dispatchers, int count, TimeSpan limit)
    {
        var bus = new CountingBus();
        var instances = Enumerable.Range(0, dispatchers).Select(_ => new OutboxDispatcher(outbox, bus, TimeProvider.System, options)).ToArray();
        using var stop = new CancellationTokenSource(limit);
        var watch = Stopwatch.StartNew();
        string? error = null;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: count);
                async Task Loop(OutboxDispatcher dispatcher)
                {
                    while (bus.Distinct < count && !stop.IsCancellationRequested)
                    {
                        try
                        {
                            if (await dispatcher.DispatchOnceAsync(stop.Token).ConfigureAwait(false) == 0)
                            {
                                await Task.Delay(1, CancellationToken.None).ConfigureAwait(false);
                            }
                        }
                        catch (OperationCanceledException) when (stop.IsCancellationRequested)
                        {
                            return;
                        }
                    }
                }

                var all = Task.WhenAll(instances.Select(d => Task.Run(() => Loop(d))));
                while (!all.IsCompleted)
                {
                    await Task.WhenAny(all, Task.Delay(250)).ConfigureAwait(false);
                    task.Value = bus.Distinct;
                    task.Description = Markup.Escape($"{title}: {bus.Distinct:N0}, {bus.Distinct / Math.Max(watch.Elapsed.TotalSeconds, 0.001):N0}/s");
                }

                try
                {
                    await all.ConfigureAwait(false);
                }
#pragma warning disable CA1031 // Reported in the table.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    error = ex.Message;
                }

                task.Value = bus.Distinct;
            }).ConfigureAwait(false);
        watch.Stop();
        foreach (var instance in instances)
        {
            instance.Dispose();
        }

        var published = await server.ScalarAsync<long>($"SELECT count(*) FROM \"{table}\" WHERE \"{columns["Status"]}\" = {(int)OutboxStatus.Published}").ConfigureAwait(false);
        var duplicates = bus.Total - bus.Distinct;
        var check = $"{N(published)} rows marked published, {N(bus.Distinct)} distinct messages on the bus, {N(duplicates)} published twice"
            + (bus.Distinct < count ? $"; stopped at the {Secs(limit)} s limit" : string.Empty)
            + (error is null ? string.Empty : $"; error: {error}");
        return (bus.Distinct, watch.Elapsed, check);
    }

    private static string N(double value) => Report.N(value);

    private static string Secs(TimeSpan t) => ((int)Math.Ceiling(t.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    /// <summary>A bus that only counts what it is given (and notices a message published twice).</summary>
    private sealed class CountingBus : IMessageBus
    {
        private readonly ConcurrentDictionary<string, byte> _seen = new(StringComparer.Ordinal);
        private long _total;

        public long Distinct => _seen.Count;

        public long Total => Interlocked.Read(ref _total);

        public Task PublishAsync(OutboxMessage message, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _total);
            _seen.TryAdd(message.MessageId, 0);
            return Task.CompletedTask;
        }

        public Task<IAsyncDisposable> SubscribeAsync(Subscription subscription, Func<IncomingMessage, CancellationToken, Task> handler, CancellationToken cancellationToken) =>
            throw new NotSupportedException("The load test only publishes.");
    }
}
