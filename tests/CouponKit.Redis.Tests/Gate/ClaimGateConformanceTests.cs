using System.Collections.Concurrent;
using CouponKit.Ports;

namespace CouponKit.Redis.Tests.Gate;

/// <summary>
/// What every <see cref="IClaimGate"/> must do, run on each implementation (in-memory, Redis; EfCore later). Template ids are
/// unique per test, so implementations backed by a shared server need no clean-up between tests.
/// </summary>
public abstract class ClaimGateConformanceTests
{
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];

    protected abstract IClaimGate CreateGate();

    protected string T(string name) => $"{name}-{_run}";

    [Fact]
    public async Task TryReserve_NotWarmedUp_SaysSo()
    {
        var gate = CreateGate();

        Assert.Equal(ClaimGateStatus.NotWarmedUp, (await gate.TryReserveAsync(new(T("t"), "u", 1, "k"), default)).Status);
    }

    [Fact]
    public async Task TryReserve_LimitThenStock_AreEnforcedAndKeysDeduplicated()
    {
        var gate = CreateGate();
        var t = T("t");
        await gate.WarmUpAsync(t, 2, new Dictionary<string, int> { ["holder"] = 1 }, default);

        Assert.Equal(ClaimGateStatus.LimitReached, (await gate.TryReserveAsync(new(t, "holder", 1, "k0"), default)).Status);
        Assert.Equal(new ClaimGateDecision(ClaimGateStatus.Reserved, 1), await gate.TryReserveAsync(new(t, "a", 1, "k1"), default));
        Assert.Equal(new ClaimGateDecision(ClaimGateStatus.AlreadyReserved, 1), await gate.TryReserveAsync(new(t, "a", 1, "k1"), default));
        Assert.Equal(ClaimGateStatus.LimitReached, (await gate.TryReserveAsync(new(t, "a", 1, "k2"), default)).Status);
        Assert.Equal(new ClaimGateDecision(ClaimGateStatus.Reserved, 0), await gate.TryReserveAsync(new(t, "b", 1, "k3"), default));
        Assert.Equal(new ClaimGateDecision(ClaimGateStatus.SoldOut, 0), await gate.TryReserveAsync(new(t, "c", 1, "k4"), default));
    }

    [Fact]
    public async Task TryReserve_LimitAboveOne_CountsEachReservation()
    {
        var gate = CreateGate();
        var t = T("t");
        await gate.WarmUpAsync(t, 10, new Dictionary<string, int> { ["a"] = 1 }, default);

        Assert.Equal(ClaimGateStatus.Reserved, (await gate.TryReserveAsync(new(t, "a", 3, "k1"), default)).Status);
        Assert.Equal(ClaimGateStatus.Reserved, (await gate.TryReserveAsync(new(t, "a", 3, "k2"), default)).Status);
        Assert.Equal(new ClaimGateDecision(ClaimGateStatus.LimitReached, 8), await gate.TryReserveAsync(new(t, "a", 3, "k3"), default));
    }

    [Fact]
    public async Task Release_GivesBackStockAndUserOnce()
    {
        var gate = CreateGate();
        var t = T("t");
        await gate.WarmUpAsync(t, 1, new Dictionary<string, int>(), default);
        var request = new ClaimGateRequest(t, "a", 1, "k1");
        await gate.TryReserveAsync(request, default);

        await gate.ReleaseAsync(request, default);
        await gate.ReleaseAsync(request, default);

        Assert.Equal(new ClaimGateDecision(ClaimGateStatus.Reserved, 0), await gate.TryReserveAsync(new(t, "a", 1, "k2"), default));
        Assert.Equal(ClaimGateStatus.SoldOut, (await gate.TryReserveAsync(new(t, "b", 1, "k3"), default)).Status);
    }

    [Fact]
    public async Task Release_KeyNeverReserved_ChangesNothing()
    {
        var gate = CreateGate();
        var t = T("t");
        await gate.WarmUpAsync(t, 1, new Dictionary<string, int> { ["a"] = 1 }, default);

        await gate.ReleaseAsync(new(t, "a", 1, "never"), default);
        await gate.ReleaseAsync(new(T("cold"), "a", 1, "never"), default);

        Assert.Equal(ClaimGateStatus.LimitReached, (await gate.TryReserveAsync(new(t, "a", 1, "k1"), default)).Status);
        Assert.Equal(new ClaimGateDecision(ClaimGateStatus.Reserved, 0), await gate.TryReserveAsync(new(t, "b", 1, "k2"), default));
        Assert.Equal(ClaimGateStatus.NotWarmedUp, (await gate.TryReserveAsync(new(T("cold"), "a", 1, "k3"), default)).Status);
    }

    [Fact]
    public async Task WarmUp_Again_ReplacesStockHoldersAndKeys()
    {
        var gate = CreateGate();
        var t = T("t");
        await gate.WarmUpAsync(t, 5, new Dictionary<string, int> { ["a"] = 1 }, default);
        await gate.TryReserveAsync(new(t, "b", 1, "k1"), default);

        await gate.WarmUpAsync(t, 3, new Dictionary<string, int> { ["c"] = 1, ["zero"] = 0 }, default);

        Assert.Equal(new ClaimGateDecision(ClaimGateStatus.Reserved, 2), await gate.TryReserveAsync(new(t, "a", 1, "k2"), default));
        Assert.Equal(new ClaimGateDecision(ClaimGateStatus.Reserved, 1), await gate.TryReserveAsync(new(t, "b", 1, "k1"), default));
        Assert.Equal(ClaimGateStatus.LimitReached, (await gate.TryReserveAsync(new(t, "c", 1, "k3"), default)).Status);
        Assert.Equal(ClaimGateStatus.Reserved, (await gate.TryReserveAsync(new(t, "zero", 1, "k4"), default)).Status);
    }

    [Fact]
    public async Task TryReserve_TemplatesAreIndependent()
    {
        var gate = CreateGate();
        await gate.WarmUpAsync(T("x"), 1, new Dictionary<string, int>(), default);
        await gate.WarmUpAsync(T("y"), 1, new Dictionary<string, int>(), default);

        Assert.Equal(ClaimGateStatus.Reserved, (await gate.TryReserveAsync(new(T("x"), "a", 1, "k"), default)).Status);
        Assert.Equal(ClaimGateStatus.Reserved, (await gate.TryReserveAsync(new(T("y"), "a", 1, "k"), default)).Status);
    }

    [Fact]
    public async Task TryReserve_64TasksOf5000Attempts_ReservesExactlyTheStockAndNoUserAboveTheLimit()
    {
        const int Tasks = 64, Attempts = 5_000, Users = 20_000, Stock = 1_000, Limit = 2;
        var gate = CreateGate();
        var t = T("flash");
        await gate.WarmUpAsync(t, Stock, new Dictionary<string, int>(), default);
        var reservedPerUser = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var statuses = new ConcurrentDictionary<ClaimGateStatus, int>();

        await Task.WhenAll(Enumerable.Range(0, Tasks).Select(task => Task.Run(async () =>
        {
            var counts = new Dictionary<ClaimGateStatus, int>();
            for (var i = 0; i < Attempts; i++)
            {
                var n = (task * Attempts) + i;
                var user = "u" + ((n * 7919L) % Users);
                var decision = await gate.TryReserveAsync(new(t, user, Limit, "k" + n), default);
                counts[decision.Status] = counts.GetValueOrDefault(decision.Status) + 1;
                if (decision.Status == ClaimGateStatus.Reserved)
                {
                    reservedPerUser.AddOrUpdate(user, 1, (_, c) => c + 1);
                }
            }

            foreach (var (status, count) in counts)
            {
                statuses.AddOrUpdate(status, count, (_, c) => c + count);
            }
        })));

        Assert.Equal(Stock, reservedPerUser.Values.Sum());
        Assert.True(reservedPerUser.Values.Max() <= Limit);
        Assert.Equal(Tasks * Attempts, statuses.Values.Sum());
        Assert.Equal(Stock, statuses[ClaimGateStatus.Reserved]);
        Assert.False(statuses.ContainsKey(ClaimGateStatus.AlreadyReserved));
        Assert.Equal(new ClaimGateDecision(ClaimGateStatus.SoldOut, 0), await gate.TryReserveAsync(new(t, "late", Limit, "late"), default));
    }
}
