using CouponKit.Core.Tests.Issuance;
using CouponKit.Core.Tests.PromoCodes;
using CouponKit.InMemory;
using CouponKit.Issuance;
using CouponKit.Ports;
using CouponKit.Security;
using CouponKit.Statistics;
using Microsoft.Extensions.Options;

namespace CouponKit.Core.Tests.Security;

/// <summary>
/// Issue 11, merchants are tenants: merchant B can neither read nor change merchant A's templates, promo codes or statistics
/// (a typed refusal, nothing changes, counted); every change is audited with who, when, and the old and new values.
/// </summary>
public sealed class TenancyTests : IDisposable
{
    private static readonly MerchantActor Alice = new("shop-a", "alice@shop-a");
    private static readonly MerchantActor Bob = new("shop-b", "bob@shop-b");

    private readonly SecurityMetrics _metrics = new();
    private readonly TestKit _kit = new();
    private readonly InMemoryAuditLog _audit = new();
    private readonly CouponTemplates _templates;

    public TenancyTests()
    {
        _templates = new CouponTemplates(_kit.Store, _kit.Time, _audit, _metrics);
    }

    public void Dispose() => _metrics.Dispose();

    [Fact]
    public async Task MerchantOperations_OnAnotherMerchantsTemplate_RefusedAndChangeNothing()
    {
        var template = await _templates.CreateAsync(Alice, TestKit.Draft("ta") with { TotalInventory = 100_000 });
        await _templates.ActivateAsync(Alice, "ta");
        var before = await _kit.SnapshotAsync(["ta"]);
        var audited = _audit.Entries.Count;

        await Assert.ThrowsAsync<MerchantAccessDeniedException>(() => _templates.GetAsync(Bob, "ta"));
        await Assert.ThrowsAsync<MerchantAccessDeniedException>(() => _templates.GetStockAsync(Bob, "ta"));
        await Assert.ThrowsAsync<MerchantAccessDeniedException>(() => _templates.PauseAsync(Bob, "ta"));
        await Assert.ThrowsAsync<MerchantAccessDeniedException>(() => _templates.EndAsync(Bob, "ta"));
        await Assert.ThrowsAsync<MerchantAccessDeniedException>(() => _templates.EditAsync(Bob, "ta", new TemplateEdit { TotalInventory = 10 }));
        await Assert.ThrowsAsync<MerchantAccessDeniedException>(() => _templates.GetAsync("ta")); // the platform is an owner of its own, not a superuser
        var denied = await Assert.ThrowsAsync<MerchantAccessDeniedException>(() => _templates.CreateAsync(Bob, TestKit.Draft("tb") with { OwnerId = "shop-a" }));

        Assert.Equal("merchant_access_denied", denied.ErrorCode);
        Assert.Equal("shop-a", template.OwnerId);
        await _kit.AssertUnchangedAsync(before, ["ta"]);
        Assert.Null(await _kit.Store.FindAsync("tb", CancellationToken.None));
        Assert.Equal(audited, _audit.Entries.Count);
        Assert.Equal(7, _metrics.Count(SecurityReasons.OtherMerchant, SecurityReasons.OperationTemplate));
        _metrics.AssertNoTagContains("ta", "shop-a", "shop-b");
    }

    [Fact]
    public async Task EditAsync_Inventory_AuditsWhoWhenAndOldAndNewValues()
    {
        await _templates.CreateAsync(Alice, TestKit.Draft("ta") with { TotalInventory = 100_000 });
        _kit.Time.Advance(TimeSpan.FromMinutes(5));
        var editedAt = _kit.Now;

        await _templates.EditAsync(Alice, "ta", new TemplateEdit { TotalInventory = 10, Name = "Ten only" });

        var entry = _audit.Entries[^1];
        Assert.Equal(("shop-a", "alice@shop-a", "edited", "template", "ta", editedAt), (entry.OwnerId, entry.ActorId, entry.Action, entry.SubjectKind, entry.SubjectId, entry.At));
        Assert.Contains(new AuditChange("totalInventory", "100000", "10"), entry.Changes);
        Assert.Contains(new AuditChange("name", "10 off 100", "Ten only"), entry.Changes);
        Assert.Equal(["created", "edited"], (await _audit.ListAsync("shop-a", "ta", 100, CancellationToken.None)).Select(e => e.Action));
        Assert.Empty(await _audit.ListAsync("shop-b", null, 100, CancellationToken.None));
    }

    [Fact]
    public async Task StateChanges_AreAuditedWithOldAndNewState()
    {
        await _templates.CreateAsync(Alice, TestKit.Draft("ta"));
        await _templates.ActivateAsync(Alice, "ta");
        await _templates.PauseAsync(Alice, "ta");

        Assert.Equal(
            [("created", null, "Draft"), ("activated", "Draft", "Active"), ("paused", "Active", "Paused")],
            _audit.Entries.Select(e => (e.Action, e.Changes.Single(c => c.Field == "state").OldValue, e.Changes.Single(c => c.Field == "state").NewValue)));
    }

