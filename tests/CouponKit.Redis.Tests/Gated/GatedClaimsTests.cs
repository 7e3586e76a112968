using System.Diagnostics.Metrics;
using CouponKit.Issuance;
using CouponKit.Issuance.Gated;
using CouponKit.Redis.Internal;
using CouponKit.Redis.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;

namespace CouponKit.Redis.Tests.Gated;

/// <summary>The gated claim flow step by step: pending then issued, polling, failing closed or falling back, reconciliation reports.</summary>
[Collection(RedisGroup.Name)]
public sealed class GatedClaimsTests(RedisServerFixture redis)
{
    private static string Unreachable() =>
        $"127.0.0.1:{RedisServer.FreePort()},abortConnect=false,connectTimeout=300,syncTimeout=500,asyncTimeout=500,connectRetry=0";

    [Fact]
    public async Task Submit_Accepted_IsPendingThenIssued_AndASecondSubmitWithTheKeyAnswersTheSame()
    {
        await using var world = await GatedWorld.CreateAsync(redis.Configuration);
        await world.CreateActiveAsync("t", 2);
        await world.Reconciler.WarmUpAsync("t");

        var first = await world.Claims.SubmitAsync(Claim("a", "k1"));
        var pendingOrIssued = await world.Claims.GetStatusAsync("k1");
        await world.DrainAsync("t");
        var polled = await world.Claims.GetStatusAsync("k1");
        var again = await world.Claims.SubmitAsync(Claim("a", "k1"));
        var limit = await world.Claims.SubmitAsync(Claim("a", "k2"));

        Assert.Equal(GatedClaimStatus.Pending, first.Status);
        Assert.Contains(pendingOrIssued.Status, new[] { GatedClaimStatus.Pending, GatedClaimStatus.Issued });
        Assert.Equal(GatedClaimStatus.Issued, polled.Status);
        Assert.Equal("a", polled.Coupon!.UserId);
        Assert.Equal(GatedClaimStatus.Issued, again.Status);
        Assert.Equal(polled.Coupon.CouponId, again.Coupon!.CouponId);
        Assert.Equal(ClaimRejection.LimitReached, limit.Rejection);
        Assert.Equal(GatedClaimStatus.Unknown, (await world.Claims.GetStatusAsync("never")).Status);
        Assert.Equal(1, (await world.Templates.GetStockAsync("t")).Issued);
    }

    [Fact]
    public async Task Submit_NotWarmedUp_IssuesThroughTheDatabaseAtOnce()
    {
        await using var world = await GatedWorld.CreateAsync(redis.Configuration);
        await world.CreateActiveAsync("cold", 1);

        var result = await world.Claims.SubmitAsync(Claim("a", "k1", "cold"));

        Assert.Equal(GatedClaimStatus.Issued, result.Status);
        Assert.NotNull(await world.Coupons.FindByClaimKeyAsync("k1", default));
    }

    [Fact]
    public async Task Submit_RedisDown_FailsClosedWithTheTypedErrorAndIssuesNothing()
    {
        await using var world = await GatedWorld.CreateAsync(Unreachable());
        await world.CreateActiveAsync("t", 5);

        var ex = await Assert.ThrowsAsync<CouponKitRedisException>(() => world.Claims.SubmitAsync(Claim("a", "k1")));

        Assert.Equal("claim-gate.reserve", ex.Operation);
        Assert.Null(await world.Coupons.FindByClaimKeyAsync("k1", default));
        Assert.Equal(0, (await world.Templates.GetStockAsync("t")).Issued);
    }

    [Fact]
    public async Task Submit_RedisDownWithFallbackToDatabase_IssuesThroughTheDatabaseWithARecord()
    {
        await using var world = await GatedWorld.CreateAsync(Unreachable(), redis: o => o.FallbackToDatabase = true);
        await world.CreateActiveAsync("t", 1);

        var issued = await world.Claims.SubmitAsync(Claim("a", "k1"));
        var soldOut = await world.Claims.SubmitAsync(Claim("b", "k2"));

        Assert.Equal(GatedClaimStatus.Issued, issued.Status);
        Assert.Equal(issued.Coupon!.CouponId, (await world.Coupons.FindByClaimKeyAsync("k1", default))!.CouponId);
        Assert.Equal(ClaimRejection.SoldOut, soldOut.Rejection);
        Assert.Equal(1, (await world.Templates.GetStockAsync("t")).Issued);
    }

    [Fact]
    public async Task Reconcile_DriftedGate_ReportsEachDifferenceLogsCountsAndRepairs()
    {
        var prefix = RedisServerFixture.NewPrefix();
        await using var world = await GatedWorld.CreateAsync(redis.Configuration, prefix);
        await world.CreateActiveAsync("t", 10);
        await world.Reconciler.WarmUpAsync("t");
        await world.Claims.SubmitAsync(Claim("a", "k1"));
        await world.DrainAsync("t");
        var keys = RedisKeys.Gate(prefix, "t");
        var db = redis.Multiplexer.GetDatabase();
        await db.StringSetAsync(keys[0], 4);
        await db.HashSetAsync(keys[1], "ghost", 1);
        await db.HashDeleteAsync(keys[1], "a");
        await db.SetAddAsync(keys[2], "lost-key");
        var drift = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "couponkit.redis.reconcile.drift")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            lock (drift)
            {
                drift.Add((string)tags[0].Value!);
            }
        });
        listener.Start();

        var report = await world.Reconciler.ReconcileAsync("t");
        var again = await world.Reconciler.ReconcileAsync("t");

        Assert.True(report.Repaired);
        Assert.Equal(
            new GateDrift[] { new StockDrift("t", 4, 9), new HolderDrift("t", "a", 0, 1), new HolderDrift("t", "ghost", 1, 0), new OrphanReservation("t", "lost-key") },
            report.Differences);
        Assert.True(again.InSync);
        Assert.Equal(9, (int)await db.StringGetAsync(keys[0]));
        Assert.False(await db.SetContainsAsync(keys[2], "lost-key"));
        Assert.True(await db.SetContainsAsync(keys[2], "k1"));
        lock (drift)
        {
            Assert.Equal(["holder", "holder", "orphan-reservation", "stock"], drift.Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task Reconcile_ClaimInFlight_CountsItAsTakenAndKeepsItsReservation()
    {
        var prefix = RedisServerFixture.NewPrefix();
        await using var world = await GatedWorld.CreateAsync(redis.Configuration, prefix);
        await world.CreateActiveAsync("t", 3);
        var pending = world.Services.GetRequiredService<IPendingClaimStore>();
        await world.Reconciler.WarmUpAsync("t");
        await pending.AddAsync(new PendingClaim("k-in-flight", "t", "z", 1, ClaimChannels.Grab, TimeProvider.System.GetUtcNow()), default);

        var report = await world.Reconciler.ReconcileAsync("t");

        Assert.Equal(1, report.InFlight);
        Assert.Equal(2, report.ExpectedStock);
        Assert.Contains(new HolderDrift("t", "z", 0, 1), report.Differences);
        Assert.True(await redis.Multiplexer.GetDatabase().SetContainsAsync(RedisKeys.Gate(prefix, "t")[2], "k-in-flight"));
        Assert.True((await world.Reconciler.ReconcileAsync("t")).InSync);
    }

    private static ClaimRequest Claim(string user, string key, string template = "t") => new() { TemplateId = template, User = new UserProfile(user), IdempotencyKey = key };
}
