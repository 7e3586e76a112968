using CouponKit.InMemory;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Redemption;
using CouponKit.Rewards;
using Microsoft.Extensions.Time.Testing;

namespace CouponKit.Core.Tests.Rewards;

/// <summary>Order rewards wired on in-memory ports, an in-process bus and a fake clock: rule "r300" gives template "t20" for 300 CNY.</summary>
internal sealed class RewardHarness : IAsyncDisposable
{
    public const string Rule = "r300";

    public RewardHarness(int inventory = 1_000, int perUserLimit = 100, IReadOnlyList<RewardRule>? rules = null)
    {
        Inventory = inventory;
        PerUserLimit = perUserLimit;
        Bus = new InMemoryMessageBus(Time, Store);
        Templates = new CouponTemplates(Store, Time);
        Redemptions = new CouponRedemptions(Store, Time, Microsoft.Extensions.Options.Options.Create(new CouponKitOptions()));
        var options = new RewardOptions();
        foreach (var rule in rules ?? [new RewardRule { RuleId = Rule, TemplateId = "t20", MinimumOrderAmount = 300m, Currency = "CNY" }])
        {
            options.Rules.Add(rule);
        }

        Sut = new RewardConsumers(Bus, Store, Store, Store, Ledger, Store, Store, Time, Microsoft.Extensions.Options.Options.Create(options));
    }

    public int Inventory { get; }

    public int PerUserLimit { get; }

    public FakeTimeProvider Time { get; } = new(Shop.Now);

    public InMemoryCouponKitStore Store { get; } = new();

    public InMemoryRewardLedger Ledger { get; } = new();

    public InMemoryMessageBus Bus { get; }

    public CouponTemplates Templates { get; }

    public CouponRedemptions Redemptions { get; }

    public RewardConsumers Sut { get; }

    public static OrderPaid Paid(string orderId, decimal amount = 350m, string userId = "u1") => new(orderId, userId, amount, "CNY", Shop.Now);

    public static OrderRefunded Refunded(string orderId, string userId = "u1") => new(orderId, userId, Shop.Now);

    /// <summary>Creates and activates "t20": 20 off 100, valid 30 days after issue.</summary>
    public async Task<CouponTemplate> RewardTemplateAsync(string id = "t20", ClaimChannels channels = ClaimChannels.All)
    {
        var created = await Templates.CreateAsync(new TemplateDraft
        {
            Id = id,
            Name = "Thank you: 20 off",
            Rule = Shop.Rebate(100m, 20m),
            TotalInventory = Inventory,
            PerUserLimit = PerUserLimit,
            Validity = CouponValidity.ForDaysAfterClaim(30),
            Channels = channels,
        });
        return await Templates.ActivateAsync(created.Id);
    }

    public Task PaidAsync(OrderPaid paid, int attempt = 1) => Sut.HandlePaidAsync(new IncomingMessage(OrderEvents.Paid(paid), attempt), CancellationToken.None);

    public Task RefundedAsync(OrderRefunded refunded, int attempt = 1) => Sut.HandleRefundedAsync(new IncomingMessage(OrderEvents.Refunded(refunded), attempt), CancellationToken.None);

    public Task<IssuedCoupon?> RewardOfAsync(string orderId, string rule = Rule) => Store.FindByClaimKeyAsync(RewardEngine.ClaimKeyOf(rule, orderId), CancellationToken.None);

    public IReadOnlyList<IssuedCoupon> Rewards => Store.Coupons.Where(c => c.TemplateId == "t20").ToArray();

    public async Task AdvanceAsync(TimeSpan by)
    {
        Time.Advance(by);
        await Bus.WhenIdleAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Sut.StopAsync(CancellationToken.None);
        await Bus.DisposeAsync();
    }
}
