using System.Net;
using System.Net.Http.Json;

namespace CouponKit.Samples.WebShop.Tests.Security;

/// <summary>A merchant token is bound to one merchant: another merchant's template answers as an unknown one and is not changed.</summary>
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
}
