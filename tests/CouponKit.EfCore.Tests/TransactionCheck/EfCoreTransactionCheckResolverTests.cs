using System.Text.Json;
using CouponKit.EfCore.Stores;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Redemption;
using CouponKit.Rules;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CouponKit.EfCore.Tests.TransactionCheck;

/// <summary>
/// The EF Core answer to the broker's check-back, on SQLite: committed when the local transaction's row exists (outbox row,
/// claim row of this coupon, TCC operation rows of the phase), rolled back when it does not and the message is older than the
/// grace period, unknown in between.
/// </summary>
public sealed class EfCoreTransactionCheckResolverTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(5);

    private readonly SqliteDatabase _db = new();
    private readonly FakeTimeProvider _time = new(T0);
    private readonly EfCoreCouponKitStore<CouponKitDbContext> _store;
    private readonly EfCoreTransactionCheckResolver<CouponKitDbContext> _resolver;

    public EfCoreTransactionCheckResolverTests()
    {
        _store = _db.CreateStore(_time);
        _resolver = new(_db.Factory, _time, Options.Create(new EfCoreTransactionCheckOptions { GracePeriod = Grace }), NullLogger<EfCoreTransactionCheckResolver<CouponKitDbContext>>.Instance);
    }

    [Fact]
    public async Task Issued_ClaimRowOfThisCouponCommitted_Committed()
    {
        await AddTemplateAsync();
        var coupon = Coupon("c1");

        // As the transactional Issued path does it: the event is not in the outbox, only the claim row tells.
        Assert.Equal(IssueStatus.Issued, (await _store.IssueAsync(new IssueCommand("key-1", coupon, 1, []), default)).Status);

        Assert.Equal(TransactionOutcome.Committed, await _resolver.ResolveAsync(CouponEvents.Issued(coupon, "key-1"), default));
    }

    [Fact]
    public async Task Issued_NoClaimRow_UnknownWithinTheGracePeriod_RolledBackAfterIt()
    {
        await AddTemplateAsync();
        var message = CouponEvents.Issued(Coupon("c1"), "key-1");

        _time.Advance(Grace - TimeSpan.FromSeconds(1));
        Assert.Equal(TransactionOutcome.Unknown, await _resolver.ResolveAsync(message, default));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TransactionOutcome.RolledBack, await _resolver.ResolveAsync(message, default));
    }

    [Fact]
    public async Task Issued_KeyUsedByAnEarlierClaimOfAnotherCoupon_IsNotThisTransaction()
    {
        await AddTemplateAsync();
        await _store.IssueAsync(new IssueCommand("key-1", Coupon("c-earlier"), 1, []), default);
        var retry = CouponEvents.Issued(Coupon("c-retry"), "key-1");
        _time.Advance(Grace);

        Assert.Equal(TransactionOutcome.RolledBack, await _resolver.ResolveAsync(retry, default));
        Assert.Equal(TransactionOutcome.Committed, await _resolver.ResolveAsync(CouponEvents.Issued(Coupon("c-earlier"), "key-1"), default));
    }

    [Fact]
    public async Task AnyMessage_WrittenToTheOutboxByItsTransaction_Committed()
    {
        await AddTemplateAsync();
        var own = new OutboxMessage("shop:order-9:paid", "order-events", "Paid", "order-9", "not json", T0);
        await _store.IssueAsync(new IssueCommand("key-1", Coupon("c1"), 1, [own]), default);
        _time.Advance(Grace * 10);

        Assert.Equal(TransactionOutcome.Committed, await _resolver.ResolveAsync(own, default));
        Assert.Equal(TransactionOutcome.RolledBack, await _resolver.ResolveAsync(own with { MessageId = "shop:order-10:paid" }, default));
    }

    [Fact]
    public async Task OrderEvents_AnsweredFromTheOperationRowsOfTheirPhase()
    {
        await AddTemplateAsync();
        await _store.IssueAsync(new IssueCommand("key-1", Coupon("c1"), 1, []), default);
        await _store.IssueAsync(new IssueCommand("key-2", Coupon("c2"), 2, []), default);
        Assert.Equal(RedemptionStatus.Locked, (await _store.ExecuteAsync(new RedemptionCommand(TccPhase.Try, "order-1", "alice", ["c1", "c2"], T0, T0.AddMinutes(30)), default)).Status);
        _time.Advance(Grace);

        Assert.Equal(TransactionOutcome.Committed, await _resolver.ResolveAsync(OrderMessage(CouponTopics.Locked, "order-1", "c1", "c2"), default));
        Assert.Equal(TransactionOutcome.RolledBack, await _resolver.ResolveAsync(OrderMessage(CouponTopics.Confirmed, "order-1", "c1", "c2"), default));
        Assert.Equal(TransactionOutcome.RolledBack, await _resolver.ResolveAsync(OrderMessage(CouponTopics.Locked, "order-1", "c1", "c3"), default));
        Assert.Equal(TransactionOutcome.RolledBack, await _resolver.ResolveAsync(OrderMessage(CouponTopics.Locked, "order-2", "c1"), default));

        Assert.Equal(RedemptionStatus.Confirmed, (await _store.ExecuteAsync(new RedemptionCommand(TccPhase.Confirm, "order-1", "alice", [], T0.AddMinutes(1)), default)).Status);
        Assert.Equal(TransactionOutcome.Committed, await _resolver.ResolveAsync(OrderMessage(CouponTopics.Confirmed, "order-1", "c1", "c2"), default));
    }

    [Fact]
    public async Task ReleasedBeforeAnyLock_EmptyCompensationIsNotALock()
    {
        await AddTemplateAsync();
        await _store.IssueAsync(new IssueCommand("key-1", Coupon("c1"), 1, []), default);
        await _store.ExecuteAsync(new RedemptionCommand(TccPhase.Cancel, "order-1", "alice", ["c1"], T0, null, "timeout"), default);
        _time.Advance(Grace);

        // The Cancel wrote a Try row of origin Cancel (so that a late Try is refused): no Locked event was ever committed.
        Assert.Equal(TransactionOutcome.RolledBack, await _resolver.ResolveAsync(OrderMessage(CouponTopics.Locked, "order-1", "c1"), default));
    }

    [Fact]
    public async Task UnreadableBody_WithoutOutboxRow_FallsBackOnTheGracePeriod()
    {
        var broken = new OutboxMessage("coupon:x:issued", CouponTopics.Coupon, CouponTopics.Issued, "t1", "{not json", T0);

        Assert.Equal(TransactionOutcome.Unknown, await _resolver.ResolveAsync(broken, default));
        _time.Advance(Grace);
        Assert.Equal(TransactionOutcome.RolledBack, await _resolver.ResolveAsync(broken, default));
    }

    [Fact]
    public void Options_DefaultsAndRange()
    {
        var validator = new EfCoreTransactionCheckOptionsValidator();

        Assert.Equal(TimeSpan.FromMinutes(5), new EfCoreTransactionCheckOptions().GracePeriod);
        Assert.True(validator.Validate(null, new EfCoreTransactionCheckOptions()).Succeeded);
        Assert.True(validator.Validate(null, new EfCoreTransactionCheckOptions { GracePeriod = TimeSpan.Zero }).Failed);
        Assert.True(validator.Validate(null, new EfCoreTransactionCheckOptions { GracePeriod = TimeSpan.FromDays(2) }).Failed);
    }

    [Fact]
    public void UseEntityFrameworkCore_RegistersTheResolver_UnlessTheShopHasOne()
    {
        var services = new ServiceCollection();
        services.AddDbContextFactory<CouponKitDbContext>(o => o.UseSqlite(_db.ConnectionString));
        services.AddCouponKit().UseEntityFrameworkCore<CouponKitDbContext>();
        using (var provider = services.BuildServiceProvider())
        {
            Assert.IsType<EfCoreTransactionCheckResolver<CouponKitDbContext>>(provider.GetRequiredService<ITransactionCheckResolver>());
            Assert.Equal(TimeSpan.FromMinutes(5), provider.GetRequiredService<IOptions<EfCoreTransactionCheckOptions>>().Value.GracePeriod);
        }

        var own = new ServiceCollection();
        own.AddSingleton<ITransactionCheckResolver, ShopResolver>();
        own.AddDbContextFactory<CouponKitDbContext>(o => o.UseSqlite(_db.ConnectionString));
        own.AddCouponKit().UseEntityFrameworkCore<CouponKitDbContext>();
        using var ownProvider = own.BuildServiceProvider();
        Assert.IsType<ShopResolver>(ownProvider.GetRequiredService<ITransactionCheckResolver>());
    }

    public void Dispose() => _db.Dispose();

    private async Task AddTemplateAsync()
    {
        var draft = new TemplateDraft
        {
            Id = "t1",
            Name = "10 off 100",
            Rule = new ThresholdRebateRule(Threshold.Spend(Money.Of(100m, "CNY")), Money.Of(10m, "CNY")),
            TotalInventory = 100,
            Validity = CouponValidity.ForDaysAfterClaim(7),
        };
        await _store.AddAsync(CouponTemplate.Restore("t1", draft, TemplateState.Active, 1, T0, T0), [], default);
    }

    private static IssuedCoupon Coupon(string id) => new(id, "t1", "alice", CouponState.Available, T0, T0.AddDays(7), T0, ClaimChannels.Grab, null, 1);

    private static OutboxMessage OrderMessage(string tag, string orderId, params string[] couponIds)
    {
        var body = new CouponEvents.OrderCoupons(orderId, "alice", couponIds, couponIds.Select(_ => "t1").ToArray(), T0, null);
        return new OutboxMessage($"tx:{orderId}:{tag}", CouponTopics.Coupon, tag, orderId, JsonSerializer.Serialize(body, Json), T0);
    }

    private sealed class ShopResolver : ITransactionCheckResolver
    {
        public Task<TransactionOutcome> ResolveAsync(OutboxMessage message, CancellationToken cancellationToken) => Task.FromResult(TransactionOutcome.Unknown);
    }
}
