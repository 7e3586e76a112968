using CouponKit.Ports;
using CouponKit.Redis.Tests.Fixtures;
using Microsoft.Extensions.Time.Testing;

namespace CouponKit.Redis.Tests.RateLimiting;

/// <summary>The Redis token bucket, on the injected (fake) clock.</summary>
[Collection(RedisGroup.Name)]
public sealed class RedisRateLimiterTests(RedisServerFixture redis)
{
    private static readonly RateLimitPolicy FivePerTenSeconds = new(5, TimeSpan.FromSeconds(10));
    private readonly FakeTimeProvider _time = new(Shop.Now);

    [Fact]
    public async Task TryAcquire_BurstUpToTheLimit_ThenRefusedWithRetryAfter()
    {
        var limiter = new RedisRateLimiter(redis.Connection(), _time);

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(RateLimitDecision.Allow, await limiter.TryAcquireAsync("claim:user:1", FivePerTenSeconds, default));
        }

        Assert.Equal(new RateLimitDecision(false, TimeSpan.FromSeconds(2)), await limiter.TryAcquireAsync("claim:user:1", FivePerTenSeconds, default));
        _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(new RateLimitDecision(false, TimeSpan.FromMilliseconds(1500)), await limiter.TryAcquireAsync("claim:user:1", FivePerTenSeconds, default));
    }

    [Fact]
    public async Task TryAcquire_AfterRetryAfter_RefillsOneTokenPerInterval()
    {
        var limiter = new RedisRateLimiter(redis.Connection(), _time);
        for (var i = 0; i < 5; i++)
        {
            await limiter.TryAcquireAsync("k", FivePerTenSeconds, default);
        }

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.True((await limiter.TryAcquireAsync("k", FivePerTenSeconds, default)).Allowed);
        Assert.False((await limiter.TryAcquireAsync("k", FivePerTenSeconds, default)).Allowed);

        _time.Advance(TimeSpan.FromMinutes(5));
        for (var i = 0; i < 5; i++)
        {
            Assert.True((await limiter.TryAcquireAsync("k", FivePerTenSeconds, default)).Allowed);
        }

        Assert.False((await limiter.TryAcquireAsync("k", FivePerTenSeconds, default)).Allowed);
    }

    [Fact]
    public async Task TryAcquire_KeysAreIndependent_AndExpireAfterAWindow()
    {
        var prefix = RedisServerFixture.NewPrefix();
        var limiter = new RedisRateLimiter(redis.Connection(prefix), _time);
        var one = new RateLimitPolicy(1, TimeSpan.FromSeconds(30));

        Assert.True((await limiter.TryAcquireAsync("claim:user:1", one, default)).Allowed);
        Assert.True((await limiter.TryAcquireAsync("claim:ip:10.0.0.1", one, default)).Allowed);
        Assert.True((await limiter.TryAcquireAsync("claim:template:t1", one, default)).Allowed);
        Assert.False((await limiter.TryAcquireAsync("claim:user:1", one, default)).Allowed);

        var ttl = await redis.Multiplexer.GetDatabase().KeyTimeToLiveAsync($"{prefix}:ratelimit:claim:user:1");
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task TryAcquire_ClockBehindTheLastUpdate_RefillsNothingAndKeepsTheStamp()
    {
        var connection = redis.Connection();
        var limiter = new RedisRateLimiter(connection, _time);
        var late = new RedisRateLimiter(connection, new FakeTimeProvider(Shop.Now - TimeSpan.FromSeconds(4)));
        var one = new RateLimitPolicy(1, TimeSpan.FromSeconds(10));

        Assert.True((await limiter.TryAcquireAsync("k", one, default)).Allowed);
        Assert.Equal(new RateLimitDecision(false, TimeSpan.FromSeconds(10)), await late.TryAcquireAsync("k", one, default));
        _time.Advance(TimeSpan.FromSeconds(6));

        Assert.Equal(new RateLimitDecision(false, TimeSpan.FromSeconds(4)), await limiter.TryAcquireAsync("k", one, default));
    }

    [Fact]
    public async Task TryAcquire_ManyConcurrentCallers_GrantExactlyTheBucket()
    {
        var limiter = new RedisRateLimiter(redis.Connection(), _time);
        var policy = new RateLimitPolicy(100, TimeSpan.FromHours(1));

        var decisions = await Task.WhenAll(Enumerable.Range(0, 1_000).Select(_ => limiter.TryAcquireAsync("hot", policy, default).AsTask()));

        Assert.Equal(100, decisions.Count(d => d.Allowed));
    }

    [Fact]
    public async Task TryAcquire_BadPolicy_Throws()
    {
        var limiter = new RedisRateLimiter(redis.Connection(), _time);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await limiter.TryAcquireAsync("k", new(0, TimeSpan.FromSeconds(1)), default));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await limiter.TryAcquireAsync("k", new(1, TimeSpan.Zero), default));
    }
}
