using System.Data.Common;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Redemption;
using CouponKit.Rules;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace CouponKit.EfCore.Tests.Postgres;

/// <summary>
/// On PostgreSQL too, a failed transaction leaves nothing behind, a dropped connection is retried, and an error no retry can
/// cure surfaces at once as a <see cref="CouponKitStoreException"/>.
/// </summary>
[Collection(PostgresFixture.Name)]
public sealed class PostgresFailedTransactionTests(PostgresServer server) : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
    private readonly SaveFault _fault = new();
    private PostgresDatabase? _database;

    public async Task InitializeAsync() => _database = await PostgresDatabase.CreateAsync(server, "failed", _fault);

    public async Task DisposeAsync() => await _database!.DisposeAsync();

    [Fact]
    public async Task IssueAsync_FailureAfterTheDecrement_LeavesNothingAndThrowsStoreException()
    {
        // One claim in its own transaction (the fault is injected at SaveChanges; a claim batch writes its rows on PostgreSQL
        // without it, see PostgresClaimBatchTests for its failures).
        var store = _database!.CreateStore(options: new EfCoreCouponKitOptions { MaxAttempts = 3, RetryBackoff = TimeSpan.Zero, ClaimBatchSize = 1 });
        await store.AddAsync(Template("t1", 5), [], default);
        _fault.Mode = SaveFault.Kind.Throw;

        var ex = await Assert.ThrowsAsync<CouponKitStoreException>(() => store.IssueAsync(Command("k1", "c1"), default));

        _fault.Mode = SaveFault.Kind.None;
        Assert.Equal("IssueAsync", ex.Operation);
        Assert.Equal(3, _fault.Faults);
        Assert.Equal(new TemplateStock(5, 0), await store.GetStockAsync("t1", default));
        Assert.Null(await store.FindByClaimKeyAsync("k1", default));
        Assert.Equal(0L, await _database.ScalarAsync("SELECT count(*) FROM ck_coupons"));
        Assert.Equal(0L, await _database.ScalarAsync("SELECT count(*) FROM ck_outbox"));
    }

    [Fact]
    public async Task IssueAsync_ConnectionTerminatedBeforeTheCommit_IsRetriedAndIssuesOnce()
    {
        var store = _database!.CreateStore(options: new EfCoreCouponKitOptions { MaxAttempts = 3, RetryBackoff = TimeSpan.Zero, ClaimBatchSize = 1 });
        await store.AddAsync(Template("t1", 5), [], default);
        _fault.Mode = SaveFault.Kind.TerminateOnce;
        _fault.AdminConnectionString = server.ConnectionString(_database.Name);

        var outcome = await store.IssueAsync(Command("k1", "c1"), default);

        Assert.Equal(IssueStatus.Issued, outcome.Status);
        Assert.Equal(1, _fault.Faults);
        Assert.Equal(new TemplateStock(5, 1), await store.GetStockAsync("t1", default));
        Assert.Equal(1L, await _database.ScalarAsync("SELECT count(*) FROM ck_coupons"));
        Assert.Equal(["m1"], await _database.ListAsync("SELECT \"MessageId\" FROM ck_outbox"));
    }

    [Fact]
    public async Task ExecuteAsync_FailureAfterTheCouponUpdate_LeavesTheCouponAvailable()
    {
        var store = _database!.CreateStore(options: new EfCoreCouponKitOptions { MaxAttempts = 2, RetryBackoff = TimeSpan.Zero });
        await store.AddAsync(Template("t1", 5), [], default);
        await store.IssueAsync(Command("k1", "c1"), default);
        _fault.Mode = SaveFault.Kind.Throw;

        await Assert.ThrowsAsync<CouponKitStoreException>(() => store.ExecuteAsync(new RedemptionCommand(TccPhase.Try, "o1", "u1", ["c1"], T0.AddHours(1)), default));

        _fault.Mode = SaveFault.Kind.None;
        Assert.Equal(CouponState.Available, (await ((ICouponStore)store).FindAsync("c1", default))!.State);
        Assert.Empty(await store.ListRecordsAsync("o1", default));
    }

    [Fact]
    public async Task AnyOperation_MissingTables_ThrowsStoreExceptionWithoutRetrying()
    {
        var empty = await server.CreateDatabaseAsync($"empty_{Guid.NewGuid():N}");
        var factory = new PooledDbContextFactory<CouponKitDbContext>(new DbContextOptionsBuilder<CouponKitDbContext>().UseNpgsql(empty).Options);
        var store = new CouponKit.EfCore.Stores.EfCoreCouponKitStore<CouponKitDbContext>(factory, TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new EfCoreCouponKitOptions { MaxAttempts = 5, RetryBackoff = TimeSpan.FromSeconds(5) }));

        var ex = await Assert.ThrowsAsync<CouponKitStoreException>(() => store.FindAsync("t1", default));

        Assert.Equal("FindAsync", ex.Operation);
        Assert.Equal("42P01", Assert.IsAssignableFrom<DbException>(ex.InnerException).SqlState);
        Assert.Contains("not retried", ex.Message, StringComparison.Ordinal);
    }

    internal static CouponTemplate Template(string id, int inventory) => CouponTemplate.Restore(
        id,
        new TemplateDraft
        {
            Id = id,
            Name = "10 off 100",
            Rule = new ThresholdRebateRule(Threshold.Spend(Money.Of(100m, "CNY")), Money.Of(10m, "CNY")),
            TotalInventory = inventory,
            Validity = CouponValidity.ForDaysAfterClaim(7),
        },
        TemplateState.Active,
        1,
        T0,
        T0);

    private static IssueCommand Command(string key, string couponId) =>
        new(key, new IssuedCoupon(couponId, "t1", "u1", CouponState.Available, T0, T0.AddDays(7), T0, ClaimChannels.Grab, null, 1), 1, [new OutboxMessage("m1", "t", "tag", couponId, "{}", T0)]);

    /// <summary>
    /// Fails <c>SaveChanges</c>, after the conditional updates of the transaction ran: by throwing, or by having another
    /// connection terminate this one's server process (a dropped connection) once.
    /// </summary>
    private sealed class SaveFault : SaveChangesInterceptor
    {
        public enum Kind
        {
            None,
            Throw,
            TerminateOnce,
        }

        public Kind Mode { get; set; }

        public string? AdminConnectionString { get; set; }

        public int Faults { get; private set; }

        public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            switch (Mode)
            {
                case Kind.Throw:
                    Faults++;
                    throw new DbUpdateException("injected failure after the stock decrement");
                case Kind.TerminateOnce:
                    Mode = Kind.None;
                    Faults++;
                    var connection = eventData.Context!.Database.GetDbConnection();
                    await using (var pid = connection.CreateCommand())
                    {
                        pid.CommandText = "SELECT pg_backend_pid()";
                        pid.Transaction = eventData.Context.Database.CurrentTransaction?.GetDbTransaction();
                        var backend = (int)(await pid.ExecuteScalarAsync(cancellationToken))!;
                        await using var admin = new NpgsqlConnection(AdminConnectionString + ";Pooling=false");
                        await admin.OpenAsync(cancellationToken);
                        await using var terminate = new NpgsqlCommand($"SELECT pg_terminate_backend({backend}, 5000)", admin);
                        await terminate.ExecuteScalarAsync(cancellationToken);
                    }

                    break;
            }

            return await base.SavingChangesAsync(eventData, result, cancellationToken);
        }
    }
}
