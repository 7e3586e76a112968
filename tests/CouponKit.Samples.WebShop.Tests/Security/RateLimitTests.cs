using System.Net;

namespace CouponKit.Samples.WebShop.Tests.Security;

/// <summary>The ASP.NET Core rate limiter in front of the shop: a fixed window per user, answered with 429 and Retry-After.</summary>
public sealed class RateLimitTests : IClassFixture<RateLimitTests.StrictFactory>
{
    private readonly StrictFactory _factory;

    public RateLimitTests(StrictFactory factory) => _factory = factory;

    [Fact]
    public async Task PastThePermitLimit_Is429_ForThatUserOnly()
    {
        var greedy = _factory.User("greedy");
        for (var i = 0; i < StrictFactory.Limit; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await greedy.GetAsync(new Uri("/coupons/mine", UriKind.Relative))).StatusCode);
        }

        var refused = await greedy.GetAsync(new Uri("/coupons/mine", UriKind.Relative));

        await Shop.AssertProblemAsync(refused, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, (await _factory.User("patient").GetAsync(new Uri("/coupons/mine", UriKind.Relative))).StatusCode);
    }

    /// <summary>The host with a limit of <see cref="Limit"/> requests per user and minute.</summary>
    public sealed class StrictFactory : WebShopFactory
    {
        /// <summary>The limit.</summary>
        public const int Limit = 5;

        /// <inheritdoc />
        protected override int PermitLimit => Limit;
    }
}
