using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Redemption;
using CouponKit.Rules;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CouponKit.EfCore.Tests;

/// <summary>A failed transaction leaves nothing behind, and database errors surface as <see cref="CouponKitStoreException"/>.</summary>
public sealed class FailedTransactionTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
    private readonly FailingSaveInterceptor _failure = new();
    private readonly SqliteDatabase _database;

    public FailedTransactionTests() => _database = new SqliteDatabase(true, _failure);

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task IssueAsync_FailureAfterTheDecrement_LeavesNothingAndThrowsStoreException()
    {
        var store = _database.CreateStore(options: new EfCoreCouponKitOptions { MaxAttempts = 3, RetryBackoff = TimeSpan.Zero });
        await store.AddAsync(Template("t1", 5), [], default);
        _failure.Fail = true;

        var coupon = new IssuedCoupon("c1", "t1", "u1", CouponState.Available, T0, T0.AddDays(7), T0, ClaimChannels.Grab, null, 1);
        var ex = await Assert.ThrowsAsync<CouponKitStoreException>(() => store.IssueAsync(new IssueCommand("k1", coupon, 1, [new OutboxMessage("m1", "t", "tag", "c1", "{}", T0)]), default));

        Assert.Equal("IssueAsync", ex.Operation);
        Assert.Equal("store_failure", ex.ErrorCode);
        Assert.Equal(3, _failure.Calls);
        _failure.Fail = false;
        Assert.Equal(new TemplateStock(5, 0), await store.GetStockAsync("t1", default));
        Assert.Null(await store.FindByClaimKeyAsync("k1", default));
        Assert.Null(await ((ICouponStore)store).FindAsync("c1", default));
        Assert.Empty(await store.LeaseDueAsync(T0.AddYears(1), 100, TimeSpan.FromMinutes(1), default));
    }

    [Fact]
    public async Task WriteClaimBatchAsync_FailureAfterTheDecrement_FailsEveryClaimAndLeavesNothing()
    {
        // One transaction for the batch: 3 attempts (not 3 per claim), then each claim fails with the store's error.
        var store = _database.CreateStore(options: new EfCoreCouponKitOptions { MaxAttempts = 3, RetryBackoff = TimeSpan.Zero });
        await store.AddAsync(Template("t1", 5), [], default);
        _failure.Fail = true;
        var batch = Enumerable.Range(1, 3).Select(i =>
        {
            var coupon = new IssuedCoupon($"c{i}", "t1", $"u{i}", CouponState.Available, T0, T0.AddDays(7), T0, ClaimChannels.Grab, null, 1);
            var claim = new CouponKit.EfCore.Stores.PendingClaim(new IssueCommand($"k{i}", coupon, 1, [new OutboxMessage($"m{i}", "t", "tag", coupon.CouponId, "{}", T0)]));
            Assert.True(claim.TryTake());
            return claim;
        }).ToArray();

        await store.WriteClaimBatchAsync(batch);

        foreach (var claim in batch)
        {
            Assert.Equal("IssueAsync", (await Assert.ThrowsAsync<CouponKitStoreException>(() => claim.Outcome)).Operation);
        }

        Assert.Equal(3, _failure.Calls);
        _failure.Fail = false;
        Assert.Equal(new TemplateStock(5, 0), await store.GetStockAsync("t1", default));
        Assert.Null(await store.FindByClaimKeyAsync("k1", default));
        Assert.Empty(await store.ListByUserAsync("u2", default));
        Assert.Empty(await store.LeaseDueAsync(T0.AddYears(1), 100, TimeSpan.FromMinutes(1), default));
    }

    [Fact]
    public async Task IssueAsync_OneFailedAttempt_IsRetriedAndDecrementsOnce()
    {
        var store = _database.CreateStore(options: new EfCoreCouponKitOptions { MaxAttempts = 3, RetryBackoff = TimeSpan.Zero });
        await store.AddAsync(Template("t1", 5), [], default);
        _failure.FailNext = 1;

        var coupon = new IssuedCoupon("c1", "t1", "u1", CouponState.Available, T0, T0.AddDays(7), T0, ClaimChannels.Grab, null, 1);
        var outcome = await store.IssueAsync(new IssueCommand("k1", coupon, 1, [new OutboxMessage("m1", "t", "tag", "c1", "{}", T0)]), default);

        Assert.Equal(IssueStatus.Issued, outcome.Status);
        Assert.Equal(1, _failure.Calls);
        Assert.Equal(new TemplateStock(5, 1), await store.GetStockAsync("t1", default));
        Assert.Single(await store.LeaseDueAsync(T0.AddYears(1), 100, TimeSpan.FromMinutes(1), default));
    }

    [Fact]
    public async Task ExecuteAsync_FailureAfterTheCouponUpdate_LeavesTheCouponAvailable()
    {
        var store = _database.CreateStore(options: new EfCoreCouponKitOptions { MaxAttempts = 2, RetryBackoff = TimeSpan.Zero });
        await store.AddAsync(Template("t1", 5), [], default);
        var coupon = new IssuedCoupon("c1", "t1", "u1", CouponState.Available, T0, T0.AddDays(7), T0, ClaimChannels.Grab, null, 1);
        await store.IssueAsync(new IssueCommand("k1", coupon, 1, []), default);
        _failure.Fail = true;

        await Assert.ThrowsAsync<CouponKitStoreException>(() => store.ExecuteAsync(new RedemptionCommand(TccPhase.Try, "o1", "u1", ["c1"], T0.AddHours(1)), default));

        _failure.Fail = false;
        Assert.Equal(coupon, await ((ICouponStore)store).FindAsync("c1", default));
        Assert.Empty(await store.ListRecordsAsync("o1", default));
    }

    [Fact]
    public async Task AnyOperation_MissingTables_ThrowsStoreException()
    {
        using var empty = new SqliteDatabase(create: false);
        var store = empty.CreateStore(options: new EfCoreCouponKitOptions { MaxAttempts = 2, RetryBackoff = TimeSpan.Zero });

        var ex = await Assert.ThrowsAsync<CouponKitStoreException>(() => store.FindAsync("t1", default));

        Assert.Equal("FindAsync", ex.Operation);
        Assert.IsAssignableFrom<CouponKitException>(ex);
        Assert.NotNull(ex.InnerException);
    }

    private static CouponTemplate Template(string id, int inventory) => CouponTemplate.Restore(
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

    /// <summary>Fails every <c>SaveChanges</c> while <see cref="Fail"/> is set: after the conditional updates ran.</summary>
    private sealed class FailingSaveInterceptor : SaveChangesInterceptor
    {
        public bool Fail { get; set; }

        public int FailNext { get; set; }

        public int Calls { get; private set; }

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (Fail || FailNext > 0)
            {
                FailNext--;
                Calls++;
                throw new DbUpdateException("injected failure after the stock decrement");
            }

            return base.SavingChangesAsync(eventData, result, cancellationToken);
        }
    }
}
