using CouponKit.EfCore.Tests.Postgres;
using CouponKit.InMemory;
using CouponKit.Ports;

namespace CouponKit.EfCore.Tests.Security;

/// <summary>
/// The audit trail's contract, on the in-memory log, SQLite and PostgreSQL: an entry reads back with every field and every
/// old and new value as written, an owner sees only its own entries, oldest first, optionally about one subject, at most
/// <c>max</c> of them.
/// </summary>
public abstract class AuditLogStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    protected abstract IAuditLog Log { get; }

    [Fact]
    public async Task Append_ThenList_RoundTripsEveryFieldAndValue()
    {
        var entry = new AuditEntry("merchant-a", "staff-of-merchant-a", "edited", "template", "merchant-a.t1", T0, [
            new AuditChange("totalInventory", "100000", "10"),
            new AuditChange("claimEndsAt", null, "2026-12-01T00:00:00.0000000+00:00"),
            new AuditChange("name", "<script>alert('x')</script> ' OR 1=1 --", "\"quoted\" ünïcødé"),
        ]);

        await Log.AppendAsync(entry, default);

        var listed = Assert.Single(await Log.ListAsync("merchant-a", null, 10, default));
        Assert.Equal((entry.OwnerId, entry.ActorId, entry.Action, entry.SubjectKind, entry.SubjectId, entry.At), (listed.OwnerId, listed.ActorId, listed.Action, listed.SubjectKind, listed.SubjectId, listed.At));
        Assert.Equal(entry.Changes, listed.Changes);
    }

    [Fact]
    public async Task List_OnlyTheOwnersEntries_OldestFirst_BySubject_UpToMax()
    {
        for (var i = 0; i < 5; i++)
        {
            await Log.AppendAsync(Entry("merchant-a", i % 2 == 0 ? "t-even" : "t-odd", T0.AddMinutes(i), i), default);
            await Log.AppendAsync(Entry("merchant-b", "t-b", T0.AddMinutes(i), i), default);
        }

        Assert.Equal(["0", "1", "2", "3", "4"], (await Log.ListAsync("merchant-a", null, 100, default)).Select(e => e.Changes[0].NewValue));
        Assert.Equal(["0", "2", "4"], (await Log.ListAsync("merchant-a", "t-even", 100, default)).Select(e => e.Changes[0].NewValue));
        Assert.Equal(["0", "1"], (await Log.ListAsync("merchant-a", null, 2, default)).Select(e => e.Changes[0].NewValue));
        Assert.All(await Log.ListAsync("merchant-b", null, 100, default), e => Assert.Equal("merchant-b", e.OwnerId));
        Assert.Empty(await Log.ListAsync("merchant-a", "t-b", 100, default));
        Assert.Empty(await Log.ListAsync("merchant-c", null, 100, default));
    }

    [Fact]
    public async Task List_MaxOutOfRange_Throws()
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Log.ListAsync("merchant-a", null, 0, default));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Log.ListAsync("merchant-a", null, 10_001, default));
    }

    private static AuditEntry Entry(string owner, string subject, DateTimeOffset at, int i) =>
        new(owner, "staff", "edited", "template", subject, at, [new AuditChange("totalInventory", null, i.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
}

/// <summary>The contract on the in-memory log.</summary>
public sealed class InMemoryAuditLogStoreTests : AuditLogStoreContract
{
    protected override IAuditLog Log { get; } = new InMemoryAuditLog();
}

/// <summary>The contract on SQLite.</summary>
public sealed class SqliteAuditLogStoreTests : AuditLogStoreContract, IDisposable
{
    private readonly SqliteDatabase _database = new();

    public SqliteAuditLogStoreTests() => Log = _database.CreateStore();

    protected override IAuditLog Log { get; }

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task Append_TooLongAction_ThrowsAndWritesNothing()
    {
        var entry = new AuditEntry("merchant-a", "staff", new string('x', 65), "template", "t1", DateTimeOffset.UnixEpoch, []);

        await Assert.ThrowsAsync<ArgumentException>(() => Log.AppendAsync(entry, default));

        Assert.Empty(await Log.ListAsync("merchant-a", null, 10, default));
    }
}

/// <summary>The contract on PostgreSQL.</summary>
[Collection(PostgresFixture.Name)]
public sealed class PostgresAuditLogStoreTests(PostgresServer server) : AuditLogStoreContract, IAsyncLifetime
{
    private PostgresDatabase? _database;
    private IAuditLog? _log;

    protected override IAuditLog Log => _log!;

    public async Task InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync(server, "audit");
        _log = _database.CreateStore();
    }

    public async Task DisposeAsync() => await _database!.DisposeAsync();
}
