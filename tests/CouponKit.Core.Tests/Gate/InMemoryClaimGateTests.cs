using CouponKit.InMemory;
using CouponKit.Ports;

namespace CouponKit.Core.Tests.Gate;

public sealed class InMemoryClaimGateTests
{
    [Fact]
    public async Task TryReserve_NotWarmedUp_SaysSo()
    {
        var gate = new InMemoryClaimGate();

        Assert.Equal(ClaimGateStatus.NotWarmedUp, (await gate.TryReserveAsync(new("t", "u", 1, "k"), default)).Status);
    }

    [Fact]
    public async Task TryReserve_LimitThenStock_AreEnforcedAndKeysDeduplicated()
    {
        var gate = new InMemoryClaimGate();
        await gate.WarmUpAsync("t", 2, new Dictionary<string, int> { ["holder"] = 1 }, default);

        Assert.Equal(ClaimGateStatus.LimitReached, (await gate.TryReserveAsync(new("t", "holder", 1, "k0"), default)).Status);
        Assert.Equal(new ClaimGateDecision(ClaimGateStatus.Reserved, 1), await gate.TryReserveAsync(new("t", "a", 1, "k1"), default));
        Assert.Equal(ClaimGateStatus.AlreadyReserved, (await gate.TryReserveAsync(new("t", "a", 1, "k1"), default)).Status);
        Assert.Equal(ClaimGateStatus.LimitReached, (await gate.TryReserveAsync(new("t", "a", 1, "k2"), default)).Status);
        Assert.Equal(ClaimGateStatus.Reserved, (await gate.TryReserveAsync(new("t", "b", 1, "k3"), default)).Status);
        Assert.Equal(ClaimGateStatus.SoldOut, (await gate.TryReserveAsync(new("t", "c", 1, "k4"), default)).Status);
    }

    [Fact]
    public async Task Release_GivesBackStockAndUserOnce()
    {
        var gate = new InMemoryClaimGate();
        await gate.WarmUpAsync("t", 1, new Dictionary<string, int>(), default);
        var request = new ClaimGateRequest("t", "a", 1, "k1");
        await gate.TryReserveAsync(request, default);

        await gate.ReleaseAsync(request, default);
        await gate.ReleaseAsync(request, default);

        Assert.Equal(new ClaimGateDecision(ClaimGateStatus.Reserved, 0), await gate.TryReserveAsync(new("t", "a", 1, "k2"), default));
    }

    [Fact]
    public async Task TryReserve_Concurrent_NeverOverReserves()
    {
        var gate = new InMemoryClaimGate();
        await gate.WarmUpAsync("t", 100, new Dictionary<string, int>(), default);

        var results = await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => Task.Run(() => gate.TryReserveAsync(new("t", "u" + (i % 400), 1, "k" + i), default))));

        Assert.Equal(100, results.Count(r => r.Status == ClaimGateStatus.Reserved));
    }
}
