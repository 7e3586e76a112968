using System.Collections.Concurrent;
using System.Diagnostics;
using Spectre.Console;

namespace CouponKit.LoadTest.Infrastructure;

/// <summary>What a closed-loop run measured.</summary>
/// <param name="Completed">Operations completed inside the measured window.</param>
/// <param name="Window">The measured window.</param>
/// <param name="Outcomes">Every outcome of the whole run (warm-up included), by name.</param>
/// <param name="WindowOutcomes">The outcomes completed inside the window.</param>
/// <param name="P50">Median latency of operations started inside the window; zero when none was.</param>
/// <param name="P99">99th percentile latency.</param>
/// <param name="FirstError">The first exception, if any.</param>
internal sealed record LoopResult(long Completed, TimeSpan Window, IReadOnlyDictionary<string, long> Outcomes, IReadOnlyDictionary<string, long> WindowOutcomes, TimeSpan P50, TimeSpan P99, string? FirstError)
{
    public double PerSecond => Completed / Window.TotalSeconds;

    public long Outcome(string name) => Outcomes.TryGetValue(name, out var n) ? n : 0;

    public long WindowOutcome(string name) => WindowOutcomes.TryGetValue(name, out var n) ? n : 0;
}

/// <summary>
/// Runs <c>concurrency</c> workers, each calling the operation again as soon as the previous call returns (a closed loop), for a
/// warm-up and then a measured window, after <c>prime</c> calls made one at a time; <c>onWindow</c> is told when the window
/// starts (<see langword="true"/>) and ends (to sample CPU time over the window). The rate is the number of calls completed inside the window divided by its length.
/// </summary>
internal static class ClosedLoop
{
    public static async Task<LoopResult> RunAsync(
        string title,
        int concurrency,
        TimeSpan warmUp,
        TimeSpan window,
        Func<long, Task<string>> operation,
        long? maxOperations = null,
        int prime = 0,
        Action<bool>? onWindow = null)
    {
        var outcomes = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var latencies = new ConcurrentBag<List<long>>();
        long next = 0;
        long completed = 0;
        string? firstError = null;

        // A few calls one after the other before the clock starts: JIT, EF Core's model, connection pools.
        for (var i = 0; i < prime; i++)
        {
            var outcome = await operation(Interlocked.Increment(ref next)).ConfigureAwait(false);
            outcomes.AddOrUpdate(outcome, 1, (_, v) => v + 1);
        }

        var clock = Stopwatch.StartNew();
        var windowStart = (long)(warmUp.TotalSeconds * Stopwatch.Frequency);
        var windowEnd = windowStart + (long)(window.TotalSeconds * Stopwatch.Frequency);
        long completedAtStart = -1;
        long completedAtEnd = -1;
        Dictionary<string, long>? outcomesAtStart = null;
        Dictionary<string, long>? outcomesAtEnd = null;
        var marks = new object();

        void Mark(long now)
        {
            lock (marks)
            {
                if (completedAtStart < 0 && now >= windowStart)
                {
                    onWindow?.Invoke(true);
                    completedAtStart = Interlocked.Read(ref completed);
                    outcomesAtStart = new Dictionary<string, long>(outcomes, StringComparer.Ordinal);
                }

                if (completedAtEnd < 0 && now >= windowEnd)
                {
                    onWindow?.Invoke(false);
                    completedAtEnd = Interlocked.Read(ref completed);
                    outcomesAtEnd = new Dictionary<string, long>(outcomes, StringComparer.Ordinal);
                }
            }
        }

        async Task Worker()
        {
            var mine = new List<long>(4096);
            latencies.Add(mine);
            while (true)
            {
                var started = clock.ElapsedTicks;
                if (started >= windowEnd)
                {
                    return;
                }

                var n = Interlocked.Increment(ref next);
                if (maxOperations is { } max && n > max)
                {
                    return;
                }

                string outcome;
                try
                {
                    outcome = await operation(n).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // Errors are counted and the first one is reported; the run goes on.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    Interlocked.CompareExchange(ref firstError, $"{ex.GetType().Name}: {ex.Message}", null);
                    outcome = "error:" + ex.GetType().Name;
                }

                var ended = clock.ElapsedTicks;
                outcomes.AddOrUpdate(outcome, 1, (_, v) => v + 1);
                Interlocked.Increment(ref completed);
                if (started >= windowStart)
                {
                    mine.Add(ended - started); // every call started in the window, however long it took
                }
            }
        }

        var total = warmUp + window;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: total.TotalSeconds);
                var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(Worker)).ToArray();
                var all = Task.WhenAll(workers);
                long last = 0;
                var lastAt = clock.Elapsed;
                while (!all.IsCompleted)
                {
                    await Task.WhenAny(all, Task.Delay(250)).ConfigureAwait(false);
                    Mark(clock.ElapsedTicks);
                    var now = clock.Elapsed;
                    if (now - lastAt >= TimeSpan.FromSeconds(1))
                    {
                        var done = Interlocked.Read(ref completed);
                        var rate = (done - last) / (now - lastAt).TotalSeconds;
                        var phase = now < warmUp ? "warm-up" : "measuring";
                        task.Description = Markup.Escape($"{title}: {phase}, {rate:N0}/s, {done:N0} done");
                        last = done;
                        lastAt = now;
                    }

                    task.Value = Math.Min(now.TotalSeconds, total.TotalSeconds);
                }

                await all.ConfigureAwait(false);
                Mark(long.MaxValue);
                task.Value = total.TotalSeconds;
            }).ConfigureAwait(false);

        // A bounded run (maxOperations) may end before the window does: measure up to the end of the last call.
        var elapsedTicks = Math.Min(clock.ElapsedTicks, windowEnd) - windowStart;
        var measured = completedAtEnd >= 0 && clock.ElapsedTicks >= windowEnd ? window : TimeSpan.FromSeconds(Math.Max(elapsedTicks, 1) / (double)Stopwatch.Frequency);
        var start = Math.Max(completedAtStart, 0);
        var end = completedAtEnd >= 0 ? completedAtEnd : Interlocked.Read(ref completed);
        var startOutcomes = outcomesAtStart ?? [];
        var endOutcomes = outcomesAtEnd ?? new Dictionary<string, long>(outcomes, StringComparer.Ordinal);
        var windowOutcomes = endOutcomes.ToDictionary(kv => kv.Key, kv => kv.Value - startOutcomes.GetValueOrDefault(kv.Key), StringComparer.Ordinal);
        var sorted = latencies.SelectMany(l => l).Order().ToArray();
        TimeSpan Percentile(double p) => sorted.Length == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))] / (double)Stopwatch.Frequency);
        return new LoopResult(end - start, measured, new Dictionary<string, long>(outcomes, StringComparer.Ordinal), windowOutcomes, Percentile(0.50), Percentile(0.99), firstError);
    }
}
