using CouponKit.InMemory;
using CouponKit.Ports;

namespace CouponKit.Redis.Tests.Gate;

/// <summary>The reference gate passes the conformance suite.</summary>
public sealed class InMemoryClaimGateConformanceTests : ClaimGateConformanceTests
{
    private readonly InMemoryClaimGate _gate = new();

    protected override IClaimGate CreateGate() => _gate;
}
