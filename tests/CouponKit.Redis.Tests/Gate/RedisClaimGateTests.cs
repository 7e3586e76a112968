using System.Diagnostics;
using CouponKit.InMemory;
using CouponKit.Issuance;
using CouponKit.Ports;
using CouponKit.Redis.Internal;
using CouponKit.Redis.Tests.Fixtures;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace CouponKit.Redis.Tests.Gate;

/// <summary>What the Redis gate does beyond the conformance suite: key layout, NOSCRIPT recovery, failing closed.</summary>
[Collection(RedisGroup.Name)]
public sealed class RedisClaimGateTests(RedisServerFixture redis)
{
    /// <summary>Short timeouts for outages, so that the tests stay bounded.</summary>
    private static string Unreachable(int port) =>
        $"127.0.0.1:{port},abortConnect=false,connectTimeout=500,syncTimeout=1000,asyncTimeout=1000,connectRetry=0";

    [Fact]
    public async Task WarmUp_KeysShareTheTemplatesHashTag()
    {
        var prefix = RedisServerFixture.NewPrefix();
        var gate = new RedisClaimGate(redis.Connection(prefix));

        await gate.WarmUpAsync("t:1", 7, new Dictionary<string, int> { ["a"] = 2 }, default);
        await gate.TryReserveAsync(new("t:1", "b", 1, "k1"), default);

        var db = redis.Multiplexer.GetDatabase();
        Assert.Equal(6, (int)await db.StringGetAsync($"{prefix}:{{t:1}}:stock"));
        Assert.Equal(2, (int)await db.HashGetAsync($"{prefix}:{{t:1}}:users", "a"));
        Assert.True(await db.SetContainsAsync($"{prefix}:{{t:1}}:keys", "k1"));
        Assert.Single(RedisKeys.Gate(prefix, "t:1").Select(k => redis.Multiplexer.HashSlot(k)).Distinct());
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("we}ird")]
    [InlineData("we{ir}d")]
    [InlineData("{}")]
    public void Keys_AnyTemplateId_ShareOneSlot(string templateId)
    {
        var keys = RedisKeys.Gate("couponkit", templateId);

        Assert.Single(keys.Select(k => redis.Multiplexer.HashSlot(k)).Distinct());
        Assert.Equal($"couponkit:{{{templateId}}}:stock", keys[0].ToString());
    }

    [Fact]
    public async Task Calls_Cancelled_ThrowBeforeSendingAnything()
    {
        var gate = new RedisClaimGate(redis.Connection());
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gate.WarmUpAsync("t", 1, new Dictionary<string, int>(), cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gate.TryReserveAsync(new("t", "u", 1, "k"), cancelled.Token));
        Assert.Equal(ClaimGateStatus.NotWarmedUp, (await gate.TryReserveAsync(new("t", "u", 1, "k"), default)).Status);
    }

    [Fact]
    public async Task TryReserve_ScriptFlushedBetweenCalls_LoadsAgainAndCarriesOn()
    {
        var gate = new RedisClaimGate(redis.Connection());
        await gate.WarmUpAsync("t", 3, new Dictionary<string, int>(), default);
        Assert.Equal(ClaimGateStatus.Reserved, (await gate.TryReserveAsync(new("t", "a", 1, "k1"), default)).Status);
        await gate.ReleaseAsync(new("t", "a", 1, "never-reserved"), default);

        await redis.Multiplexer.GetServers()[0].ScriptFlushAsync();
        var after = await gate.TryReserveAsync(new("t", "b", 1, "k2"), default);
        await redis.Multiplexer.GetServers()[0].ScriptFlushAsync();
        await gate.ReleaseAsync(new("t", "b", 1, "k2"), default);

        Assert.Equal(new ClaimGateDecision(ClaimGateStatus.Reserved, 1), after);
        Assert.Equal(2, gate.ScriptReloads);
        Assert.Equal(new ClaimGateDecision(ClaimGateStatus.Reserved, 1), await gate.TryReserveAsync(new("t", "c", 1, "k3"), default));
    }

