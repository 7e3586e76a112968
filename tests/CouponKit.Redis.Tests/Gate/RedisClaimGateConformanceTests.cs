using CouponKit.Ports;
using CouponKit.Redis.Tests.Fixtures;

namespace CouponKit.Redis.Tests.Gate;

/// <summary>The Redis gate passes the conformance suite against a real redis-server.</summary>
[Collection(RedisGroup.Name)]
public sealed class RedisClaimGateConformanceTests(RedisServerFixture redis) : ClaimGateConformanceTests
{
    protected override IClaimGate CreateGate() => new RedisClaimGate(redis.Connection());
}
