using System.Net;
using System.Net.Http.Json;

namespace CouponKit.Samples.WebShop.Tests.Security;

/// <summary>
/// A coupon is its holder's: user B can neither quote with, lock, confirm nor cancel user A's coupon or order, and the answer
/// tells B nothing that an unknown id would not; A's coupon is unchanged afterwards.
/// </summary>
public sealed class OwnershipTests : IClassFixture<WebShopFactory>
{
    private readonly WebShopFactory _factory;

    public OwnershipTests(WebShopFactory factory) => _factory = factory;

    [Fact]
    public async Task UserB_CannotLockUserAsCoupon()
    {
        var (_, _, couponId) = await ClaimForAAsync("lock");
        var b = _factory.User("b-lock");

        var foreign = await Shop.AssertProblemAsync(await b.PostAsJsonAsync("/orders/b-order/lock", new { couponIds = new[] { couponId } }), HttpStatusCode.NotFound, "redemption_coupon_not_found");
        var unknown = await Shop.AssertProblemAsync(await b.PostAsJsonAsync("/orders/b-order-2/lock", new { couponIds = new[] { "0000000000000000000000000000dead" } }), HttpStatusCode.NotFound, "redemption_coupon_not_found");

        Assert.Equal(unknown["title"]!.GetValue<string>(), foreign["title"]!.GetValue<string>());
        Assert.Equal(unknown["reason"]!.GetValue<string>(), foreign["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task UserB_CannotQuoteWithUserAsCoupon()
    {
        var (_, _, couponId) = await ClaimForAAsync("quote");

        var response = await _factory.User("b-quote").PostAsJsonAsync("/quotes", new { cart = Shop.Cart(), couponIds = new[] { couponId } });

        await Shop.AssertProblemAsync(response, HttpStatusCode.NotFound, "coupon_not_found");
    }

    [Fact]
    public async Task UserB_CannotConfirmUserAsOrder()
    {
        var (a, _, couponId) = await ClaimForAAsync("confirm");
        Assert.Equal(HttpStatusCode.OK, (await a.PostAsJsonAsync("/orders/a-order-confirm/lock", new { couponIds = new[] { couponId } })).StatusCode);

        var response = await _factory.User("b-confirm").PostAsync(new Uri("/orders/a-order-confirm/confirm", UriKind.Relative), null);

        await Shop.AssertClientProblemAsync(response);
        Assert.Equal("Locked", await Shop.StateOfAsync(a, couponId));
    }

    [Fact]
    public async Task UserB_CannotCancelUserAsOrder()
    {
        var (a, _, couponId) = await ClaimForAAsync("cancel");
        Assert.Equal(HttpStatusCode.OK, (await a.PostAsJsonAsync("/orders/a-order-cancel/lock", new { couponIds = new[] { couponId } })).StatusCode);

        var response = await _factory.User("b-cancel").PostAsJsonAsync("/orders/a-order-cancel/cancel", new { });

        await Shop.AssertClientProblemAsync(response);
        Assert.Equal("Locked", await Shop.StateOfAsync(a, couponId));
    }

    [Fact]
    public async Task UserB_CannotCancelUserAsCouponThroughItsOwnOrder()
    {
        var (a, _, couponId) = await ClaimForAAsync("cancel-own");
        Assert.Equal(HttpStatusCode.OK, (await a.PostAsJsonAsync("/orders/a-order-cancel-own/lock", new { couponIds = new[] { couponId } })).StatusCode);

        // B names A's coupon in a Cancel of B's own order: the empty compensation must not touch A's coupon.
        var response = await _factory.User("b-cancel-own").PostAsJsonAsync("/orders/b-order-cancel-own/cancel", new { couponIds = new[] { couponId } });

        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound or HttpStatusCode.Conflict, $"{(int)response.StatusCode}");
        Assert.Equal("Locked", await Shop.StateOfAsync(a, couponId));
        Assert.Equal(HttpStatusCode.OK, (await a.PostAsync(new Uri("/orders/a-order-cancel-own/confirm", UriKind.Relative), null)).StatusCode);
    }

    [Fact]
    public async Task SameIdempotencyKey_FromTwoUsers_IssuesTwoCoupons()
    {
        var templateId = await Shop.CreateTemplateAsync(_factory.Merchant("m-key"), inventory: 10);

        var a = await Shop.ClaimAsync(_factory.User("a-key"), templateId, "same-key");
        var b = await Shop.ClaimAsync(_factory.User("b-key"), templateId, "same-key");

        Assert.NotEqual(a, b);
    }

    [Fact]
    public async Task MyCoupons_ShowsOnlyTheCallersCoupons()
    {
        var (_, _, couponId) = await ClaimForAAsync("mine");

        var mine = (await Shop.JsonAsync(await _factory.User("b-mine").GetAsync(new Uri("/coupons/mine", UriKind.Relative)))).AsArray();

        Assert.DoesNotContain(mine, c => c!["couponId"]!.GetValue<string>() == couponId);
    }

    private async Task<(HttpClient A, string TemplateId, string CouponId)> ClaimForAAsync(string name)
    {
        var templateId = await Shop.CreateTemplateAsync(_factory.Merchant("m-" + name), inventory: 10);
        var a = _factory.User("a-" + name);
        return (a, templateId, await Shop.ClaimAsync(a, templateId));
    }
}