    [Fact]
    public async Task TryReserve_RunsByEvalsha()
    {
        var gate = new RedisClaimGate(redis.Connection());
        var server = redis.Multiplexer.GetServers()[0];
        await gate.WarmUpAsync("t", 3, new Dictionary<string, int>(), default);
        await gate.TryReserveAsync(new("t", "a", 1, "k0"), default);
        var before = await CommandCallsAsync(server);

        for (var i = 1; i <= 10; i++)
        {
            await gate.TryReserveAsync(new("t", "u" + i, 1, "k" + i), default);
        }

        var after = await CommandCallsAsync(server);
        Assert.Equal(10, after.EvalSha - before.EvalSha);
        Assert.Equal(0, after.Eval - before.Eval);
    }

    [Fact]
    public async Task TryReserve_NothingListens_ThrowsTypedException()
    {
        var port = RedisServer.FreePort();
        var gate = new RedisClaimGate(new RedisConnection(() => ConnectionMultiplexer.Connect(Unreachable(port)), "ck"));
        var clock = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<CouponKitRedisException>(() => gate.TryReserveAsync(new("t", "a", 1, "k1"), default));

        Assert.Equal(CouponKitRedisException.Code, ex.ErrorCode);
        Assert.Equal("claim-gate.reserve", ex.Operation);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), clock.Elapsed.ToString());
        await Assert.ThrowsAsync<CouponKitRedisException>(() => gate.WarmUpAsync("t", 1, new Dictionary<string, int>(), default));
        await Assert.ThrowsAsync<CouponKitRedisException>(() => gate.ReleaseAsync(new("t", "a", 1, "k1"), default));
    }

    [Fact]
    public async Task TryReserve_ConnectFails_ThrowsTypedExceptionAndRetriesNextTime()
    {
        var calls = 0;
        var gate = new RedisClaimGate(new RedisConnection(() => { calls++; throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, CommandFlags.None, "down", null, CommandStatus.Unknown); }, "ck"));

        var ex = await Assert.ThrowsAsync<CouponKitRedisException>(() => gate.TryReserveAsync(new("t", "a", 1, "k1"), default));
        await Assert.ThrowsAsync<CouponKitRedisException>(() => gate.TryReserveAsync(new("t", "a", 1, "k1"), default));

        Assert.Equal("connect", ex.Operation);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task TryReserve_ServerStopped_ThrowsTypedException()
    {
        await using var server = await RedisServer.StartAsync();
        using var multiplexer = await ConnectionMultiplexer.ConnectAsync(Unreachable(server.Port));
        var gate = new RedisClaimGate(new RedisConnection(multiplexer));
        await gate.WarmUpAsync("t", 5, new Dictionary<string, int>(), default);
        Assert.Equal(ClaimGateStatus.Reserved, (await gate.TryReserveAsync(new("t", "a", 1, "k1"), default)).Status);

        server.Stop();

        await Assert.ThrowsAsync<CouponKitRedisException>(() => gate.TryReserveAsync(new("t", "b", 1, "k2"), default));
    }

    [Fact]
    public async Task Claim_RedisDown_FailsClosedWithoutIssuing()
    {
        var time = new FakeTimeProvider(Shop.Now);
        var store = new InMemoryCouponKitStore();
        var templates = new CouponTemplates(store, time);
        await templates.CreateAsync(Shop.Draft("t1", 10));
        await templates.ActivateAsync("t1");
        var gate = new RedisClaimGate(new RedisConnection(() => ConnectionMultiplexer.Connect(Unreachable(RedisServer.FreePort())), "ck"));
        await using var bus = new InMemoryMessageBus(time, store);
        var claims = new CouponClaims(store, store, new InMemoryRateLimiter(time), new InMemoryPointsLedger(), bus, time, Options.Create(new CouponKitOptions()), claimGate: gate);

        var ex = await Assert.ThrowsAsync<CouponKitRedisException>(() =>
            claims.ClaimAsync(new ClaimRequest { TemplateId = "t1", User = new UserProfile("u1"), IdempotencyKey = "k1" }));

        Assert.Equal(CouponKitRedisException.Code, ex.ErrorCode);
        Assert.Empty(store.Coupons);
        Assert.Equal(10, (await templates.GetStockAsync("t1")).Remaining);
    }

    private static async Task<(long Eval, long EvalSha)> CommandCallsAsync(IServer server)
    {
        var info = await server.InfoAsync("commandstats");
        long Calls(string command) =>
            info.SelectMany(g => g).Where(p => p.Key == "cmdstat_" + command)
                .Select(p => long.Parse(p.Value.Split(',')[0]["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture))
                .FirstOrDefault();
        return (Calls("eval"), Calls("evalsha"));
    }
}