    [Fact]
    public async Task PlatformDefaults_SingleShopHostsKeepWorking()
    {
        var created = await _templates.CreateAsync(TestKit.Draft("tp"));
        var active = await _templates.ActivateAsync("tp");
        var edited = await _templates.EditAsync("tp", new TemplateEdit { PerUserLimit = 2 });

        Assert.Equal(CouponOwner.Platform, created.OwnerId);
        Assert.Equal((TemplateState.Active, 3L, 2), (edited.State, edited.Version, edited.PerUserLimit));
        Assert.Equal(active.Id, (await _templates.GetAsync(MerchantActor.Platform, "tp")).Id);
        await Assert.ThrowsAsync<MerchantAccessDeniedException>(() => _templates.GetAsync(Alice, "tp"));
        Assert.All(_audit.Entries, e => Assert.Equal("platform", e.ActorId));
    }

    [Fact]
    public void MerchantActor_RejectsIdsThatImpersonateThePlatform()
    {
        Assert.Throws<ArgumentException>(() => new MerchantActor("@shop", "x"));
        Assert.Throws<ArgumentException>(() => new MerchantActor(" ", "x"));
        Assert.Throws<ArgumentException>(() => new MerchantActor("shop", new string('x', 129)));
        Assert.Equal(CouponOwner.Platform, new MerchantActor(CouponOwner.Platform, "ops").OwnerId);
    }

    [Fact]
    public async Task Template_OwnerCannotBeChangedNorInvalid()
    {
        await Assert.ThrowsAsync<MerchantAccessDeniedException>(() => _templates.CreateAsync(TestKit.Draft("tx") with { OwnerId = "@evil" }));
        Assert.Throws<InvalidTemplateException>(() => CouponTemplate.Restore("tx", TestKit.Draft("tx") with { OwnerId = "@evil" }, TemplateState.Draft, 1, _kit.Now, _kit.Now));
        await _templates.CreateAsync(Alice, TestKit.Draft("ta"));
        var current = await _templates.GetAsync(Alice, "ta");
        Assert.Throws<InvalidTemplateException>(() => current.With(current.ToDraft() with { OwnerId = "shop-b" }, current.State, _kit.Now));
    }

    [Fact]
    public async Task PromoCodes_AnotherMerchantsTemplate_RefusedAndNoCodeStored()
    {
        var shop = new PromoCodeHarness();
        var templates = new CouponTemplates(shop.Store, shop.Time);
        var codes = new PromoCodeRedemptions(shop.Codes, shop.Store, shop.Store, shop.Claims, shop.Limiter, shop.Time, Options.Create(new PromoCodeRedemptionOptions()), audit: _audit, meterFactory: _metrics);
        await templates.CreateAsync(Alice, TestKit.Draft("ta"));
        await templates.ActivateAsync(Alice, "ta");

        await Assert.ThrowsAsync<MerchantAccessDeniedException>(() => codes.CreateCodesAsync(Bob, "ta", 5, 1));
        await Assert.ThrowsAsync<MerchantAccessDeniedException>(() => codes.CreateCodesAsync("ta", 5, 1));
        Assert.Equal(0, shop.Codes.Count);

        var mine = await codes.CreateCodesAsync(Alice, "ta", 5, 1);
        Assert.Equal(5, shop.Codes.Count);
        var entry = Assert.Single(_audit.Entries, e => e.Action == "promo codes created");
        Assert.Equal(("shop-a", "alice@shop-a", "ta"), (entry.OwnerId, entry.ActorId, entry.SubjectId));
        Assert.DoesNotContain(_audit.Entries.SelectMany(e => e.Changes), c => mine.Any(code => (c.NewValue ?? string.Empty).Contains(code, StringComparison.Ordinal)));
        Assert.Equal(2, _metrics.Count(SecurityReasons.OtherMerchant, SecurityReasons.OperationPromoCodes));
    }

    [Fact]
    public async Task Statistics_AnotherMerchantsTemplate_Refused()
    {
        await _templates.CreateAsync(Alice, TestKit.Draft("ta"));
        var statistics = new CouponStatistics(_kit.Store, _kit.Store, _kit.Store, _metrics);

        await Assert.ThrowsAsync<MerchantAccessDeniedException>(() => statistics.GetTemplateAsync(Bob, "ta"));
        var own = await statistics.GetTemplateAsync(Alice, "ta");

        Assert.Equal("ta", own.TemplateId);
        Assert.Equal(1, _metrics.Count(SecurityReasons.OtherMerchant, SecurityReasons.OperationStatistics));
    }
}
