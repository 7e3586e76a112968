using CouponKit.EfCore.Stores;
using CouponKit.EfCore.Tests.Postgres;
using CouponKit.EfCore.Tests.Segments;
using CouponKit.Messaging.DeadLetters;
using CouponKit.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CouponKit.EfCore.Tests.Benefits;

/// <summary>The EF Core <see cref="IIssuanceScheduleStore"/> and <see cref="IDeadLetterAuditLog"/>, as the in-memory ones behave.</summary>
public abstract class ScheduleAndAuditStoreTests : DatabaseTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task SetAsync_ThenReschedule_TheLatestIsCurrentAndRoundTrips()
    {
        var store = (IIssuanceScheduleStore)await CreateAsync();
        var first = new IssuanceSchedule("t1", "s1", 3, T0.AddHours(1), "owner", "alice", ScheduleStatus.Pending);
        var second = first with { ScheduleId = "s2", TemplateVersion = 4, At = T0.AddHours(2), ActorId = "bob" };

        await store.SetAsync(first, default);
        Assert.Equal(first, await store.FindAsync("t1", default));
        await store.SetAsync(second, default);

        Assert.Equal(second, await store.FindAsync("t1", default));
        Assert.Null(await store.FindAsync("t2", default));
    }

    [Fact]
    public async Task TryCompleteAsync_OnlyTheCurrentPendingScheduleMovesAndOnlyOnce()
    {
        var store = (IIssuanceScheduleStore)await CreateAsync();
        await store.SetAsync(new IssuanceSchedule("t1", "s2", 1, T0, "owner", "alice", ScheduleStatus.Pending), default);

        Assert.False(await store.TryCompleteAsync("t1", "s1", ScheduleStatus.Fired, default)); // a replaced schedule's message
        Assert.False(await store.TryCompleteAsync("t9", "s2", ScheduleStatus.Fired, default)); // no schedule
        Assert.True(await store.TryCompleteAsync("t1", "s2", ScheduleStatus.Fired, default));
        Assert.False(await store.TryCompleteAsync("t1", "s2", ScheduleStatus.Cancelled, default)); // not pending any more

        Assert.Equal(ScheduleStatus.Fired, (await store.FindAsync("t1", default))!.Status);
    }

    [Fact]
    public async Task AuditLog_ListsTheMostRecentNewestLast()
    {
        var log = (IDeadLetterAuditLog)await CreateAsync();
        var records = Enumerable.Range(0, 5)
            .Select(i => new DeadLetterAuditRecord(i % 2 == 0 ? DeadLetterAction.Replayed : DeadLetterAction.Discarded, $"m{i}", "group", "topic", "tag", "ops", i % 2 == 0 ? null : $"reason {i}", T0.AddMinutes(i)))
            .ToArray();
        foreach (var record in records)
        {
            await log.AppendAsync(record, default);
        }

        Assert.Equal(records[2..], await log.ListAsync(3, default));
        Assert.Equal(records, await log.ListAsync(100, default));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => log.ListAsync(0, default));
    }

    private async Task<EfCoreCouponKitStore<CouponKitDbContext>> CreateAsync() =>
        (await CreateDatabaseAsync()).CreateStore(new EfCoreCouponKitOptions());
}

/// <summary>Schedules and the dead-letter audit log on SQLite.</summary>
public sealed class SqliteScheduleAndAuditStoreTests : ScheduleAndAuditStoreTests
{
    private protected override Task<TestDatabase> CreateDatabaseCoreAsync() => Task.FromResult(TestDatabase.Sqlite());

    [Fact]
    public void UseEntityFrameworkCore_RegistersBothPortsOnTheStore()
    {
        var services = new ServiceCollection();
        services.AddDbContextFactory<CouponKitDbContext>(o => o.UseSqlite("Data Source=:memory:"));
        services.AddCouponKit().UseEntityFrameworkCore<CouponKitDbContext>();
        using var provider = services.BuildServiceProvider();

        Assert.IsType<EfCoreCouponKitStore<CouponKitDbContext>>(provider.GetRequiredService<IIssuanceScheduleStore>());
        Assert.IsType<EfCoreCouponKitStore<CouponKitDbContext>>(provider.GetRequiredService<IDeadLetterAuditLog>());
    }
}

/// <summary>Schedules and the dead-letter audit log on PostgreSQL 15.</summary>
[Collection(PostgresFixture.Name)]
public sealed class PostgresScheduleAndAuditStoreTests(PostgresServer server) : ScheduleAndAuditStoreTests
{
    private protected override Task<TestDatabase> CreateDatabaseCoreAsync() => TestDatabase.PostgresAsync(server, "schedules");
}
