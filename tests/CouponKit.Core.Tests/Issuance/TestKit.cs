using CouponKit.InMemory;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Redemption;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CouponKit.Core.Tests.Issuance;

/// <summary>
/// The services of issuance and redemption wired on one <see cref="InMemoryCouponKitStore"/>, a fake clock starting at
/// <see cref="Shop.Now"/>, an in-memory rate limiter and points ledger, and a recording bus.
/// </summary>
internal sealed class TestKit
{
    public TestKit(CouponKitOptions? options = null)
    {
        Options = options ?? new CouponKitOptions();
        Time = new FakeTimeProvider(Shop.Now);
        Store = new InMemoryCouponKitStore();
        Limiter = new InMemoryRateLimiter(Time);
        Points = new InMemoryPointsLedger();
        Bus = new RecordingMessageBus();
        var wrapped = Microsoft.Extensions.Options.Options.Create(Options);
        Templates = new CouponTemplates(Store, Time);
        Claims = new CouponClaims(Store, Store, Limiter, Points, Bus, Time, wrapped);
        Redemptions = new CouponRedemptions(Store, Time, wrapped);
    }

    public CouponKitOptions Options { get; }

    public FakeTimeProvider Time { get; }

    public InMemoryCouponKitStore Store { get; }

    public InMemoryRateLimiter Limiter { get; }

    public InMemoryPointsLedger Points { get; }

    public RecordingMessageBus Bus { get; }

    public CouponTemplates Templates { get; }

    public CouponClaims Claims { get; }

    public CouponRedemptions Redemptions { get; }

    public DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>A valid draft: 10.00 off 100.00, 100 coupons, 1 per user, valid 7 days after the claim, every channel.</summary>
    public static TemplateDraft Draft(string id = "t1") => new()
    {
        Id = id,
        Name = "10 off 100",
        Rule = Shop.Rebate(100m, 10m),
        TotalInventory = 100,
        Validity = CouponValidity.ForDaysAfterClaim(7),
    };

    public static UserProfile User(string id, params string[] segments) => new(id, segments);

    /// <summary>Creates and activates a template.</summary>
    public async Task<CouponTemplate> ActiveAsync(TemplateDraft draft)
    {
        var created = await Templates.CreateAsync(draft);
        return await Templates.ActivateAsync(created.Id);
    }

    public Task<ClaimResult> ClaimAsync(string templateId, string userId, string key, ClaimChannels channel = ClaimChannels.Grab) =>
        Claims.ClaimAsync(new ClaimRequest { TemplateId = templateId, User = User(userId), IdempotencyKey = key, Channel = channel });

    public Task<ClaimResult> ClaimAsync(string templateId, UserProfile user, string key) =>
        Claims.ClaimAsync(new ClaimRequest { TemplateId = templateId, User = user, IdempotencyKey = key });

    /// <summary>Claims and returns the coupon, failing when nothing is issued.</summary>
    public async Task<IssuedCoupon> IssueAsync(string templateId, string userId, string? key = null)
    {
        var result = await ClaimAsync(templateId, userId, key ?? Guid.NewGuid().ToString("N"));
        Assert.True(result.IsIssued, result.ToString());
        return result.Coupon!;
    }

    public IssuedCoupon Coupon(string couponId) => Assert.Single(Store.Coupons, c => c.CouponId == couponId);

    public IReadOnlyList<OutboxMessage> Outbox(string tag) =>
        Store.OutboxEntries.Select(e => e.Message).Where(m => m.Tag == tag).ToArray();

    /// <summary>Takes a picture of everything the services may write, for the templates, users and orders named.</summary>
    public async Task<StoreSnapshot> SnapshotAsync(string[]? templateIds = null, string[]? userIds = null, string[]? orderIds = null)
    {
        var templates = new List<string>();
        foreach (var id in templateIds ?? [])
        {
            var template = await Store.FindAsync(id, CancellationToken.None);
            var stock = await Store.GetStockAsync(id, CancellationToken.None);
            templates.Add(template is null ? $"{id}: none" : $"{id}: v{template.Version} {template.State} {stock}");
        }

        var records = new List<OperationRecord>();
        foreach (var order in orderIds ?? [])
        {
            records.AddRange(await Store.ListRecordsAsync(order, CancellationToken.None));
        }

        return new StoreSnapshot(
            Store.Coupons.OrderBy(c => c.CouponId, StringComparer.Ordinal).ToArray(),
            Store.OutboxEntries,
            templates,
            (userIds ?? []).Select(u => $"{u}: {Points.BalanceOf(u)}").ToArray(),
            records,
            Bus.Published);
    }

    /// <summary>Asserts that nothing the snapshot covers changed.</summary>
    public async Task AssertUnchangedAsync(StoreSnapshot before, string[]? templateIds = null, string[]? userIds = null, string[]? orderIds = null)
    {
        var after = await SnapshotAsync(templateIds, userIds, orderIds);
        Assert.Equal(before.Coupons, after.Coupons);
        Assert.Equal(before.Outbox, after.Outbox);
        Assert.Equal(before.Templates, after.Templates);
        Assert.Equal(before.Balances, after.Balances);
        Assert.Equal(before.Records, after.Records);
        Assert.Equal(before.Published, after.Published);
    }
}

/// <summary>What the stores, the ledger and the bus hold at one moment.</summary>
internal sealed record StoreSnapshot(
    IReadOnlyList<IssuedCoupon> Coupons,
    IReadOnlyList<OutboxEntry> Outbox,
    IReadOnlyList<string> Templates,
    IReadOnlyList<string> Balances,
    IReadOnlyList<OperationRecord> Records,
    IReadOnlyList<OutboxMessage> Published);
