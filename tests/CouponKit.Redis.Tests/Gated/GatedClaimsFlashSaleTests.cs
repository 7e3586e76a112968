using System.Collections.Concurrent;
using CouponKit.Issuance;
using CouponKit.Issuance.Gated;
using CouponKit.Messaging;
using CouponKit.Redis.Tests.Fixtures;

namespace CouponKit.Redis.Tests.Gated;

/// <summary>The asynchronous claim flow (Redis accepts → Issue command → database insert) at flash-sale scale and under faults.</summary>
[Collection(RedisGroup.Name)]
public sealed class GatedClaimsFlashSaleTests(RedisServerFixture redis)
{
    [Fact]
    public async Task FlashSale_100000AttemptsFrom20000UsersOn1000Stock_AcceptsExactlyTheStockAndTheDatabaseHoldsTheSame()
    {
        const int Tasks = 64, Attempts = 100_000, Users = 20_000, Stock = 1_000;
        await using var world = await GatedWorld.CreateAsync(redis.Configuration);
        await world.CreateActiveAsync("flash", Stock);
        var warm = await world.Reconciler.WarmUpAsync("flash");
        var accepted = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var refusals = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);

        await Task.WhenAll(Enumerable.Range(0, Tasks).Select(task => Task.Run(async () =>
        {
            for (var n = task; n < Attempts; n += Tasks)
            {
                var user = "u" + ((n * 7919L) % Users);
                var result = await world.Claims.SubmitAsync(new ClaimRequest { TemplateId = "flash", User = new UserProfile(user), IdempotencyKey = "k" + n });
                if (result.Status == GatedClaimStatus.Pending)
                {
                    Assert.True(accepted.TryAdd(result.ClaimKey, user));
                }
                else
                {
                    refusals.AddOrUpdate(result.ToString()[..result.ToString().IndexOf(':', StringComparison.Ordinal)], 1, (_, c) => c + 1);
                }
            }
        })));
        await world.DrainAsync("flash");

        Assert.Equal(new StockDrift("flash", null, Stock), Assert.Single(warm.Differences));
        Assert.Equal(Stock, accepted.Count);
        Assert.Equal(Attempts - Stock, refusals.Values.Sum());
        Assert.True(refusals.Keys.All(k => k is "Rejected SoldOut" or "Rejected LimitReached"), string.Join(", ", refusals.Keys));
        Assert.Equal(Stock, (await world.Templates.GetStockAsync("flash")).Issued);
        foreach (var (key, user) in accepted)
        {
            var coupon = await world.Coupons.FindByClaimKeyAsync(key, default);
            Assert.NotNull(coupon);
            Assert.Equal(user, coupon.UserId);
            Assert.Equal(GatedClaimStatus.Issued, (await world.Claims.GetStatusAsync(key)).Status);
        }

