using CouponKit.Benefits;
using CouponKit.Issuance;
using Xunit.Abstractions;

namespace CouponKit.Core.Tests.Benefits;

public class SplitRedEnvelopeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task CreateAsync_SplitEnvelope_DrawsItsSeedOnceAndFixesTheShares()
    {
        var kit = new BenefitKit();
        var template = await kit.ActiveAsync(BenefitKit.Draft(new SplitRedEnvelopeBenefit(Shop.Cny(100m)), inventory: 10));

        var split = Assert.IsType<SplitRedEnvelopeBenefit>(template.Benefit);
        Assert.NotNull(split.Seed);
        var shares = SplitRedEnvelope.SharesOf(split, 10);
        Assert.Equal(10_000, shares.Sum());
        Assert.Equal(shares, SplitRedEnvelope.Split(10_000, 10, split.Seed!.Value));
        var edited = await kit.Templates.EditAsync(template.Id, new TemplateEdit { Name = "renamed" });
        Assert.Equal(split, edited.Benefit);
    }

    [Fact]
    public async Task EditAsync_InventoryOfSplitEnvelope_IsRefusedAndChangesNothing()
    {
        var kit = new BenefitKit();
        var template = await kit.ActiveAsync(BenefitKit.Draft(new SplitRedEnvelopeBenefit(Shop.Cny(100m)), inventory: 10));

        var error = await Assert.ThrowsAsync<InvalidBenefitException>(() => kit.Templates.EditAsync(template.Id, new TemplateEdit { TotalInventory = 20 }));

        Assert.Equal(BenefitError.SharesFixed, error.Error);
        Assert.Equal(template, await kit.Templates.GetAsync(template.Id));
    }

    [Fact]
    public async Task ClaimAsync_EveryShareClaimed_PaysEachShareOnceAndTheTotalExactly()
    {
        var kit = new BenefitKit();
        var template = await kit.ActiveAsync(BenefitKit.Draft(new SplitRedEnvelopeBenefit(Shop.Cny(50m)), inventory: 20));

        for (var i = 0; i < 25; i++)
        {
            await kit.ClaimAsync(template.Id, $"u{i}", $"k{i}");
        }

        var coupons = kit.Store.Coupons;
        Assert.Equal(20, coupons.Count);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long?)i), coupons.Select(c => c.IssueSequence).Order());
        Assert.Equal(Shop.Cny(50m), coupons.Aggregate(Money.Zero(Currency.CNY), (sum, c) => sum + kit.Wallet.BalanceOf(c.UserId, Currency.CNY)));
        var distribution = await kit.Statistics.GetDistributionAsync(template.Id);
        Assert.Equal(Shop.Cny(50m), distribution.IssuedTotal);
        Assert.Equal(Shop.Cny(2.5m), distribution.ConfiguredMean);
        Assert.Equal(0, distribution.AuditFailures);
    }

    [Fact]
    public async Task RedeemAsync_SplitShareOnRedeem_CreditsTheShareOfTheClaimsPlace()
    {
        var kit = new BenefitKit();
        var template = await kit.ActiveAsync(BenefitKit.Draft(new SplitRedEnvelopeBenefit(Shop.Cny(10m), CreditTiming.OnRedeem), inventory: 3));
        var coupon = await kit.IssueAsync(template.Id, "u1");
        Assert.Empty(kit.Wallet.Credits);

        var result = await kit.Redemptions.RedeemAsync(coupon.CouponId, "u1");

        var split = (SplitRedEnvelopeBenefit)template.Benefit;
        Assert.Equal(Money.FromMinorUnits(SplitRedEnvelope.SharesOf(split, 3)[0], Currency.CNY), result.Amount);
        Assert.Equal(result.Amount, kit.Wallet.BalanceOf("u1", Currency.CNY));
    }

    // 64 tasks make 100,000 claims from 20,000 users (one coupon each) on an envelope of 1,000 shares summing to 8,888.88:
    // exactly 1,000 shares are paid, each place in the inventory once, and the wallet credits sum exactly to the total.
    [Fact]
    public async Task ClaimAsync_64TasksRaceForA1000ShareEnvelope_PaysExactly1000SharesSummingToTheTotal()
    {
        const int Tasks = 64;
        const int Attempts = 100_000;
        const int Users = 20_000;
        const int Shares = 1_000;
        var kit = new BenefitKit();
        var total = Shop.Cny(8_888.88m);
        var template = await kit.ActiveAsync(BenefitKit.Draft(new SplitRedEnvelopeBenefit(total), inventory: Shares));
        var results = new ClaimResult[Attempts];

        await Task.WhenAll(Enumerable.Range(0, Tasks).Select(task => Task.Run(async () =>
        {
            for (var i = task; i < Attempts; i += Tasks)
            {
                results[i] = await kit.ClaimAsync(template.Id, $"user-{i % Users}", $"attempt-{i}");
            }
        })));

        var coupons = kit.Store.Coupons;
        Assert.Equal(Shares, coupons.Count);
        Assert.Equal(Shares, results.Count(r => r.IsIssued));
        Assert.All(results.Where(r => !r.IsIssued), r => Assert.Contains(r.Rejection, new ClaimRejection?[] { ClaimRejection.SoldOut, ClaimRejection.LimitReached }));
        Assert.Equal(Enumerable.Range(0, Shares).Select(i => (long?)i), coupons.Select(c => c.IssueSequence).Order());
        var credits = kit.Wallet.Credits;
        Assert.Equal(Shares, credits.Count);
        Assert.Equal(total, credits.Values.Aggregate(Money.Zero(Currency.CNY), (a, b) => a + b));
        Assert.All(credits.Values, c => Assert.True(c.Amount >= 0.01m));
        Assert.Equal(Shares, kit.Outbox(BenefitIssuance.CreditTag).Count);
        output.WriteLine($"smallest share {credits.Values.Min()}, largest {credits.Values.Max()}");
    }
}

