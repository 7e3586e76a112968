using CouponKit.EfCore.Tests.Postgres;
using CouponKit.InMemory;
using CouponKit.Ports;
using Microsoft.Extensions.Time.Testing;

namespace CouponKit.EfCore.Tests.Security;

/// <summary>
/// The attempt throttle's contract, on the in-memory throttle, SQLite and PostgreSQL: misses are counted per key, the key is
/// locked out from the free misses on for a time that doubles with every further miss up to the maximum, misses are forgotten a
/// while after the last one, and concurrent misses are each counted exactly once (no lost update).
/// </summary>
public abstract class AttemptThrottleStoreContract
{
    protected static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static readonly LockoutPolicy Policy = new(FreeMisses: 3, BaseLockout: TimeSpan.FromMinutes(1), MaxLockout: TimeSpan.FromMinutes(10), ForgetAfter: TimeSpan.FromDays(1));

    protected FakeTimeProvider Time { get; } = new(T0);

    protected abstract IAttemptThrottle Throttle { get; }

    [Fact]
    public async Task RecordMiss_FromTheFreeMissesOn_LocksOutDoublingUpToTheMaximum()
    {
        var states = new List<AttemptThrottleState>();
        for (var i = 0; i < 8; i++)
        {
            states.Add(await Throttle.RecordMissAsync("promo:user:mallory", Policy, default));
        }

        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], states.Select(s => s.Misses));
        Assert.Null(states[0].LockedUntil);
        Assert.Null(states[1].LockedUntil);
        Assert.Equal(
            new DateTimeOffset?[] { T0.AddMinutes(1), T0.AddMinutes(2), T0.AddMinutes(4), T0.AddMinutes(8), T0.AddMinutes(10), T0.AddMinutes(10) },
            states.Skip(2).Select(s => s.LockedUntil));
        Assert.Equal(states[^1], await Throttle.GetAsync("promo:user:mallory", default));
        Assert.Equal(TimeSpan.FromMinutes(10), states[^1].RemainingAt(T0));
    }

    [Fact]
    public async Task Get_UnknownKey_IsNone_AndKeysAreIndependent()
    {
        await Throttle.RecordMissAsync("promo:user:a", Policy, default);
        await Throttle.RecordMissAsync("promo:user:a", Policy, default);

        Assert.Equal(AttemptThrottleState.None, await Throttle.GetAsync("promo:user:b", default));
        Assert.Equal(1, (await Throttle.RecordMissAsync("promo:ip:a", Policy, default)).Misses);
        Assert.Equal(2, (await Throttle.GetAsync("promo:user:a", default)).Misses);
    }

    [Fact]
    public async Task RecordMiss_AfterTheForgetTime_StartsOverWithoutLockOut()
    {
        for (var i = 0; i < 4; i++)
        {
            await Throttle.RecordMissAsync("k", Policy, default);
        }

        Time.Advance(TimeSpan.FromDays(1));
        var state = await Throttle.RecordMissAsync("k", Policy, default);

        Assert.Equal(new AttemptThrottleState(1, null), state);
        Assert.Equal(state, await Throttle.GetAsync("k", default));
    }

    [Fact]
    public async Task RecordMiss_JustBeforeTheForgetTime_KeepsCounting()
    {
        await Throttle.RecordMissAsync("k", Policy, default);
        Time.Advance(TimeSpan.FromDays(1) - TimeSpan.FromSeconds(1));

        Assert.Equal(2, (await Throttle.RecordMissAsync("k", Policy, default)).Misses);
    }

    [Fact]
    public async Task RecordMiss_64Concurrent_CountsEachExactlyOnceAndLocksOut()
    {
        var policy = new LockoutPolicy(FreeMisses: 60, BaseLockout: TimeSpan.FromMinutes(1), MaxLockout: TimeSpan.FromDays(1), ForgetAfter: TimeSpan.FromDays(1));

        var states = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(async () => await Throttle.RecordMissAsync("promo:user:swarm", policy, default))));

        // Every miss saw its own count: no two read the same value and wrote back the same increment.
        Assert.Equal(Enumerable.Range(1, 64), states.Select(s => s.Misses).Order());
        var final = await Throttle.GetAsync("promo:user:swarm", default);
        Assert.Equal(64, final.Misses);
        Assert.Equal(T0.AddMinutes(16), final.LockedUntil); // 1 min × 2^(64 − 60)
        Assert.All(states.Where(s => s.Misses < 60), s => Assert.Null(s.LockedUntil));
    }

    [Fact]
    public async Task RecordMiss_InvalidPolicyOrKey_ThrowsAndRecordsNothing()
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Throttle.RecordMissAsync("k", Policy with { FreeMisses = 0 }, default));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Throttle.RecordMissAsync("k", Policy with { MaxLockout = TimeSpan.FromSeconds(1) }, default));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Throttle.RecordMissAsync(null!, Policy, default));

        Assert.Equal(AttemptThrottleState.None, await Throttle.GetAsync("k", default));
    }
}

/// <summary>The contract on the in-memory throttle.</summary>
public sealed class InMemoryAttemptThrottleStoreTests : AttemptThrottleStoreContract
{
    public InMemoryAttemptThrottleStoreTests() => Throttle = new InMemoryAttemptThrottle(Time);

    protected override IAttemptThrottle Throttle { get; }
}

/// <summary>The contract on SQLite.</summary>
public sealed class SqliteAttemptThrottleStoreTests : AttemptThrottleStoreContract, IDisposable
{
    private readonly SqliteDatabase _database = new();

    public SqliteAttemptThrottleStoreTests() => Throttle = _database.CreateStore(Time);

    protected override IAttemptThrottle Throttle { get; }

    public void Dispose() => _database.Dispose();
}

/// <summary>The contract on PostgreSQL.</summary>
[Collection(PostgresFixture.Name)]
public sealed class PostgresAttemptThrottleStoreTests(PostgresServer server) : AttemptThrottleStoreContract, IAsyncLifetime
{
    private PostgresDatabase? _database;
    private IAttemptThrottle? _throttle;

    protected override IAttemptThrottle Throttle => _throttle!;

    public async Task InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync(server, "throttle");
        _throttle = _database.CreateStore(Time);
    }

    public async Task DisposeAsync() => await _database!.DisposeAsync();
}
