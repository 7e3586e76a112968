using System.Net;
using System.Net.Http.Json;
using System.Text;
using CouponKit.Samples.WebShop.Security;
using Microsoft.Extensions.Options;

namespace CouponKit.Samples.WebShop.Tests.Security;

/// <summary>Missing, forged, expired or foreign tokens get 401; the wrong role gets 403; both as ProblemDetails.</summary>
public sealed class AuthenticationTests : IClassFixture<WebShopFactory>
{
    private readonly WebShopFactory _factory;

    public AuthenticationTests(WebShopFactory factory) => _factory = factory;

    public static TheoryData<string, string> ShopperEndpoints => new()
    {
        { "GET", "/coupons/mine" },
        { "POST", "/coupons/claims" },
        { "POST", "/quotes" },
        { "POST", "/orders/o1/lock" },
        { "POST", "/orders/o1/confirm" },
        { "POST", "/orders/o1/cancel" },
    };

    public static TheoryData<string, string> MerchantEndpoints => new()
    {
        { "POST", "/merchant/templates" },
        { "GET", "/merchant/templates/m1.t" },
        { "PUT", "/merchant/templates/m1.t/inventory" },
        { "POST", "/merchant/templates/m1.t/state" },
        { "GET", "/merchant/templates/m1.t/statistics" },
    };

    [Theory]
    [MemberData(nameof(ShopperEndpoints))]
    [MemberData(nameof(MerchantEndpoints))]
    public async Task NoToken_Is401(string method, string path)
    {
        var response = await Shop.SendRawAsync(_factory.CreateClient(), new HttpMethod(method), path, "{}");

        await Shop.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Theory]
    [MemberData(nameof(ShopperEndpoints))]
    public async Task ForgedToken_Is401(string method, string path)
    {
        var forger = Issuer(o => o.SigningKey = "another-key-of-the-same-length-0123456789abcdef-xyz");

        await Shop.AssertProblemAsync(await Shop.SendRawAsync(_factory.WithToken(forger.ForUser("u1")), new HttpMethod(method), path, "{}"), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task ExpiredToken_Is401()
    {
        var token = _factory.Tokens.ForUser("u1", lifetime: TimeSpan.FromMinutes(-5));

        await Shop.AssertProblemAsync(await _factory.WithToken(token).GetAsync(new Uri("/coupons/mine", UriKind.Relative)), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task TokenForAnotherAudience_Is401()
    {
        var token = Issuer(o => o.Audience = "some-other-shop").ForUser("u1");

        await Shop.AssertProblemAsync(await _factory.WithToken(token).GetAsync(new Uri("/coupons/mine", UriKind.Relative)), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task UnsignedToken_Is401()
    {
        static string Part(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        var token = Part("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + Part($"{{\"sub\":\"u1\",\"role\":\"user\",\"iss\":\"couponkit-webshop\",\"aud\":\"couponkit-webshop\",\"exp\":{exp}}}") + ".";

        await Shop.AssertProblemAsync(await _factory.WithToken(token).GetAsync(new Uri("/coupons/mine", UriKind.Relative)), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task GarbageToken_Is401()
    {
        await Shop.AssertProblemAsync(await _factory.WithToken("not.a.jwt").GetAsync(new Uri("/coupons/mine", UriKind.Relative)), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Theory]
    [MemberData(nameof(MerchantEndpoints))]
    public async Task UserToken_OnMerchantEndpoints_Is403(string method, string path)
    {
        await Shop.AssertProblemAsync(await Shop.SendRawAsync(_factory.User("u1"), new HttpMethod(method), path, "{}"), HttpStatusCode.Forbidden, "forbidden");
    }

    [Theory]
    [MemberData(nameof(ShopperEndpoints))]
    public async Task MerchantToken_OnShopperEndpoints_Is403(string method, string path)
    {
        await Shop.AssertProblemAsync(await Shop.SendRawAsync(_factory.Merchant("m1"), new HttpMethod(method), path, "{}"), HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task MerchantTokenWithoutMerchantId_Is403()
    {
        var token = _factory.Tokens.Issue("staff", [ShopClaims.MerchantRole]);

        var response = await _factory.WithToken(token).PostAsJsonAsync("/merchant/templates", new { name = "x" });

        await Shop.AssertProblemAsync(response, HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task DevTokenEndpoint_IsNotMappedOutsideDevelopment()
    {
        var response = await _factory.CreateClient().PostAsJsonAsync("/dev/tokens", new { subject = "u1", role = "user" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private DevTokenIssuer Issuer(Action<JwtSettings> change)
    {
        var host = _factory.Services.GetService(typeof(IOptions<WebShopOptions>)) as IOptions<WebShopOptions>;
        var jwt = host!.Value.Jwt;
        var settings = new WebShopOptions { Jwt = new JwtSettings { Issuer = jwt.Issuer, Audience = jwt.Audience, SigningKey = jwt.SigningKey } };
        change(settings.Jwt);
        return new DevTokenIssuer(Options.Create(settings), TimeProvider.System);
    }
}
