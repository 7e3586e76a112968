using CouponKit.RocketMQ.Producing;
using Encoding = System.Text.Encoding;

namespace CouponKit.RocketMQ.Tests.Protocol;

public sealed class MessagingClientTests
{
    [Fact]
    public async Task SendAsync_TwoEndpoints_BalancesOverBothProxies()
    {
        await using var harness = await ProxyHarness.StartAsync();
        var second = await harness.StartSecondProxyAsync();
        var producer = await harness.StartProducerAsync(configure: o => o.Endpoints = $"{harness.Proxy.Endpoint};{second.Endpoint}");

        for (var i = 0; i < 10; i++)
        {
            await producer.SendAsync(new OutgoingMessage(ProxyHarness.Topic, Encoding.UTF8.GetBytes($"m{i}")), TestTimeout.Token());
        }

        Assert.Equal(10, harness.Broker.MessagesOf(ProxyHarness.Topic).Count);
        Assert.True(harness.Proxy.Requests > 0);
        Assert.True(second.Requests > 0);
    }

    [Fact]
    public async Task SendAsync_OneOfTwoEndpointsDown_StillSucceeds()
    {
        await using var harness = await ProxyHarness.StartAsync();
        var second = await harness.StartSecondProxyAsync();
        var endpoints = $"{harness.Proxy.Endpoint};{second.Endpoint}";
        await second.StopAsync();
        var producer = await harness.StartProducerAsync(configure: o => o.Endpoints = endpoints);

        for (var i = 0; i < 4; i++)
        {
            await producer.SendAsync(new OutgoingMessage(ProxyHarness.Topic, Encoding.UTF8.GetBytes($"m{i}")), TestTimeout.Token());
        }

        Assert.Equal(4, harness.Broker.MessagesOf(ProxyHarness.Topic).Count);
    }

    [Theory]
    [InlineData(1, 100, 100)]
    [InlineData(2, 100, 200)]
    [InlineData(4, 100, 800)]
    [InlineData(20, 100, 1000)]
    public void Backoff_Attempt_DoublesUpToMax(int attempt, int initialMs, int expectedMs)
    {
        Assert.Equal(
            TimeSpan.FromMilliseconds(expectedMs),
            CouponKit.RocketMQ.Protocol.MessagingClient.Backoff(TimeSpan.FromMilliseconds(initialMs), attempt, TimeSpan.FromSeconds(1)));
    }
}
