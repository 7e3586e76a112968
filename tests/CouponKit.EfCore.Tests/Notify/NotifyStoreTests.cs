using CouponKit.EfCore.Tests.Postgres;
using CouponKit.InMemory;
using CouponKit.Ports;
using Xunit;

namespace CouponKit.EfCore.Tests.Notify;

/// <summary>
/// The notify table's contract, on the in-memory store, SQLite and PostgreSQL: one row per user, template and date (scheduling
/// twice keeps the first row as it is), due rows listed earliest first up to a maximum, a removed row is gone.
/// </summary>
public abstract class NotifyStoreContract
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    protected abstract INotifyStore Store { get; }

    [Fact]
    public async Task Schedule_SameUserTemplateDate_KeepsOneRowAsItWas()
    {
        var first = Reminder("u1", "t1", Noon.AddHours(1), "Spring sale");
        Assert.True(await Store.ScheduleAsync(first, default));
        Assert.False(await Store.ScheduleAsync(first with { NotifyAt = Noon, TemplateName = "changed" }, default));

        var due = await Store.ListDueAsync(Noon.AddDays(1), 10, default);
        Assert.Equal([first], due);
    }

    [Fact]
    public async Task ListDue_ReturnsOnlyDueRows_EarliestFirst_UpToMax()
    {
        await Store.ScheduleAsync(Reminder("u1", "t1", Noon.AddMinutes(30)), default);
        await Store.ScheduleAsync(Reminder("u2", "t1", Noon.AddMinutes(10)), default);
        await Store.ScheduleAsync(Reminder("u3", "t1", Noon.AddMinutes(20)), default);
        await Store.ScheduleAsync(Reminder("u4", "t1", Noon.AddHours(2)), default);

        var due = await Store.ListDueAsync(Noon.AddHours(1), 2, default);
        Assert.Equal(["u2", "u3"], due.Select(r => r.UserId));
        Assert.Empty(await Store.ListDueAsync(Noon, 10, default));
        Assert.Empty(await Store.ListDueAsync(Noon.AddHours(1), 0, default));
    }

    [Fact]
    public async Task Remove_DeletesOnlyThatRow_AndSaysWhetherOneWasThere()
    {
        var a = Reminder("u1", "t1", Noon);
        var b = Reminder("u1", "t1", Noon) with { Date = new DateOnly(2026, 11, 30) };
        await Store.ScheduleAsync(a, default);
        await Store.ScheduleAsync(b, default);

        Assert.True(await Store.RemoveAsync(a, default));
        Assert.False(await Store.RemoveAsync(a, default));
        Assert.Equal([b], await Store.ListDueAsync(Noon.AddDays(1), 10, default));
    }

    [Fact]
    public async Task Schedule_ConcurrentSameReminder_AddsExactlyOnce()
    {
        var reminder = Reminder("u1", "t1", Noon);
        var added = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => Store.ScheduleAsync(reminder, default))));
        Assert.Equal(1, added.Count(a => a));
        Assert.Single(await Store.ListDueAsync(Noon, 10, default));
    }

    private static ExpiryReminder Reminder(string user, string template, DateTimeOffset notifyAt, string name = "Coupon") =>
        new(user, template, new DateOnly(2026, 11, 25), notifyAt, new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero), name, NotificationChannels.Sms | NotificationChannels.Inbox);
}

/// <summary>The contract on the in-memory notify table.</summary>
public sealed class InMemoryNotifyStoreTests : NotifyStoreContract
{
    protected override INotifyStore Store { get; } = new InMemoryNotifyStore();
}

/// <summary>The contract on SQLite.</summary>
public sealed class SqliteNotifyStoreTests : NotifyStoreContract, IDisposable
{
    private readonly SqliteDatabase _database = new();

    public SqliteNotifyStoreTests() => Store = _database.CreateStore();

    protected override INotifyStore Store { get; }

    public void Dispose() => _database.Dispose();
}

/// <summary>The contract on PostgreSQL.</summary>
[Collection(PostgresFixture.Name)]
public sealed class PostgresNotifyStoreTests(PostgresServer server) : NotifyStoreContract, IAsyncLifetime
{
    private PostgresDatabase? _database;
    private INotifyStore? _store;

    protected override INotifyStore Store => _store!;

    public async Task InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync(server, "notify");
        _store = _database.CreateStore();
    }

    public async Task DisposeAsync() => await _database!.DisposeAsync();
}
