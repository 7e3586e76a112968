using System.Net;
using System.Net.Http.Json;

namespace CouponKit.Samples.WebShop.Tests.Security;

/// <summary>
/// The order's shop may accept the coupon, through the HTTP API: a cart with a <c>shopId</c> is priced and locked only with
/// that merchant's coupons (and platform ones); the shopper's own coupon of another merchant is refused (422
/// <c>coupon_not_accepted</c>, no merchant named) and nothing changes.
/// </summary>
public sealed class ShopAcceptanceTests : IClassFixture<WebShopFactory>
{
    private readonly WebShopFactory _factory;

    public ShopAcceptanceTests(WebShopFactory factory) => _factory = factory;

    [Fact]
    public async Task QuoteAndLock_CouponOfAnotherMerchant_AreRefusedAndChangeNothing()
    {
        var (user, ofA, ofB) = await GivenAsync("shopper-1");
        var before = _factory.DumpBusinessTables();

        var quote = await user.PostAsJsonAsync("/quotes", new { cart = Cart("shop-a"), couponIds = new[] { ofB } });
        var locked = await user.PostAsJsonAsync("/orders/o-shop-1/lock", new { couponIds = new[] { ofB }, cart = Cart("shop-a") });

        var problem = await Shop.AssertProblemAsync(quote, HttpStatusCode.UnprocessableEntity, "coupon_not_accepted");
        await Shop.AssertProblemAsync(locked, HttpStatusCode.UnprocessableEntity, "coupon_not_accepted");
        Assert.DoesNotContain("shop-b", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(before, _factory.DumpBusinessTables());
        Assert.Equal("Available", await Shop.StateOfAsync(user, ofB));

        var own = await user.PostAsJsonAsync("/orders/o-shop-1/lock", new { couponIds = new[] { ofA }, cart = Cart("shop-a") });
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    [Fact]
    public async Task Quote_AllCoupons_AppliesOnlyTheShopsOwn_AndWithoutShopAny()
    {
        var (user, ofA, ofB) = await GivenAsync("shopper-2");

        var atA = await Shop.JsonAsync(await user.PostAsJsonAsync("/quotes", new { cart = Cart("shop-a") }));
        var atB = await Shop.JsonAsync(await user.PostAsJsonAsync("/quotes", new { cart = Cart("shop-b") }));
        var anywhere = await Shop.JsonAsync(await user.PostAsJsonAsync("/quotes", new { cart = Cart(null) }));

        Assert.Equal([ofA], atA["applied"]!.AsArray().Select(a => a!["couponId"]!.GetValue<string>()));
        Assert.Equal([ofB], atB["applied"]!.AsArray().Select(a => a!["couponId"]!.GetValue<string>()));
        Assert.Single(anywhere["applied"]!.AsArray()); // both are shop coupons of the default group: the better one applies
    }

    [Fact]
    public async Task Quote_MalformedShopId_Is400()
    {
        var response = await _factory.User("shopper-3").PostAsJsonAsync("/quotes", new { cart = Cart("@platform") });

        await Shop.AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
    }

    private static object Cart(string? shopId) => new
    {
        currency = "CNY",
        shopId,
        lines = new object[] { new { lineId = "L1", sku = "EARBUDS", unitPrice = 399m, quantity = 1 } },
    };

    private async Task<(HttpClient User, string OfA, string OfB)> GivenAsync(string userId)
    {
        var user = _factory.User(userId);
        var a = await Shop.CreateTemplateAsync(_factory.Merchant("shop-a"));
        var b = await Shop.CreateTemplateAsync(_factory.Merchant("shop-b"));
        var ofA = await Shop.ClaimAsync(user, a);
        var ofB = await Shop.ClaimAsync(user, b);
        await _factory.WhenQuietAsync();
        return (user, ofA, ofB);
    }
}
