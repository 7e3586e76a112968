using System.Globalization;
using CouponKit.LoadTest.Infrastructure;
using CouponKit.LoadTest.Modes;
using Spectre.Console;

// dotnet run -c Release --project bench/CouponKit.LoadTest -- <mode> [--option value ...]   (see README.md)
Cleanup.Install();
Args parsed;
try
{
    parsed = new Args(args);
}
catch (ArgumentException ex)
{
    AnsiConsole.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]");
    return 2;
}

if (parsed.Help)
{
    PrintHelp();
    return parsed.Mode is null ? 2 : 0;
}

var modes = new Dictionary<string, Func<Args, Report, Task>>(StringComparer.Ordinal)
{
    [PgClaimsMode.Name] = PgClaimsMode.RunAsync,
    [PgPushMode.Name] = PgPushMode.RunAsync,
    [PgOutboxMode.Name] = PgOutboxMode.RunAsync,
    [RedisMode.Name] = RedisMode.RunAsync,
};

if (parsed.Mode != "all" && !modes.ContainsKey(parsed.Mode!))
{
    AnsiConsole.MarkupLine($"[red]Unknown mode '{Markup.Escape(parsed.Mode!)}'.[/]");
    PrintHelp();
    return 2;
}

var markdownPath = parsed.OptionalString("--markdown");
var report = new Report();
var started = DateTimeOffset.UtcNow;
report.Heading($"Load test machine, {Report.Now()}");
report.Bullets([
    $"CPU: {Machine.Cpu()}; memory {Machine.Memory()}",
    $"OS: {Machine.Os()}",
    $".NET: {Machine.Runtime()}",
    $"Load average (1/5/15 min) at the start: {Machine.Load()} (a shared machine: other work skews the figures; the baselines run in the same run, on the same server)",
    $"Command: `CouponKit.LoadTest {string.Join(' ', args)}`",
]);

var failed = new List<string>();
try
{
    if (parsed.Mode == "all")
    {
        // Each mode reads only the options it knows; with 'all' the shared ones (--pg-bin, ...) reach every mode.
        parsed.OptionalString("--pg-bin");
        parsed.OptionalString("--redis-server");
        parsed.OptionalString("--redis-benchmark");
        foreach (var (name, run) in modes)
        {
            var own = new Args([name, .. PassThrough(args, name)]);
            try
            {
                await run(own, report);
            }
#pragma warning disable CA1031 // One failing mode must not lose the figures of the others.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failed.Add(name);
                AnsiConsole.WriteException(ex, ExceptionFormats.ShortenEverything);
                report.Heading($"`{name}` failed");
                report.Line($"{ex.GetType().Name}: {ex.Message}");
                report.Line();
            }
        }
    }
    else
    {
        await modes[parsed.Mode!](parsed, report);
    }
}
catch (ArgumentException ex)
{
    AnsiConsole.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]");
    return 2;
}

report.Line($"Total wall time: {(DateTimeOffset.UtcNow - started).TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s; load average at the end: {Machine.Load()}.");
Console.WriteLine();
Console.WriteLine("----- markdown for docs/benchmarks.md -----");
Console.WriteLine(report.Markdown);
Console.WriteLine("----- end of markdown -----");
if (markdownPath is not null)
{
    await File.WriteAllTextAsync(markdownPath, report.Markdown);
    AnsiConsole.MarkupLine($"Markdown written to [bold]{Markup.Escape(markdownPath)}[/].");
}

return failed.Count == 0 ? 0 : 1;

// With 'all', an option goes to every mode that knows it: --pg-claims.duration 30 goes to pg-claims only; shared options go to all.
static IEnumerable<string> PassThrough(string[] args, string mode)
{
    string[] shared = ["--pg-bin", "--redis-server", "--redis-benchmark"];
    for (var i = 1; i + 1 < args.Length; i += 2)
    {
        var name = args[i];
        var scoped = $"--{mode}.";
        if (name.StartsWith(scoped, StringComparison.Ordinal))
        {
            yield return "--" + name[scoped.Length..];
            yield return args[i + 1];
        }
        else if (shared.Contains(name))
        {
            yield return name;
            yield return args[i + 1];
        }
    }
}

static void PrintHelp()
{
    AnsiConsole.MarkupLine("""
        [bold]CouponKit.LoadTest[/] <mode> [[--option value ...]] [[--markdown file.md]]

        Modes (each starts its own throwaway servers on free loopback ports and stops them at the end):
          [bold]pg-claims[/]  claims/s through CouponClaims on PostgreSQL (1 and 16 stock segments) vs pgbench's single-row claim
                     --duration 20 --warmup 15 --claimers 64 --segments 1,16 --stock 50000000 --sellout-stock 2000 --pgbench-jobs 2
                     --existing 200000 --statements false
          [bold]pg-push[/]    PushIssuance of --count coupons vs psql \copy of the same rows vs row-by-row INSERTs (sampled)
                     --count 1000000 --sample 20000 --chunk 5000 --chunks-in-flight 2 --timeout 120 --statements false
          [bold]pg-outbox[/]  OutboxDispatcher messages/s with 1 and 3 dispatchers, and on one hot key
                     --count 20000 --keys 1000 --dispatchers 1,3 --batch 100 --timeout 90 --hot-duration 10
          [bold]redis[/]      RedisClaimGate reservations/s vs redis-benchmark EVALSHA of the same reserve.lua (unpipelined and -P 16)
                     --duration 20 --warmup 3 --clients 50 --pipeline 16 --stock 1000000000
          [bold]all[/]        every mode in sequence; scope an option to one mode as --pg-claims.duration 30

        Shared: --pg-bin /usr/lib/postgresql/15/bin  --redis-server redis-server  --redis-benchmark redis-benchmark
        """);
}
