using System.Net;
using System.Net.Http.Json;

namespace CouponKit.Samples.WebShop.Tests.Security;

/// <summary>
/// A merchant token is bound to one merchant, and the endpoints act through the core's tenancy: another merchant's template,
/// promo codes, statistics and audit trail answer exactly as an unknown template's and are not changed; every change is in
/// the audit trail with who made it and the old and new values.
/// </summary>
public sealed class MerchantIsolationTests : IClassFixture<WebShopFactory>
{
    private readonly WebShopFactory _factory;

    public MerchantIsolationTests(WebShopFactory factory) => _factory = factory;

    [Fact]
    public async Task MerchantB_CannotReadOrChangeMerchantAsTemplate()
    {
        var a = _factory.Merchant("merchant-a");
        var b = _factory.Merchant("merchant-b");
        var templateId = await Shop.CreateTemplateAsync(a, inventory: 100);
        var before = _factory.DumpBusinessTables();

        await Shop.AssertProblemAsync(await b.GetAsync(new Uri($"/merchant/templates/{templateId}", UriKind.Relative)), HttpStatusCode.NotFound, "template_not_found");
        await Shop.AssertProblemAsync(await b.GetAsync(new Uri($"/merchant/templates/{templateId}/statistics", UriKind.Relative)), HttpStatusCode.NotFound, "template_not_found");
        await Shop.AssertProblemAsync(await b.PutAsJsonAsync($"/merchant/templates/{templateId}/inventory", new { totalInventory = 1 }), HttpStatusCode.NotFound, "template_not_found");
        await Shop.AssertProblemAsync(await b.PostAsJsonAsync($"/merchant/templates/{templateId}/state", new { action = "end" }), HttpStatusCode.NotFound, "template_not_found");

        Assert.Equal(before, _factory.DumpBusinessTables());
        var template = await Shop.JsonAsync(await a.GetAsync(new Uri($"/merchant/templates/{templateId}", UriKind.Relative)));
        Assert.Equal(100, template["totalInventory"]!.GetValue<int>());
        Assert.Equal("Active", template["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task MerchantWhoseIdIsAPrefix_CannotReachTheLongerOnesTemplates()
    {
        var templateId = await Shop.CreateTemplateAsync(_factory.Merchant("shop-12"));

        await Shop.AssertProblemAsync(await _factory.Merchant("shop-1").GetAsync(new Uri($"/merchant/templates/{templateId}", UriKind.Relative)), HttpStatusCode.NotFound, "template_not_found");
    }

    [Fact]
    public async Task MerchantB_CannotCreatePromoCodesOrReadTheAuditTrailOfMerchantAsTemplate()
    {
        var a = _factory.Merchant("merchant-a");
        var b = _factory.Merchant("merchant-b");
        var templateId = await Shop.CreateTemplateAsync(a, inventory: 100);
        var before = _factory.DumpBusinessTables();

        var codes = await b.PostAsJsonAsync($"/merchant/templates/{templateId}/promo-codes", new { count = 3 });
        var audit = await b.GetAsync(new Uri($"/merchant/templates/{templateId}/audit", UriKind.Relative));
        var unknown = await b.GetAsync(new Uri("/merchant/templates/no-such-template/audit", UriKind.Relative));

        var refused = await Shop.AssertProblemAsync(codes, HttpStatusCode.NotFound, "template_not_found");
        await Shop.AssertProblemAsync(audit, HttpStatusCode.NotFound, "template_not_found");
        var notFound = await Shop.AssertProblemAsync(unknown, HttpStatusCode.NotFound, "template_not_found");
        Assert.Equal(notFound["detail"]!.GetValue<string>().Replace("no-such-template", "ID", StringComparison.Ordinal), refused["detail"]!.GetValue<string>().Replace(templateId, "ID", StringComparison.Ordinal));
        Assert.Equal(before, _factory.DumpBusinessTables());
        var trail = (await Shop.JsonAsync(await a.GetAsync(new Uri($"/merchant/templates/{templateId}/audit", UriKind.Relative)))).AsArray();
        Assert.DoesNotContain(trail, e => e!["action"]!.GetValue<string>() == "promo codes created");

        var own = await a.PostAsJsonAsync($"/merchant/templates/{templateId}/promo-codes", new { count = 3 });
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(3, (await Shop.JsonAsync(own))["codes"]!.AsArray().Count);
    }

    [Fact]
    public async Task AuditTrail_InventoryChange_ShowsWhoAndTheOldAndNewValues_AndOnlyToTheOwner()
    {
        var a = _factory.Merchant("merchant-a");
        var b = _factory.Merchant("merchant-b");
        var templateId = await Shop.CreateTemplateAsync(a, inventory: 100_000);
        await Shop.AssertProblemAsync(await b.PutAsJsonAsync($"/merchant/templates/{templateId}/inventory", new { totalInventory = 1 }), HttpStatusCode.NotFound, "template_not_found");

        var changed = await a.PutAsJsonAsync($"/merchant/templates/{templateId}/inventory", new { totalInventory = 10 });

        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var trail = (await Shop.JsonAsync(await a.GetAsync(new Uri($"/merchant/templates/{templateId}/audit", UriKind.Relative)))).AsArray();
        Assert.Equal(["created", "activated", "edited"], trail.Select(e => e!["action"]!.GetValue<string>()));
        Assert.All(trail, e => Assert.Equal("staff-of-merchant-a", e!["actorId"]!.GetValue<string>()));
        var edit = trail[^1]!;
        Assert.Equal(templateId, edit["subjectId"]!.GetValue<string>());
        var change = Assert.Single(edit["changes"]!.AsArray());
        Assert.Equal(("totalInventory", "100000", "10"), (change!["field"]!.GetValue<string>(), change["oldValue"]!.GetValue<string>(), change["newValue"]!.GetValue<string>()));
        Assert.True(edit["at"]!.GetValue<DateTimeOffset>() > DateTimeOffset.UnixEpoch);
    }

    [Fact]
    public async Task StatisticsOfAnotherMerchantsTemplate_AnswerAsAnUnknownTemplate()
    {
        var templateId = await Shop.CreateTemplateAsync(_factory.Merchant("merchant-a"));

        var foreign = await _factory.Merchant("merchant-b").GetAsync(new Uri($"/merchant/templates/{templateId}/statistics", UriKind.Relative));
        var own = await _factory.Merchant("merchant-a").GetAsync(new Uri($"/merchant/templates/{templateId}/statistics", UriKind.Relative));

        await Shop.AssertProblemAsync(foreign, HttpStatusCode.NotFound, "template_not_found");
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }
}
