using CouponKit.Issuance;
using CouponKit.Ports;
using CouponKit.Redis.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CouponKit.Redis.Tests.DependencyInjection;

/// <summary><c>AddCouponKit().UseRedis(...)</c> end to end against a real redis-server.</summary>
[Collection(RedisGroup.Name)]
public sealed class UseRedisTests(RedisServerFixture redis)
{
    [Fact]
    public async Task Claims_ThroughTheWarmedGate_IssueExactlyTheStock()
    {
        await using var services = new ServiceCollection()
            .AddCouponKit(o => o.ClaimsPerUser = 1_000)
            .UseRedis(o => { o.Configuration = redis.Configuration; o.KeyPrefix = RedisServerFixture.NewPrefix(); })
            .Services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        var templates = services.GetRequiredService<CouponTemplates>();
        var gate = services.GetRequiredService<IClaimGate>();
        var claims = services.GetRequiredService<CouponClaims>();
        await templates.CreateAsync(Shop.Draft("flash", inventory: 50));
        await templates.ActivateAsync("flash");
        await gate.WarmUpAsync("flash", 50, new Dictionary<string, int>(), default);

        var results = await Task.WhenAll(Enumerable.Range(0, 400).Select(i => Task.Run(() =>
            claims.ClaimAsync(new ClaimRequest { TemplateId = "flash", User = new UserProfile("u" + (i % 200)), IdempotencyKey = "k" + i }))));

        Assert.IsType<RedisClaimGate>(gate);
        Assert.IsType<RedisRateLimiter>(services.GetRequiredService<IRateLimiter>());
        Assert.Equal(50, results.Count(r => r.IsIssued));
        Assert.Equal(50, results.Where(r => r.IsIssued).Select(r => r.Coupon!.UserId).Distinct().Count());
        Assert.All(results.Where(r => !r.IsIssued), r => Assert.True(r.Rejection is ClaimRejection.SoldOut or ClaimRejection.LimitReached, r.ToString()));
        Assert.Equal(0, (await templates.GetStockAsync("flash")).Remaining);
        Assert.Equal(new ClaimGateDecision(ClaimGateStatus.SoldOut, 0), await gate.TryReserveAsync(new("flash", "late", 1, "late"), default));
    }

    [Fact]
    public async Task Claims_OverTheUserRate_AreRateLimitedByRedis()
    {
        await using var services = new ServiceCollection()
            .AddCouponKit(o => o.ClaimsPerUser = 2)
            .UseRedis(o => { o.Configuration = redis.Configuration; o.KeyPrefix = RedisServerFixture.NewPrefix(); })
            .Services.BuildServiceProvider();
        var templates = services.GetRequiredService<CouponTemplates>();
        var claims = services.GetRequiredService<CouponClaims>();
        await templates.CreateAsync(Shop.Draft("t1", inventory: 10));
        await templates.ActivateAsync("t1");

        var results = new List<ClaimResult>();
        for (var i = 0; i < 3; i++)
        {
            results.Add(await claims.ClaimAsync(new ClaimRequest { TemplateId = "t1", User = new UserProfile("u1"), IdempotencyKey = "k" + i }));
        }

        Assert.True(results[0].IsIssued);
        Assert.Equal(ClaimRejection.LimitReached, results[1].Rejection);
        Assert.Equal(ClaimRejection.RateLimited, results[2].Rejection);
        Assert.True(results[2].RetryAfter > TimeSpan.Zero);
    }

    [Fact]
    public void Options_NoConnection_FailValidation()
    {
        using var services = new ServiceCollection().AddCouponKit().UseRedis(_ => { }).Services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<RedisCouponKitOptions>>().Value);

        Assert.Contains("Configuration", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_BadKeyPrefix_FailValidation()
    {
        using var services = new ServiceCollection().AddCouponKit()
            .UseRedis(o => { o.Configuration = "localhost"; o.KeyPrefix = "has{brace}"; }).Services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<RedisCouponKitOptions>>().Value);

        Assert.Contains(nameof(RedisCouponKitOptions.KeyPrefix), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UseRedis_MultiplexerAlreadyRegistered_IsUsedWithoutConfiguration()
    {
        var services = new ServiceCollection();
        services.AddSingleton(redis.Multiplexer);
        await using var provider = services.AddCouponKit().UseRedis(o => o.KeyPrefix = RedisServerFixture.NewPrefix()).Services.BuildServiceProvider();

        var gate = provider.GetRequiredService<IClaimGate>();
        await gate.WarmUpAsync("t", 1, new Dictionary<string, int>(), default);

        Assert.Same(redis.Multiplexer, provider.GetRequiredService<IConnectionMultiplexer>());
        Assert.Equal(ClaimGateStatus.Reserved, (await gate.TryReserveAsync(new("t", "u", 1, "k"), default)).Status);
    }

    [Fact]
    public async Task UseRedis_Factory_IsCalledOnceAndLazily()
    {
        var calls = 0;
        await using var provider = new ServiceCollection().AddCouponKit()
            .UseRedis(o => o.ConnectionMultiplexerFactory = _ => { calls++; return ConnectionMultiplexer.Connect(redis.Configuration); })
            .Services.BuildServiceProvider();
        var gate = provider.GetRequiredService<IClaimGate>();
        Assert.Equal(0, calls);

        await gate.TryReserveAsync(new("cold", "u", 1, "k"), default);
        await gate.TryReserveAsync(new("cold", "u", 1, "k"), default);

        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task HealthCheck_RedisUp_Healthy_RedisDown_Unhealthy()
    {
        var up = await CheckAsync(redis.Configuration);
        var down = await CheckAsync($"127.0.0.1:{RedisServer.FreePort()},abortConnect=false,connectTimeout=500,asyncTimeout=1000,syncTimeout=1000,connectRetry=0");

        Assert.Equal(HealthStatus.Healthy, up.Status);
        Assert.Equal(HealthStatus.Unhealthy, down.Status);
        Assert.IsType<CouponKitRedisException>(down.Entries["couponkit-redis"].Exception);
    }

    private static async Task<HealthReport> CheckAsync(string configuration)
    {
        var services = new ServiceCollection();
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddCouponKit().UseRedis(o => o.Configuration = configuration);
        services.AddHealthChecks().AddCouponKitRedis();
        await using var provider = services.BuildServiceProvider();
        return await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == "couponkit-redis");
    }
}
