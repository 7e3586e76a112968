using CouponKit.RocketMQ.Protocol;
using CouponKit.RocketMQ.Protocol.V2;

namespace CouponKit.RocketMQ.Tests.Protocol;

public sealed class EndpointListTests
{
    [Fact]
    public void Parse_SeveralIPv4_KeepsOrderAndScheme()
    {
        var list = EndpointList.Parse("10.0.0.1:8081; 10.0.0.2:8082");

        Assert.Equal(AddressScheme.Ipv4, list.Scheme);
        Assert.Equal([("10.0.0.1", 8081), ("10.0.0.2", 8082)], list.Addresses);
        Assert.Equal(2, list.ToProtobuf().Addresses.Count);
        Assert.Equal(new Uri("http://10.0.0.1:8081"), list.ToUri(useTls: false));
    }

    [Fact]
    public void Parse_DomainNameWithTls_GivesHttpsUri()
    {
        var list = EndpointList.Parse("rocketmq.shop.internal:8081");

        Assert.Equal(AddressScheme.DomainName, list.Scheme);
        Assert.Equal(new Uri("https://rocketmq.shop.internal:8081"), list.ToUri(useTls: true));
    }

    [Fact]
    public void Parse_IPv6_BracketsHostInUri()
    {
        var list = EndpointList.Parse("[::1]:8081");

        Assert.Equal(AddressScheme.Ipv6, list.Scheme);
        Assert.Equal("::1", list.Addresses[0].Host);
        Assert.Equal(new Uri("http://[::1]:8081"), list.ToUri(useTls: false));
    }

    [Theory]
    [InlineData("")]
    [InlineData("host")]
    [InlineData("host:")]
    [InlineData("host:70000")]
    [InlineData("a.example:1;b.example:2")]
    public void TryParse_Malformed_ReturnsFalseWithReason(string value)
    {
        Assert.False(EndpointList.TryParse(value, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }
}
