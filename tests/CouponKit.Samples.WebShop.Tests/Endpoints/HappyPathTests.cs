using System.Net;
using System.Net.Http.Json;

namespace CouponKit.Samples.WebShop.Tests.Endpoints;

/// <summary>The whole story over HTTP on SQLite: a merchant creates a template, a shopper claims, quotes, locks and pays.</summary>
public sealed class HappyPathTests : IClassFixture<WebShopFactory>
{
    private readonly WebShopFactory _factory;

    public HappyPathTests(WebShopFactory factory) => _factory = factory;

    [Fact]
    public async Task MerchantCreates_UserClaimsQuotesLocksConfirms_StatisticsCountTheUse()
    {
        var merchant = _factory.Merchant("m-happy");
        var user = _factory.User("u-happy");
        var templateId = await Shop.CreateTemplateAsync(merchant, inventory: 10);
        Assert.Equal(HttpStatusCode.OK, (await merchant.GetAsync(new Uri($"/merchant/templates/{templateId}", UriKind.Relative))).StatusCode); // owned by the token's merchant

        var first = await Shop.PostClaimAsync(user, templateId, "claim-1");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var couponId = (await Shop.JsonAsync(first))["coupon"]!["couponId"]!.GetValue<string>();
        var again = await Shop.PostClaimAsync(user, templateId, "claim-1");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var replay = await Shop.JsonAsync(again);
        Assert.True(replay["isReplay"]!.GetValue<bool>());
        Assert.Equal(couponId, replay["coupon"]!["couponId"]!.GetValue<string>());
        Assert.Equal("Available", await Shop.StateOfAsync(user, couponId));

        var quote = await Shop.JsonAsync(await user.PostAsJsonAsync("/quotes", new { cart = Shop.Cart() }));
        Assert.Equal(30m, quote["totalDiscount"]!.GetValue<decimal>());
        Assert.Equal(578.80m + 12m - 30m, quote["payable"]!.GetValue<decimal>());
        var applied = Assert.Single(quote["applied"]!.AsArray());
        Assert.Equal(couponId, applied!["couponId"]!.GetValue<string>());
        Assert.Equal(30m, applied["allocations"]!.AsArray().Sum(a => a!["amount"]!.GetValue<decimal>()));
        Assert.True(quote["isProvenOptimal"]!.GetValue<bool>());

        var locked = await user.PostAsJsonAsync("/orders/order-1/lock", new { couponIds = new[] { couponId }, cart = Shop.Cart() });
        Assert.Equal(HttpStatusCode.OK, locked.StatusCode);
        Assert.Equal("Locked", (await Shop.JsonAsync(locked))["status"]!.GetValue<string>());
        Assert.Equal("Locked", await Shop.StateOfAsync(user, couponId));

        var confirmed = await user.PostAsync(new Uri("/orders/order-1/confirm", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Equal("Confirmed", (await Shop.JsonAsync(confirmed))["status"]!.GetValue<string>());
        var twice = await user.PostAsync(new Uri("/orders/order-1/confirm", UriKind.Relative), null);
        Assert.Equal("AlreadyDone", (await Shop.JsonAsync(twice))["status"]!.GetValue<string>());
        Assert.Equal("Used", await Shop.StateOfAsync(user, couponId));

        var stats = await Shop.JsonAsync(await merchant.GetAsync(new Uri($"/merchant/templates/{templateId}/statistics", UriKind.Relative)));
        Assert.Equal(1, stats["issued"]!.GetValue<int>());
        Assert.Equal(1, stats["used"]!.GetValue<int>());
        Assert.Equal(30m, stats["discountGranted"]!["CNY"]!.GetValue<decimal>());

        var template = await Shop.JsonAsync(await merchant.GetAsync(new Uri($"/merchant/templates/{templateId}", UriKind.Relative)));
        Assert.Equal(1, template["issued"]!.GetValue<int>());
        Assert.Equal(9, template["remaining"]!.GetValue<int>());
        Assert.Equal("Active", template["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Quote_BelowThreshold_SaysHowMuchMoreToSpend()
    {
        var user = _factory.User("u-short");
        var templateId = await Shop.CreateTemplateAsync(_factory.Merchant("m-short"));
        var couponId = await Shop.ClaimAsync(user, templateId);

        var cart = new { currency = "CNY", lines = new[] { new { lineId = "L1", sku = "TEA", unitPrice = 100m, quantity = 1 } } };
        var quote = await Shop.JsonAsync(await user.PostAsJsonAsync("/quotes", new { cart }));

        Assert.Empty(quote["applied"]!.AsArray());
        var rejected = Assert.Single(quote["rejected"]!.AsArray());
        Assert.Equal(couponId, rejected!["couponId"]!.GetValue<string>());
        Assert.Equal("BelowThreshold", rejected["code"]!.GetValue<string>());
        Assert.Equal(99m, rejected["shortfall"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task Cancel_ReleasesTheLockedCoupon_AndALaterConfirmIsRefused()
    {
        var user = _factory.User("u-cancel");
        var templateId = await Shop.CreateTemplateAsync(_factory.Merchant("m-cancel"));
        var couponId = await Shop.ClaimAsync(user, templateId);
        Assert.Equal(HttpStatusCode.OK, (await user.PostAsJsonAsync("/orders/order-c/lock", new { couponIds = new[] { couponId } })).StatusCode);

        var cancelled = await user.PostAsJsonAsync("/orders/order-c/cancel", new { reason = "payment failed" });

        Assert.Equal("Released", (await Shop.JsonAsync(cancelled))["status"]!.GetValue<string>());
        Assert.Equal("Available", await Shop.StateOfAsync(user, couponId));
        await Shop.AssertProblemAsync(await user.PostAsync(new Uri("/orders/order-c/confirm", UriKind.Relative), null), HttpStatusCode.Conflict, "redemption_order_cancelled");
    }

    [Fact]
    public async Task Merchant_ChangesInventoryAndState()
    {
        var merchant = _factory.Merchant("m-ops");
        var templateId = await Shop.CreateTemplateAsync(merchant, inventory: 100);

        var changed = await Shop.JsonAsync(await merchant.PutAsJsonAsync($"/merchant/templates/{templateId}/inventory", new { totalInventory = 10 }));
        var paused = await Shop.JsonAsync(await merchant.PostAsJsonAsync($"/merchant/templates/{templateId}/state", new { action = "pause" }));

        Assert.Equal(10, changed["totalInventory"]!.GetValue<int>());
        Assert.Equal(10, changed["remaining"]!.GetValue<int>());
        Assert.Equal("Paused", paused["state"]!.GetValue<string>());
        await Shop.AssertProblemAsync(await Shop.PostClaimAsync(_factory.User("u-ops"), templateId, "k"), HttpStatusCode.Conflict, "claim_paused");
    }

    [Fact]
    public async Task OpenApiDocument_ListsTheEndpoints()
    {
        var document = await _factory.CreateClient().GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative));

        Assert.Contains("/coupons/claims", document, StringComparison.Ordinal);
        Assert.Contains("/orders/{orderId}/lock", document, StringComparison.Ordinal);
        Assert.Contains("/merchant/templates/{templateId}/statistics", document, StringComparison.Ordinal);
    }
}
