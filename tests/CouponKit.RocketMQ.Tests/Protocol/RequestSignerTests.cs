using CouponKit.RocketMQ.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace CouponKit.RocketMQ.Tests.Protocol;

public sealed class RequestSignerTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 8, 30, 0, TimeSpan.Zero);

    [Fact]
    public void CreateHeaders_WithCredentials_SignsDateTimeLikeOfficialClients()
    {
        var options = new RocketMQOptions { Endpoints = "127.0.0.1:8081", AccessKey = "my-ak", AccessSecret = "my-secret", Namespace = "shop" };
        var signer = new RequestSigner(options, "host@1@abc", new FakeTimeProvider(Now));

        var headers = signer.CreateHeaders();

        Assert.Equal("20260101T083000Z", headers.GetValue("x-mq-date-time"));
        // Known answer computed outside .NET: HMAC-SHA1("my-secret", "20260101T083000Z"), upper-case hex.
        Assert.Equal(
            "MQv2-HMAC-SHA1 Credential=my-ak, SignedHeaders=x-mq-date-time, Signature=866A3B39A06846C1DFF8541478AF36710699A5F3",
            headers.GetValue("authorization"));
        Assert.Equal("DOTNET", headers.GetValue("x-mq-language"));
        Assert.Equal("v2", headers.GetValue("x-mq-protocol"));
        Assert.Equal("host@1@abc", headers.GetValue("x-mq-client-id"));
        Assert.Equal("shop", headers.GetValue("x-mq-namespace"));
        Assert.False(string.IsNullOrEmpty(headers.GetValue("x-mq-client-version")));
    }

    [Fact]
    public void CreateHeaders_WithoutCredentials_HasNoAuthorization()
    {
        var signer = new RequestSigner(new RocketMQOptions { Endpoints = "127.0.0.1:8081" }, "c", new FakeTimeProvider(Now));

        var headers = signer.CreateHeaders();

        Assert.Null(headers.Get("authorization"));
        Assert.Equal("20260101T083000Z", headers.GetValue("x-mq-date-time"));
    }

    [Fact]
    public void CreateHeaders_TwoCalls_HaveDistinctRequestIds()
    {
        var signer = new RequestSigner(new RocketMQOptions { Endpoints = "127.0.0.1:8081" }, "c", new FakeTimeProvider(Now));

        Assert.NotEqual(signer.CreateHeaders().GetValue("x-mq-request-id"), signer.CreateHeaders().GetValue("x-mq-request-id"));
    }

    [Fact]
    public void CreateHeaders_ClockMoves_DateTimeFollowsInjectedTime()
    {
        var time = new FakeTimeProvider(Now);
        var signer = new RequestSigner(new RocketMQOptions { Endpoints = "127.0.0.1:8081" }, "c", time);

        time.Advance(TimeSpan.FromHours(15) + TimeSpan.FromSeconds(7));

        Assert.Equal("20260101T233007Z", signer.CreateHeaders().GetValue("x-mq-date-time"));
    }
}
