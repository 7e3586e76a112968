using System.Net;
using System.Net.Http.Json;

namespace CouponKit.Samples.WebShop.Tests.Problems;

/// <summary>Every refusal and error is a ProblemDetails with the right status and a stable type.</summary>
public sealed class ProblemDetailsTests : IClassFixture<WebShopFactory>
{
    private readonly WebShopFactory _factory;

    public ProblemDetailsTests(WebShopFactory factory) => _factory = factory;

    [Fact]
    public async Task Claim_UnknownTemplate_Is404()
    {
        var response = await Shop.PostClaimAsync(_factory.User("u-p1"), "m-x.nope", "k1");

        await Shop.AssertProblemAsync(response, HttpStatusCode.NotFound, "template_not_found");
    }

    [Fact]
    public async Task Claim_SoldOut_Is409()
    {
        var templateId = await Shop.CreateTemplateAsync(_factory.Merchant("m-p2"), inventory: 1);
        await Shop.ClaimAsync(_factory.User("u-p2a"), templateId);

        var problem = await Shop.AssertProblemAsync(await Shop.PostClaimAsync(_factory.User("u-p2b"), templateId, "k"), HttpStatusCode.Conflict, "claim_sold_out");

        Assert.Equal("SoldOut", problem["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Claim_SecondKeyOverTheLimit_Is409()
    {
        var user = _factory.User("u-p3");
        var templateId = await Shop.CreateTemplateAsync(_factory.Merchant("m-p3"));
        await Shop.ClaimAsync(user, templateId, "first");

        await Shop.AssertProblemAsync(await Shop.PostClaimAsync(user, templateId, "second"), HttpStatusCode.Conflict, "claim_limit_reached");
    }

    [Fact]
    public async Task Claim_WithoutIdempotencyKey_Is400ListingTheHeader()
    {
        var problem = await Shop.AssertProblemAsync(await Shop.PostClaimAsync(_factory.User("u-p4"), "m-x.t", null), HttpStatusCode.BadRequest, "validation");

        Assert.NotNull(problem["errors"]!["Idempotency-Key"]);
    }

    [Fact]
    public async Task Confirm_WithoutLock_Is409()
    {
        await Shop.AssertProblemAsync(await _factory.User("u-p5").PostAsync(new Uri("/orders/never-locked/confirm", UriKind.Relative), null), HttpStatusCode.Conflict, "redemption_not_locked");
    }

    [Fact]
    public async Task Lock_UnknownCoupon_Is404()
    {
        var response = await _factory.User("u-p6").PostAsJsonAsync("/orders/o-p6/lock", new { couponIds = new[] { "no-such-coupon" } });

        await Shop.AssertProblemAsync(response, HttpStatusCode.NotFound, "redemption_coupon_not_found");
    }

    [Fact]
    public async Task Lock_WithACartTheCouponDoesNotFit_Is422WithTheReason()
    {
        var user = _factory.User("u-p7");
        var couponId = await Shop.ClaimAsync(user, await Shop.CreateTemplateAsync(_factory.Merchant("m-p7")));
        var cart = new { currency = "CNY", lines = new[] { new { lineId = "L1", sku = "TEA", unitPrice = 10m, quantity = 1 } } };

        var problem = await Shop.AssertProblemAsync(await user.PostAsJsonAsync("/orders/o-p7/lock", new { couponIds = new[] { couponId }, cart }), HttpStatusCode.UnprocessableEntity, "coupons_not_applicable");

        Assert.Equal("BelowThreshold", problem["rejected"]![0]!["code"]!.GetValue<string>());
        Assert.Equal("Available", await Shop.StateOfAsync(user, couponId));
    }

    [Fact]
    public async Task Cancel_AfterConfirm_Is409()
    {
        var user = _factory.User("u-p8");
        var couponId = await Shop.ClaimAsync(user, await Shop.CreateTemplateAsync(_factory.Merchant("m-p8")));
        await user.PostAsJsonAsync("/orders/o-p8/lock", new { couponIds = new[] { couponId } });
        await user.PostAsync(new Uri("/orders/o-p8/confirm", UriKind.Relative), null);

        await Shop.AssertProblemAsync(await user.PostAsJsonAsync("/orders/o-p8/cancel", new { }), HttpStatusCode.Conflict, "redemption_order_confirmed");
    }

    [Fact]
    public async Task Inventory_BelowIssued_Is400()
    {
        var merchant = _factory.Merchant("m-p9");
        var templateId = await Shop.CreateTemplateAsync(merchant, inventory: 5, perUserLimit: 5);
        var user = _factory.User("u-p9");
        await Shop.ClaimAsync(user, templateId);
        await Shop.ClaimAsync(user, templateId);

        await Shop.AssertProblemAsync(await merchant.PutAsJsonAsync($"/merchant/templates/{templateId}/inventory", new { totalInventory = 1 }), HttpStatusCode.BadRequest, "invalid_template");
    }

    [Fact]
    public async Task PauseTwice_Is409()
    {
        var merchant = _factory.Merchant("m-p10");
        var templateId = await Shop.CreateTemplateAsync(merchant);
        await merchant.PostAsJsonAsync($"/merchant/templates/{templateId}/state", new { action = "pause" });

        await Shop.AssertProblemAsync(await merchant.PostAsJsonAsync($"/merchant/templates/{templateId}/state", new { action = "pause" }), HttpStatusCode.Conflict, "template_wrong_state");
    }

    [Fact]
    public async Task Quote_UnknownCurrency_Is400()
    {
        var cart = new { currency = "XXZ", lines = new[] { new { lineId = "L1", sku = "TEA", unitPrice = 10m, quantity = 1 } } };

        await Shop.AssertProblemAsync(await _factory.User("u-p11").PostAsJsonAsync("/quotes", new { cart }), HttpStatusCode.BadRequest, "unknown_currency");
    }

    [Fact]
    public async Task Quote_AnotherCurrencyThanTheCoupon_RejectsTheCouponWithAReason()
    {
        var user = _factory.User("u-p12");
        var couponId = await Shop.ClaimAsync(user, await Shop.CreateTemplateAsync(_factory.Merchant("m-p12")));
        var cart = new { currency = "USD", lines = new[] { new { lineId = "L1", sku = "TEA", unitPrice = 500m, quantity = 1 } } };

        var quote = await Shop.JsonAsync(await user.PostAsJsonAsync("/quotes", new { cart }));

        var rejected = Assert.Single(quote["rejected"]!.AsArray());
        Assert.Equal(couponId, rejected!["couponId"]!.GetValue<string>());
        Assert.Equal("CurrencyMismatch", rejected["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task MalformedJson_Is400()
    {
        await Shop.AssertProblemAsync(await Shop.SendRawAsync(_factory.User("u-p13"), HttpMethod.Post, "/quotes", "{\"cart\": "), HttpStatusCode.BadRequest, "malformed_request");
    }

    [Fact]
    public async Task UnknownRoute_Is404Problem()
    {
        await Shop.AssertProblemAsync(await _factory.User("u-p14").GetAsync(new Uri("/no/such/route", UriKind.Relative)), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task TooLargeBody_Is413()
    {
        var body = "{\"cart\":{\"currency\":\"CNY\",\"lines\":[],\"pad\":\"" + new string('x', 70 * 1024) + "\"}}";

        await Shop.AssertProblemAsync(await Shop.SendRawAsync(_factory.User("u-p15"), HttpMethod.Post, "/quotes", body), HttpStatusCode.RequestEntityTooLarge, "request_too_large");
    }
}