        var holders = await world.Holders.CountHoldersAsync("flash", default);
        Assert.Equal(Stock, holders.Count);
        Assert.True(holders.Values.All(c => c == 1));
        Assert.True((await world.Reconciler.ReconcileAsync("flash")).InSync);
        Assert.Empty(await world.DeadLetters.ListAsync(10, default));
    }

    [Fact]
    public async Task Burst_RedisKilledAndRestartedMidway_FailsClosedThenAfterReconciliationRedisAndDatabaseAgree()
    {
        const int Tasks = 16, Attempts = 12_000, Users = 3_000, Stock = 300;
        await using var server = await RedisServerFixture.StartDedicatedAsync();
        await using var world = await GatedWorld.CreateAsync(
            server.Configuration.Replace("syncTimeout=15000,asyncTimeout=15000", "syncTimeout=1000,asyncTimeout=1000", StringComparison.Ordinal),
            redis: o => { o.InFlightTimeout = TimeSpan.FromSeconds(5); o.PendingClaimRetention = TimeSpan.FromMinutes(5); },
            gated: o => { o.MaxDeliveryAttempts = 200; o.MaxBackoff = TimeSpan.FromMilliseconds(200); });
        await world.CreateActiveAsync("flash", Stock);
        await world.Reconciler.WarmUpAsync("flash");
        var accepted = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var failedClosed = 0;
        var done = 0;
        using var killed = new SemaphoreSlim(0);

        var burst = Task.WhenAll(Enumerable.Range(0, Tasks).Select(task => Task.Run(async () =>
        {
            for (var n = task; n < Attempts; n += Tasks)
            {
                var user = "u" + ((n * 7919L) % Users);
                try
                {
                    var result = await world.Claims.SubmitAsync(new ClaimRequest { TemplateId = "flash", User = new UserProfile(user), IdempotencyKey = "k" + n });
                    if (result.Status == GatedClaimStatus.Pending)
                    {
                        accepted.TryAdd(result.ClaimKey, user);
                    }
                }
                catch (CouponKitRedisException)
                {
                    Interlocked.Increment(ref failedClosed);
                }

                if (Interlocked.Increment(ref done) == Attempts / 3)
                {
                    server.Kill(keepData: true);
                    killed.Release();
                }
            }
        })));
        await killed.WaitAsync();
        await Task.Delay(300);
        await server.RestartAsync();
        await burst;

        // The snapshot brought back claims settled after it (still "pending" in Redis): reconciliation settles those the
        // database holds, and abandons the others after the in-flight timeout.
        await world.DrainAsync("flash", () => world.Reconciler.ReconcileAsync("flash"));
        var report = await world.Reconciler.ReconcileAsync("flash");
        var again = await world.Reconciler.ReconcileAsync("flash");

        Assert.True(failedClosed > 0, "some claims should have met the outage");
        Assert.True(report.Repaired);
        Assert.True(again.InSync, string.Join("\n", again.Differences));
        var stock = await world.Templates.GetStockAsync("flash");
        var holders = await world.Holders.CountHoldersAsync("flash", default);
        Assert.True(holders.Values.All(c => c == 1));
        Assert.Equal(stock.Issued, holders.Values.Sum());
        foreach (var (key, user) in accepted)
        {
            var status = await world.Claims.GetStatusAsync(key);
            Assert.NotEqual(GatedClaimStatus.Pending, status.Status);
            if (status.Status == GatedClaimStatus.Issued)
            {
                Assert.Equal(user, status.Coupon!.UserId);
            }
        }

        Assert.True(stock.Issued <= accepted.Count, $"issued {stock.Issued}, accepted {accepted.Count}");
        Assert.Equal(stock.Remaining, again.ExpectedStock);
    }

    [Fact]
    public async Task Burst_DeliveryDuplicatedReorderedDelayed_AndDatabaseRefusingSome_AfterDrainRedisAndDatabaseAgree()
    {
        const int Tasks = 16, Attempts = 8_000, Users = 2_000, Stock = 400;
        ChaosBus? chaos = null;
        RefusingCouponStore? refusing = null;
        static int Hash(string key) => int.Parse(key.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
        await using var world = await GatedWorld.CreateAsync(
            redis.Configuration,
            wrapBus: (_, inner) => chaos = new ChaosBus(inner, seed: 42, duplicate: 0.3, delay: 0.3, maxDelay: TimeSpan.FromMilliseconds(300), CouponTopics.Issue),
            wrapStore: inner => refusing = new RefusingCouponStore(inner, refuse: k => Hash(k) % 11 == 0, failTransiently: k => Hash(k) % 7 == 0, failAlways: k => Hash(k) % 53 == 0));
        await world.CreateActiveAsync("flash", Stock);
        await world.Reconciler.WarmUpAsync("flash");
        var accepted = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);

        await Task.WhenAll(Enumerable.Range(0, Tasks).Select(task => Task.Run(async () =>
        {
            for (var n = task; n < Attempts; n += Tasks)
            {
                var user = "u" + ((n * 7919L) % Users);
                var result = await world.Claims.SubmitAsync(new ClaimRequest { TemplateId = "flash", User = new UserProfile(user), IdempotencyKey = "k" + n });
                if (result.Status == GatedClaimStatus.Pending)
                {
                    Assert.True(accepted.TryAdd(result.ClaimKey, user));
                }
            }
        })));
        await world.DrainAsync("flash", async () =>
        {
            var wait = chaos!.LastDue - TimeProvider.System.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
        });
        var report = await world.Reconciler.ReconcileAsync("flash");

        Assert.True(chaos!.Duplicated > 0 && chaos.Delayed > 0);
        Assert.True(refusing!.Refused > 0);
        Assert.True(report.InSync, string.Join("\n", report.Differences));
        var stock = await world.Templates.GetStockAsync("flash");
        var holders = await world.Holders.CountHoldersAsync("flash", default);
        Assert.True(holders.Values.All(c => c == 1));
        Assert.Equal(stock.Issued, holders.Values.Sum());
        var issued = 0;
        foreach (var (key, user) in accepted)
        {
            var status = await world.Claims.GetStatusAsync(key);
            switch (Hash(key))
            {
                case var h when h % 53 == 0:
                    Assert.Equal(GatedClaimStatus.Failed, status.Status);
                    break;
                case var h when h % 11 == 0:
                    Assert.Equal(GatedClaimStatus.Rejected, status.Status);
                    Assert.Equal(ClaimRejection.LimitReached, status.Rejection);
                    break;
                default:
                    Assert.Equal(GatedClaimStatus.Issued, status.Status);
                    Assert.Equal(user, status.Coupon!.UserId);
                    issued++;
                    break;
            }
        }

        Assert.Equal(issued, stock.Issued);
        Assert.InRange(stock.Issued, 1, Stock);
        Assert.Equal(stock.Remaining, report.ExpectedStock);
        Assert.NotEmpty(await world.DeadLetters.ListAsync(1_000, default));
    }
}
