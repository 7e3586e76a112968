using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using CouponKit.LoadTest.Infrastructure;
using CouponKit.Ports;
using CouponKit.Redis;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using StackExchange.Redis;

namespace CouponKit.LoadTest.Modes;

/// <summary>
/// Claim-gate reservations per second through CouponKit's Redis gate (<see cref="IClaimGate"/> from <c>UseRedis</c>), next to
/// <c>redis-benchmark</c> running the same <c>reserve.lua</c> by EVALSHA on the same server, unpipelined and 16-deep pipelined.
/// </summary>
internal static partial class RedisMode
{
    public const string Name = "redis";
    private const double Target = 1.0;
    private const double Aim = 0.5;
    private const string Prefix = RedisCouponKitOptions.DefaultKeyPrefix;

    public static async Task RunAsync(Args args, Report report)
    {
        var duration = args.Seconds("--duration", 20, 1);
        var warmUp = args.Seconds("--warmup", 3);
        var clients = args.Int("--clients", 50, 1, 1_000);
        var pipeline = args.Int("--pipeline", 16, 1, 1_000);
        var stock = args.Int("--stock", 1_000_000_000, 1);
        var redisServer = args.String("--redis-server", "redis-server");
        var benchmark = Shell.Which(args.String("--redis-benchmark", "redis-benchmark"));
        args.ThrowIfUnknown();

        var loadBefore = Machine.Load();
        await using var server = await RedisServer.StartAsync(redisServer).ConfigureAwait(false);
        var benchmarkVersion = await Shell.VersionOfAsync(benchmark).ConfigureAwait(false);
        var script = ReadReserveScript();
        var sha = Convert.ToHexStringLower((byte[])(await server.ServerApi.ScriptLoadAsync(script).ConfigureAwait(false))!);

        // redis-benchmark: its own template's keys, same script. __rand_int__ (0 .. -r) gives a fresh user id and claim key per call.
        string[] benchKeys = Keys("rb");
        var keyspace = 2_000_000_000;
        async Task<(double Rps, long Requests, string Check)> Benchmark(int depth)
        {
            await Reset(server, benchKeys, stock).ConfigureAwait(false);
            var calibrate = await RunBenchmarkAsync(benchmark, server, sha, benchKeys, clients, depth, 50_000, keyspace).ConfigureAwait(false);
            await Reset(server, benchKeys, stock).ConfigureAwait(false);
            var requests = (long)Math.Max(50_000, calibrate.Rps * duration.TotalSeconds);
            var run = await RunBenchmarkAsync(benchmark, server, sha, benchKeys, clients, depth, requests, keyspace).ConfigureAwait(false);
            var check = await CheckAsync(server, benchKeys, stock, requests, null).ConfigureAwait(false);
            return (run.Rps, requests, check);
        }

        var unpipelined = await Benchmark(1).ConfigureAwait(false);

        // CouponKit: the gate as the claim path uses it, one multiplexer shared by the callers (StackExchange.Redis pipelines
        // concurrent commands on its connection by itself).
        var services = new ServiceCollection();
        services.AddCouponKit().UseRedis(o => o.Configuration = server.Endpoint + ",abortConnect=false");
        await using var provider = services.BuildServiceProvider();
        var gate = provider.GetRequiredService<IClaimGate>();
        const string Template = "ck";
        string[] ckKeys = Keys(Template);
        await gate.WarmUpAsync(Template, stock, new Dictionary<string, int>(), CancellationToken.None).ConfigureAwait(false);
        if (!await server.Db.KeyExistsAsync(ckKeys[0]).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"The gate's stock key is not {ckKeys[0]}: the key layout changed; update {nameof(RedisMode)}.");
        }

        var result = await ClosedLoop.RunAsync(
            $"CouponKit RedisClaimGate, {clients} callers",
            clients,
            warmUp,
            duration,
            async n =>
            {
                var id = n.ToString("D12", CultureInfo.InvariantCulture); // as long as redis-benchmark's __rand_int__
                var decision = await gate.TryReserveAsync(new ClaimGateRequest(Template, "user:" + id, 1, "claim:" + id), CancellationToken.None).ConfigureAwait(false);
                return decision.Status.ToString();
            },
            prime: 20).ConfigureAwait(false);
        var ckCheck = await CheckAsync(server, ckKeys, stock, result.Outcomes.Values.Sum(), result.Outcome(nameof(ClaimGateStatus.Reserved))).ConfigureAwait(false);

        var pipelined = await Benchmark(pipeline).ConfigureAwait(false);

