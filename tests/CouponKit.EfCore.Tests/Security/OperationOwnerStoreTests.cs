using CouponKit.EfCore.Tests.Postgres;
using CouponKit.InMemory;
using CouponKit.Ports;
using CouponKit.Redemption;

namespace CouponKit.EfCore.Tests.Security;

/// <summary>
/// The TCC operation rows keep the user who owns the order (<see cref="OperationRecord.UserId"/>), so that a step's ownership
/// check works from the rows alone, also when no coupon of the order tells its owner: a Cancel before any Try writes rows that
/// name no coupon, and another user's steps on that order are refused.
/// </summary>
public abstract class OperationOwnerStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    protected abstract IRedemptionStore Store { get; }

    [Fact]
    public async Task Records_KeepTheOrdersUser()
    {
        var cancel = await Store.ExecuteAsync(new RedemptionCommand(TccPhase.Cancel, "o1", "alice", [], T0, Reason: "timeout"), default);
        Assert.Equal(RedemptionStatus.Released, cancel.Status);

        var records = await Store.ListRecordsAsync("o1", default);

        Assert.NotEmpty(records);
        Assert.All(records, r => Assert.Equal("alice", r.UserId));
    }

    [Fact]
    public async Task OtherUsersSteps_OnAnOrderCancelledBeforeAnyTry_AreRefusedAndWriteNothing()
    {
        await Store.ExecuteAsync(new RedemptionCommand(TccPhase.Cancel, "o1", "alice", [], T0), default);
        var before = await Store.ListRecordsAsync("o1", default);

        var cancel = await Store.ExecuteAsync(new RedemptionCommand(TccPhase.Cancel, "o1", "bob", [], T0.AddSeconds(1)), default);
        var confirm = await Store.ExecuteAsync(new RedemptionCommand(TccPhase.Confirm, "o1", "bob", [], T0.AddSeconds(2)), default);

        Assert.Equal((RedemptionStatus.Refused, RedemptionRefusal.OrderNotFound), (cancel.Status, cancel.Refusal));
        Assert.Equal((RedemptionStatus.Refused, RedemptionRefusal.OrderNotFound), (confirm.Status, confirm.Refusal));
        Assert.Equal(before, await Store.ListRecordsAsync("o1", default));
        Assert.Equal(RedemptionStatus.AlreadyDone, (await Store.ExecuteAsync(new RedemptionCommand(TccPhase.Cancel, "o1", "alice", [], T0.AddSeconds(3)), default)).Status); // the owner still is
    }
}

/// <summary>The contract on the in-memory store.</summary>
public sealed class InMemoryOperationOwnerStoreTests : OperationOwnerStoreContract
{
    protected override IRedemptionStore Store { get; } = new InMemoryCouponKitStore();
}

/// <summary>The contract on SQLite.</summary>
public sealed class SqliteOperationOwnerStoreTests : OperationOwnerStoreContract, IDisposable
{
    private readonly SqliteDatabase _database = new();

    public SqliteOperationOwnerStoreTests() => Store = _database.CreateStore();

    protected override IRedemptionStore Store { get; }

    public void Dispose() => _database.Dispose();
}

/// <summary>The contract on PostgreSQL.</summary>
[Collection(PostgresFixture.Name)]
public sealed class PostgresOperationOwnerStoreTests(PostgresServer server) : OperationOwnerStoreContract, IAsyncLifetime
{
    private PostgresDatabase? _database;
    private IRedemptionStore? _store;

    protected override IRedemptionStore Store => _store!;

    public async Task InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync(server, "tccowner");
        _store = _database.CreateStore();
    }

    public async Task DisposeAsync() => await _database!.DisposeAsync();
}
