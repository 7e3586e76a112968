using CouponKit.Benefits;
using CouponKit.EfCore.Model;
using CouponKit.EfCore.Stores;
using CouponKit.EfCore.Tests.Postgres;
using CouponKit.EfCore.Tests.Segments;
using CouponKit.Issuance;
using CouponKit.Ports;
using CouponKit.Redemption;
using CouponKit.Rules;
using Microsoft.EntityFrameworkCore;

namespace CouponKit.EfCore.Tests.Benefits;

/// <summary>
/// The benefits' coupon fields in the EF Core store: a lucky coupon's draw round-trips (single and bulk issue), and a split red
/// envelope's issue sequences are assigned in the claim's transaction, once each, under concurrent claims.
/// </summary>
public abstract class BenefitPersistenceTests : DatabaseTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    // A seed above long.MaxValue and an amount with minor units: neither may be rounded on the way through the database.
    private static readonly BenefitDraw Lucky = new("xoshiro256**/splitmix64;weighted", 0xF00D_CAFE_DEAD_BEEFUL, Money.Of(7.35m, "CNY"), 2);

    [Fact]
    public async Task IssueAsync_LuckyCoupon_DrawRoundTripsThroughEveryRead()
    {
        var (_, store) = await CreateAsync(segments: 1);
        await store.AddAsync(Template("t1", 10), [], default);
        var coupon = Coupon("c1", "t1", "u1") with { Draw = Lucky };

        var outcome = await store.IssueAsync(new IssueCommand("k1", coupon, 1, []), default);

        Assert.Equal(IssueStatus.Issued, outcome.Status);
        Assert.Null(outcome.Coupon!.IssueSequence); // not asked for
        Assert.Equal(Lucky, (await ((ICouponStore)store).FindAsync("c1", default))!.Draw);
        Assert.Equal(Lucky, (await store.FindByClaimKeyAsync("k1", default))!.Draw);
        Assert.Equal(Lucky, Assert.Single(await store.ListByUserAsync("u1", default)).Draw);
        var replay = await store.IssueAsync(new IssueCommand("k1", coupon, 1, []), default);
        Assert.Equal((IssueStatus.Replayed, Lucky), (replay.Status, replay.Coupon!.Draw));
    }

    [Fact]
    public async Task IssueBatchAsync_LuckyCoupons_DrawsRoundTrip()
    {
        var (_, store) = await CreateAsync(segments: 1);
        await store.AddAsync(Template("t1", 10), [], default);
        var draws = Enumerable.Range(0, 5).Select(i => Lucky with { Seed = Lucky.Seed - (ulong)i, Value = Money.Of(1.01m + i, "CNY"), PrizeIndex = i % 2 == 0 ? null : i }).ToArray();
        var commands = draws.Select((d, i) => new IssueCommand($"k{i}", Coupon($"c{i}", "t1", $"u{i}") with { Draw = d }, 1, [])).ToArray();

        var outcomes = await store.IssueBatchAsync(commands, default);

        Assert.All(outcomes, o => Assert.Equal(IssueStatus.Issued, o.Status));
        for (var i = 0; i < draws.Length; i++)
        {
            Assert.Equal(draws[i], (await ((ICouponStore)store).FindAsync($"c{i}", default))!.Draw);
        }
    }

    // Invariant: 16 claimers race 3 x inventory users for a split red envelope of 100 shares; exactly 100 coupons are issued,
    // their issue sequences are exactly 0..99 (each share paid once), each answer carries the sequence stored, and the shares
    // they select sum exactly to the envelope's total.
    [Fact]
    public async Task IssueAsync_SplitEnvelopeClaimedConcurrently_PaysEachShareOnceAndSumsToTheTotal()
    {
        const int Shares = 100;
        const ulong Seed = 20261123;
        var (db, store) = await CreateAsync(segments: 1);
        var envelope = new SplitRedEnvelopeBenefit(Money.Of(100m, "CNY"), CreditTiming.OnClaim, Seed);
        await store.AddAsync(Template("env", Shares, envelope), [], default);
        var outcomes = new IssueOutcome[Shares * 3];

        await Task.WhenAll(Enumerable.Range(0, 16).Select(task => Task.Run(async () =>
        {
            for (var i = task; i < outcomes.Length; i += 16)
            {
                var command = new IssueCommand($"k{i}", Coupon($"c{i}", "env", $"u{i}"), 1, []) { AssignSequence = true };
                outcomes[i] = await store.IssueAsync(command, default);
            }
        })));

        var issued = outcomes.Where(o => o.Status == IssueStatus.Issued).Select(o => o.Coupon!).ToArray();
        Assert.Equal(Shares, issued.Length);
        Assert.All(outcomes.Where(o => o.Status != IssueStatus.Issued), o => Assert.Equal(IssueStatus.SoldOut, o.Status));
        await using var context = await db.Factory.CreateDbContextAsync();
        var stored = await context.Set<CouponRow>().Where(c => c.TemplateId == "env").ToDictionaryAsync(c => c.CouponId, c => c.IssueSequence);
        Assert.Equal(Enumerable.Range(0, Shares).Select(i => (long?)i), stored.Values.Order());
        Assert.All(issued, c => Assert.Equal(stored[c.CouponId], c.IssueSequence));
        var shares = SplitRedEnvelope.Split(10_000, Shares, Seed);
        Assert.Equal(10_000, issued.Sum(c => shares[c.IssueSequence!.Value]));
    }

    [Fact]
    public async Task IssueAsync_AssignSequenceOnSegmentedTemplate_IsRefusedAndChangesNothing()
    {
        var (_, store) = await CreateAsync(segments: 4);
        await store.AddAsync(Template("t1", 10), [], default);

        var ex = await Assert.ThrowsAsync<BenefitNotSupportedException>(() => store.IssueAsync(new IssueCommand("k1", Coupon("c1", "t1", "u1"), 1, []) { AssignSequence = true }, default));

        Assert.Equal(("t1", BenefitKind.SplitRedEnvelope), (ex.TemplateId, ex.Kind));
        Assert.Equal(new TemplateStock(10, 0), await store.GetStockAsync("t1", default));
        Assert.Null(await store.FindByClaimKeyAsync("k1", default));
    }

    // A split red envelope's shares are chosen by one gapless issue sequence, which independently decremented stock segments do
    // not give (and a claim on one is refused): so the store refuses the envelope when it is added, and stores nothing.
    [Fact]
    public async Task AddAsync_SplitEnvelopeOnSegmentedStore_IsRefusedAndStoresNothing()
    {
        var (_, store) = await CreateAsync(segments: 4);
        var envelope = new SplitRedEnvelopeBenefit(Money.Of(100m, "CNY"), CreditTiming.OnClaim, 7);

        var ex = await Assert.ThrowsAsync<BenefitNotSupportedException>(() => store.AddAsync(Template("env", 100, envelope), [], default));

        Assert.Equal(("env", BenefitKind.SplitRedEnvelope), (ex.TemplateId, ex.Kind));
        Assert.Null(await store.FindAsync("env", default));
        Assert.Null(await store.GetStockAsync("env", default));
    }

    [Fact]
    public async Task IssueBatchAsync_AssignSequence_IsRefusedAndChangesNothing()
    {
        var (_, store) = await CreateAsync(segments: 1);
        await store.AddAsync(Template("t1", 10), [], default);
        IssueCommand[] commands =
        [
            new("k0", Coupon("c0", "t1", "u0"), 1, []),
            new("k1", Coupon("c1", "t1", "u1"), 1, []) { AssignSequence = true },
        ];

        await Assert.ThrowsAsync<BenefitNotSupportedException>(() => store.IssueBatchAsync(commands, default));

        Assert.Equal(new TemplateStock(10, 0), await store.GetStockAsync("t1", default));
        Assert.Null(await store.FindByClaimKeyAsync("k0", default));
    }

    [Fact]
    public async Task AssignsIssueSequence_IsTrue()
    {
        var (_, store) = await CreateAsync(segments: 1);
        Assert.True(((ICouponStore)store).AssignsIssueSequence);
    }

    private static CouponTemplate Template(string id, int inventory, Benefit? benefit = null) => CouponTemplate.Restore(
        id,
        new TemplateDraft
        {
            Id = id,
            Name = "Benefit test",
            Rule = new ThresholdRebateRule(Threshold.Spend(Money.Of(100m, "CNY")), Money.Of(10m, "CNY")),
            TotalInventory = inventory,
            Validity = CouponValidity.ForDaysAfterClaim(7),
            Benefit = benefit ?? Benefit.Coupon,
        },
        TemplateState.Active,
        1,
        T0,
        T0);

    private static IssuedCoupon Coupon(string id, string templateId, string userId) =>
        new(id, templateId, userId, CouponState.Available, T0, T0.AddDays(7), T0, ClaimChannels.Grab, null, 1);

    private async Task<(TestDatabase Db, EfCoreCouponKitStore<CouponKitDbContext> Store)> CreateAsync(int segments)
    {
        var db = await CreateDatabaseAsync();
        return (db, db.CreateStore(new EfCoreCouponKitOptions { StockSegments = segments, MaxAttempts = 100 }));
    }
}

/// <summary>The benefits' coupon fields on SQLite.</summary>
public sealed class SqliteBenefitPersistenceTests : BenefitPersistenceTests
{
    private protected override Task<TestDatabase> CreateDatabaseCoreAsync() => Task.FromResult(TestDatabase.Sqlite());
}

/// <summary>The benefits' coupon fields on PostgreSQL 15.</summary>
[Collection(PostgresFixture.Name)]
public sealed class PostgresBenefitPersistenceTests(PostgresServer server) : BenefitPersistenceTests
{
    private protected override Task<TestDatabase> CreateDatabaseCoreAsync() => TestDatabase.PostgresAsync(server, "benefits");
}