public class SplitRedEnvelopeStoreSupportTests
{
    [Fact]
    public async Task ClaimAsync_StoreWithoutIssueSequences_ThrowsBenefitNotSupportedAndIssuesNothing()
    {
        var kit = new BenefitKit();
        var template = await kit.ActiveAsync(BenefitKit.Draft(new SplitRedEnvelopeBenefit(Shop.Cny(10m)), inventory: 5));
        var claims = new CouponClaims(kit.Store, new NoSequenceStore(kit.Store), new InMemory.InMemoryRateLimiter(kit.Time), kit.Points, kit.Bus, kit.Time, Microsoft.Extensions.Options.Options.Create(new CouponKitOptions()), wallet: kit.Wallet);

        var error = await Assert.ThrowsAsync<BenefitNotSupportedException>(() => claims.ClaimAsync(new ClaimRequest { TemplateId = template.Id, User = Issuance.TestKit.User("u1"), IdempotencyKey = "k1" }));

        Assert.Equal(BenefitKind.SplitRedEnvelope, error.Kind);
        Assert.Empty(kit.Store.Coupons);
        Assert.Empty(kit.Wallet.Credits);
    }

    /// <summary>A coupon store that does not assign issue sequences (the interface's default).</summary>
    private sealed class NoSequenceStore(Ports.ICouponStore inner) : Ports.ICouponStore
    {
        public Task<Ports.IssueOutcome> IssueAsync(Ports.IssueCommand command, CancellationToken cancellationToken) => inner.IssueAsync(command, cancellationToken);

        public Task<IssuedCoupon?> FindByClaimKeyAsync(string claimKey, CancellationToken cancellationToken) => inner.FindByClaimKeyAsync(claimKey, cancellationToken);

        public Task<IssuedCoupon?> FindAsync(string couponId, CancellationToken cancellationToken) => inner.FindAsync(couponId, cancellationToken);

        public Task<IReadOnlyList<IssuedCoupon>> ListByUserAsync(string userId, CancellationToken cancellationToken) => inner.ListByUserAsync(userId, cancellationToken);
    }
}
