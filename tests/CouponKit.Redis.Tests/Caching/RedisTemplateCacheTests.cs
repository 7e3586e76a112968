using CouponKit.Caching;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Redis.Caching;
using CouponKit.Redis.Internal;
using CouponKit.Redis.Tests.Fixtures;
using CouponKit.Redis.Tests.Gated;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace CouponKit.Redis.Tests.Caching;

/// <summary>The template cache in Redis: compare-and-set on the version, kept current by the TemplateChanged consumer, also through an outage.</summary>
[Collection(RedisGroup.Name)]
public sealed class RedisTemplateCacheTests(RedisServerFixture redis)
{
    [Fact]
    public async Task Inventory100000To10_WhileRedisIsDown_ConsumerRetriesAndTheCacheReaches10OnceRedisIsBack()
    {
        await using var server = await RedisServerFixture.StartDedicatedAsync();
        var configuration = server.Configuration.Replace("syncTimeout=15000,asyncTimeout=15000", "syncTimeout=500,asyncTimeout=500", StringComparison.Ordinal);
        await using var world = await GatedWorld.CreateAsync(configuration);
        var consumer = world.Services.GetRequiredService<TemplateCacheConsumer>();
        var cache = world.Services.GetRequiredService<ITemplateCache>();
        var reader = world.Services.GetRequiredService<CachedTemplateReader>();
        var attempts = 0;
        Exception? lastError = null;
        var trace = new List<string>();
        var applied = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        await world.SubscribeCacheAsync(async (incoming, ct) =>
        {
            Interlocked.Increment(ref attempts);
            lock (trace)
            {
                trace.Add($"{TimeProvider.System.GetUtcNow():HH:mm:ss.fff} attempt {incoming.DeliveryAttempt} {incoming.Message.MessageId}");
            }

            try
            {
                await consumer.HandleAsync(incoming, ct);
            }
            catch (Exception ex)
            {
                lock (trace)
                {
                    trace.Add($"{TimeProvider.System.GetUtcNow():HH:mm:ss.fff} failed {ex.GetType().Name}");
                }

                lastError = ex;
                throw;
            }

            var change = CouponEvents.Read<CouponEvents.TemplateChange>(incoming.Message);
            if (change.TotalInventory == 10)
            {
                applied.TrySetResult(change.Version);
            }
        });
        var v1 = await world.Templates.CreateAsync(Shop.Draft("big", 100_000));
        var v2 = await world.Templates.ActivateAsync("big");
        await world.DispatchAsync();
        await world.Bus.WhenIdleAsync();
        Assert.Equal((2L, 100_000), await CachedAsync(cache, "big"));

        server.Kill(keepData: true);
        var v3 = await world.Templates.EditAsync("big", new TemplateEdit { TotalInventory = 10 });
        await world.DispatchAsync();
        while (Volatile.Read(ref attempts) < 4)
        {
            await Task.Delay(50); // the consumer fails and retries while Redis is down
        }

        Assert.False(applied.Task.IsCompleted);
        Assert.Equal(10, (await reader.GetAsync("big")).TotalInventory); // the cache fails: the store answers
        await server.RestartAsync();
        using (var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            while (!applied.Task.IsCompleted && !guard.IsCancellationRequested)
            {
                // Pump the in-memory bus: a system timer that fires a little early leaves a retry waiting for the next FireDue.
                await world.Bus.WhenIdleAsync(guard.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                await Task.WhenAny(applied.Task, Task.Delay(100, CancellationToken.None));
            }
        }

        Assert.True(applied.Task.IsCompleted, $"not applied after {attempts} attempts: {string.Join(" | ", trace)}; last error: {lastError?.Message}");
        var version = await applied.Task;

        Assert.Equal(3, version);
        Assert.Equal((3L, 10), await CachedAsync(cache, "big"));
        Assert.Equal(10, (await reader.GetAsync("big")).TotalInventory);

        // Duplicated and reordered deliveries of older (and the same) versions never move it back.
        var bus = world.Services.GetRequiredService<IMessageBus>();
        foreach (var old in new[] { v3, v1, v2, v3, v1 })
        {
            await bus.PublishAsync(CouponEvents.TemplateChanged(old, "replayed") with { MessageId = Guid.NewGuid().ToString("N") }, default);
        }

        await world.Bus.WhenIdleAsync();
        Assert.Equal((3L, 10), await CachedAsync(cache, "big"));
        Assert.Empty(await world.DeadLetters.ListAsync(10, default));
    }

    [Fact]
    public async Task SetIfNewer_ShuffledAndDuplicatedVersions_EndAtTheHighestAndNeverMoveBack()
    {
        // Invariant: whatever the order and repetition of writes, the cache only ever moves to a higher version and ends at the highest.
        var templates = await VersionsAsync("t", 8);
        for (var seed = 0; seed < 20; seed++)
        {
            var random = new Random(seed);
            var writes = templates.Concat(templates.Where(_ => random.Next(2) == 0)).OrderBy(_ => random.Next()).ToArray();
            foreach (ITemplateCache cache in new ITemplateCache[] { new InMemoryTemplateCache(), new RedisTemplateCache(redis.Connection(), Options.Create(new RedisCouponKitOptions())) })
            {
                var seen = 0L;
                foreach (var write in writes)
                {
                    var written = await cache.SetIfNewerAsync(write, default);
                    var now = (await cache.GetAsync("t", default))!.Version;
                    Assert.True(now >= seen);
                    Assert.Equal(write.Version > seen, written);
                    seen = now;
                }

                Assert.Equal(8, seen);
            }
        }
    }

    [Fact]
    public async Task Get_RoundTripsTheTemplateWithItsRuleAndExpiresAfterTheConfiguredTime()
    {
        var prefix = RedisServerFixture.NewPrefix();
        var cache = new RedisTemplateCache(redis.Connection(prefix), Options.Create(new RedisCouponKitOptions { TemplateCacheExpiry = TimeSpan.FromMinutes(5) }));
        var template = (await VersionsAsync("round", 2))[1];

        Assert.True(await cache.SetIfNewerAsync(template, default));
        var back = await cache.GetAsync("round", default);

        Assert.NotNull(back);
        Assert.Equal((template.Id, template.Version, template.State, template.TotalInventory, template.Name, template.PerUserLimit), (back.Id, back.Version, back.State, back.TotalInventory, back.Name, back.PerUserLimit));
        Assert.Equal(template.Rule.GetType(), back.Rule.GetType());
        var ttl = await redis.Multiplexer.GetDatabase().KeyTimeToLiveAsync(RedisKeys.Template(prefix, "round"));
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
        await redis.Multiplexer.GetDatabase().HashSetAsync(RedisKeys.Template(prefix, "round"), "d", "{not json");
        Assert.Null(await cache.GetAsync("round", default));
    }

    [Fact]
    public async Task Get_RoundTripsTheEligibilityOptions()
    {
        var prefix = RedisServerFixture.NewPrefix();
        var cache = new RedisTemplateCache(redis.Connection(prefix), Options.Create(new RedisCouponKitOptions()));
        var draft = Shop.Draft("eligible", 10) with
        {
            PerUserLimitCounts = PerUserLimitCounts.ActiveOnly,
            PerUserLimitKey = PerUserLimitKey.IdentityKey,
            Channels = ClaimChannels.Grab,
            FirstOrderOnly = true,
            OncePerProduct = true,
        };
        var template = CouponTemplate.Restore("eligible", draft, TemplateState.Active, 1, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        var plain = CouponTemplate.Restore("plain", Shop.Draft("plain", 10), TemplateState.Active, 1, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

        Assert.True(await cache.SetIfNewerAsync(template, default));
        Assert.True(await cache.SetIfNewerAsync(plain, default));
        var back = await cache.GetAsync("eligible", default);
        var plainBack = await cache.GetAsync("plain", default);

        Assert.Equal(
            (PerUserLimitCounts.ActiveOnly, PerUserLimitKey.IdentityKey, true, true),
            (back!.PerUserLimitCounts, back.PerUserLimitKey, back.FirstOrderOnly, back.OncePerProduct));
        Assert.Equal(
            (PerUserLimitCounts.EveryClaim, PerUserLimitKey.Account, false, false),
            (plainBack!.PerUserLimitCounts, plainBack.PerUserLimitKey, plainBack.FirstOrderOnly, plainBack.OncePerProduct));
    }

    [Fact]
    public async Task Get_RoundTripsTheBenefit()
    {
        // The cache and the EF Core store share one definition format (TemplateDefinitionJson), benefits included.
        var prefix = RedisServerFixture.NewPrefix();
        var cache = new RedisTemplateCache(redis.Connection(prefix), Options.Create(new RedisCouponKitOptions()));
        var lucky = new CouponKit.Benefits.LuckyCouponBenefit(CouponKit.Benefits.LuckyDraw.Uniform(Money.Of(3m, "CNY"), Money.Of(20m, "CNY")));
        var points = new CouponKit.Benefits.PointsBenefit(250);
        var luckyTemplate = CouponTemplate.Restore("lucky", Shop.Draft("lucky", 10) with { Benefit = lucky }, TemplateState.Active, 1, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        var pointsTemplate = CouponTemplate.Restore("points", Shop.Draft("points", 10) with { Benefit = points }, TemplateState.Active, 1, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

        Assert.True(await cache.SetIfNewerAsync(luckyTemplate, default));
        Assert.True(await cache.SetIfNewerAsync(pointsTemplate, default));

        Assert.Equal(lucky, (await cache.GetAsync("lucky", default))!.Benefit);
        Assert.Equal(points, (await cache.GetAsync("points", default))!.Benefit);
    }

    [Fact]
    public async Task Reader_MissOrCacheDown_AnswersFromTheStoreAndFillsTheCache()
    {
        var store = new CouponKit.InMemory.InMemoryCouponKitStore();
        var templates = new CouponTemplates(store, new FakeTimeProvider(Shop.Now));
        await templates.CreateAsync(Shop.Draft("t", 5));
        var cache = new RedisTemplateCache(redis.Connection(), Options.Create(new RedisCouponKitOptions()));
        var down = new RedisTemplateCache(
            new RedisConnection(() => ConnectionMultiplexer.Connect($"127.0.0.1:{RedisServer.FreePort()},abortConnect=false,connectTimeout=300,asyncTimeout=500,syncTimeout=500,connectRetry=0"), "ck"),
            Options.Create(new RedisCouponKitOptions()));

        Assert.Equal(5, (await new CachedTemplateReader(cache, store).GetAsync("t")).TotalInventory);
        Assert.Equal(1, (await cache.GetAsync("t", default))!.Version);
        Assert.Equal(5, (await new CachedTemplateReader(down, store).GetAsync("t")).TotalInventory);
        await Assert.ThrowsAsync<TemplateNotFoundException>(() => new CachedTemplateReader(cache, store).GetAsync("missing"));
    }

    private static async Task<(long Version, int Inventory)> CachedAsync(ITemplateCache cache, string id)
    {
        var cached = await cache.GetAsync(id, default) ?? throw new InvalidOperationException("not cached");
        return (cached.Version, cached.TotalInventory);
    }

    private static async Task<IReadOnlyList<CouponTemplate>> VersionsAsync(string id, int count)
    {
        var templates = new CouponTemplates(new CouponKit.InMemory.InMemoryCouponKitStore(), new FakeTimeProvider(Shop.Now));
        var versions = new List<CouponTemplate> { await templates.CreateAsync(Shop.Draft(id, 1_000)) };
        for (var i = 1; i < count; i++)
        {
            versions.Add(await templates.EditAsync(id, new TemplateEdit { TotalInventory = 1_000 + i }));
        }

        return versions;
    }
}