        var vsUnpipelined = result.PerSecond / unpipelined.Rps;
        var vsPipelined = result.PerSecond / pipelined.Rps;
        report.Heading($"Redis claim gate (`{Name}`), {Report.Now()}");
        report.Bullets([
            $"Server: redis-server {server.Version} on 127.0.0.1, no persistence (`--save \"\" --appendonly no`). Client and server share the machine's cores.",
            $"Script: CouponKit's `reserve.lua` (SHA-1 `{sha[..12]}…`, loaded with SCRIPT LOAD), KEYS `{Prefix}:{{template}}:stock`, `:users` (hash), `:keys` (set); ARGV user id, per-user limit 1, claim key. A call that reserves does GET, SISMEMBER, HGET, DECR, HINCRBY and SADD. Stock {N(stock)}: it never runs out.",
            $"Baseline: `{benchmarkVersion}`, `redis-benchmark -c {clients} -n <N> -r {N(keyspace)} [-P {pipeline}] EVALSHA <sha> 3 <stock> <users> <keys> user:__rand_int__ 1 claim:__rand_int__`, N sized to about {Secs(duration)} s from a 50,000-request calibration; the keys are reset before each run. Each `__rand_int__` is drawn separately from 0..{N(keyspace)}, so nearly every call is a new user with a new claim key and takes the full reserving path, as CouponKit's calls do (user and claim-key lengths are the same). Comparable: same server, script, keys and work per call; it differs in the client (C, one connection per client, no result parsing) and in a few repeated random ids (counted in the check below).",
            $"CouponKit: `IClaimGate.TryReserveAsync` from `AddCouponKit().UseRedis(...)` (`RedisClaimGate`: EVALSHA through StackExchange.Redis, one multiplexed connection), {clients} concurrent callers in a closed loop, a new user and claim key per call, {Secs(warmUp)} s warm-up then {Secs(duration)} s measured.",
            $"Load average (1/5/15 min): {loadBefore} before, {Machine.Load()} after.",
        ]);
        report.Table(
            ["Run", "Calls/s", "CouponKit vs this", "Calls", "Check (stock taken = users recorded = claim keys recorded)"],
            [
                [$"redis-benchmark EVALSHA, {clients} clients, unpipelined", N(unpipelined.Rps), $"{Report.Ratio(vsUnpipelined)} (target ≥ {Target}x: {Report.Verdict(vsUnpipelined >= Target)})", N(unpipelined.Requests), unpipelined.Check],
                [$"redis-benchmark EVALSHA, {clients} clients, `-P {pipeline}`", N(pipelined.Rps), $"{Report.Ratio(vsPipelined)} (aim ≥ {Aim}x: {Report.Verdict(vsPipelined >= Aim)})", N(pipelined.Requests), pipelined.Check],
                [$"CouponKit `RedisClaimGate`, {clients} callers", N(result.PerSecond), "—", N(result.Completed), $"p50 {result.P50.TotalMilliseconds:0.00} ms, p99 {result.P99.TotalMilliseconds:0.00} ms; {ckCheck}"],
            ],
            [false, true, false, true, false]);
    }

    private static string[] Keys(string template) => [$"{Prefix}:{{{template}}}:stock", $"{Prefix}:{{{template}}}:users", $"{Prefix}:{{{template}}}:keys"];

    private static async Task Reset(RedisServer server, string[] keys, int stock)
    {
        await server.Db.KeyDeleteAsync(keys.Select(k => (RedisKey)k).ToArray()).ConfigureAwait(false);
        await server.Db.StringSetAsync(keys[0], stock).ConfigureAwait(false);
    }

    /// <summary>Stock taken = users recorded = claim keys recorded (and = Reserved results when known).</summary>
    private static async Task<string> CheckAsync(RedisServer server, string[] keys, int stock, long calls, long? reserved)
    {
        var left = (long)await server.Db.StringGetAsync(keys[0]).ConfigureAwait(false);
        var users = await server.Db.HashLengthAsync(keys[1]).ConfigureAwait(false);
        var claimKeys = await server.Db.SetLengthAsync(keys[2]).ConfigureAwait(false);
        var taken = stock - left;
        var consistent = taken == users && users == claimKeys && (reserved is null || reserved == taken);
        var text = $"{N(taken)} reserved of {N(calls)} calls ({100.0 * taken / Math.Max(calls, 1):0.00}%)";
        return consistent ? text + ", consistent" : $"**INCONSISTENT**: stock taken {N(taken)}, users {N(users)}, keys {N(claimKeys)}, reserved results {reserved}";
    }

    private static async Task<(double Rps, string Output)> RunBenchmarkAsync(string benchmark, RedisServer server, string sha, string[] keys, int clients, int depth, long requests, int keyspace)
    {
        string[] arguments = [
            "-h", "127.0.0.1", "-p", server.Port.ToString(CultureInfo.InvariantCulture),
            "-c", clients.ToString(CultureInfo.InvariantCulture), "-n", requests.ToString(CultureInfo.InvariantCulture),
            "-r", keyspace.ToString(CultureInfo.InvariantCulture), "-P", depth.ToString(CultureInfo.InvariantCulture), "-q",
            "EVALSHA", sha, "3", keys[0], keys[1], keys[2], "user:__rand_int__", "1", "claim:__rand_int__",
        ];
        ProcessResult result = null!;
        await AnsiConsole.Status().StartAsync($"redis-benchmark -c {clients} -n {requests:N0} -P {depth} EVALSHA reserve.lua...", async _ =>
        {
            result = (await Shell.RunAsync(benchmark, arguments).ConfigureAwait(false)).EnsureSuccess("redis-benchmark");
        }).ConfigureAwait(false);
        var match = RpsPattern().Matches(result.Output).LastOrDefault()
            ?? throw new InvalidOperationException("redis-benchmark printed no rate:\n" + result.Output + result.Error);
        var rps = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        AnsiConsole.MarkupLine(Markup.Escape($"redis-benchmark -P {depth}: {rps:N0} calls/s ({requests:N0} calls)"));
        return (rps, result.Output);
    }

    private static string ReadReserveScript()
    {
        const string Resource = "CouponKit.Redis.Scripts.reserve.lua";
        using var stream = typeof(RedisCouponKitOptions).Assembly.GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"{Resource} is not embedded in CouponKit.Redis.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    private static string N(double value) => Report.N(value);

    private static string Secs(TimeSpan t) => ((int)Math.Ceiling(t.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"([0-9.]+) requests per second")]
    private static partial Regex RpsPattern();
}
