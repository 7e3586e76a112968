using CouponKit.Benefits;
using CouponKit.Core.Tests.Issuance;
using CouponKit.InMemory;
using CouponKit.Issuance;
using CouponKit.Messaging;
using Microsoft.Extensions.Time.Testing;

namespace CouponKit.Core.Tests.Benefits;

/// <summary>
/// The claim path wired with a wallet: one <see cref="InMemoryCouponKitStore"/>, a fake clock at <see cref="Shop.Now"/>, generous
/// rate limits, in-memory points and wallet ledgers, a recording bus, and the benefit services on top.
/// </summary>
internal sealed class BenefitKit
{
    public BenefitKit()
    {
        Time = new FakeTimeProvider(Shop.Now);
        Store = new InMemoryCouponKitStore();
        Points = new InMemoryPointsLedger();
        Wallet = new InMemoryWalletLedger();
        Bus = new RecordingMessageBus();
        var options = Microsoft.Extensions.Options.Options.Create(new CouponKitOptions { ClaimsPerUser = 1_000_000, ClaimsPerIp = 10_000_000 });
        Templates = new CouponTemplates(Store, Time);
        Claims = new CouponClaims(Store, Store, new InMemoryRateLimiter(Time), Points, Bus, Time, options, wallet: Wallet);
        Redemptions = new BenefitRedemptions(Store, Store, Store, Wallet, Points, Time);
        Statistics = new BenefitStatistics(Store, Store);
        Consumers = new BenefitConsumers(Bus, Store, Store, Points, Wallet);
    }

    public FakeTimeProvider Time { get; }

    public InMemoryCouponKitStore Store { get; }

    public InMemoryPointsLedger Points { get; }

    public InMemoryWalletLedger Wallet { get; }

    public RecordingMessageBus Bus { get; }

    public CouponTemplates Templates { get; }

    public CouponClaims Claims { get; }

    public BenefitRedemptions Redemptions { get; }

    public BenefitStatistics Statistics { get; }

    public BenefitConsumers Consumers { get; }

    public static TemplateDraft Draft(Benefit benefit, string id = "b1", int inventory = 100, int perUser = 1) => new()
    {
        Id = id,
        Name = "benefit",
        Rule = Shop.Rebate(100m, 10m),
        TotalInventory = inventory,
        PerUserLimit = perUser,
        Validity = CouponValidity.ForDaysAfterClaim(7),
        Benefit = benefit,
    };

    public async Task<CouponTemplate> ActiveAsync(TemplateDraft draft)
    {
        var created = await Templates.CreateAsync(draft);
        return await Templates.ActivateAsync(created.Id);
    }

    public Task<ClaimResult> ClaimAsync(string templateId, string userId, string key) =>
        Claims.ClaimAsync(new ClaimRequest { TemplateId = templateId, User = TestKit.User(userId), IdempotencyKey = key });

    public async Task<IssuedCoupon> IssueAsync(string templateId, string userId, string? key = null)
    {
        var result = await ClaimAsync(templateId, userId, key ?? Guid.NewGuid().ToString("N"));
        Assert.True(result.IsIssued, result.ToString());
        return result.Coupon!;
    }

    public IReadOnlyList<OutboxMessage> Outbox(string tag) =>
        Store.OutboxEntries.Select(e => e.Message).Where(m => m.Tag == tag).ToArray();
}
