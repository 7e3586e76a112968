using System.Net;
using CouponKit.RocketMQ.Protocol.V2;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace CouponKit.RocketMQ.Tests.Proxy;

/// <summary>A RocketMQ 5 test proxy: Kestrel, HTTP/2 cleartext, on a free loopback port, over a <see cref="ProxyBroker"/>.</summary>
internal sealed class TestProxy : IAsyncDisposable
{
    private readonly WebApplication _app;

    private readonly RequestCounter _counter;

    private TestProxy(WebApplication app, ProxyBroker broker, FakeTimeProvider time, Uri address, RequestCounter counter)
    {
        _counter = counter;
        _app = app;
        Broker = broker;
        Time = time;
        Address = address;
    }

    public ProxyBroker Broker { get; }

    public FakeTimeProvider Time { get; }

    public Uri Address { get; }

    /// <summary>Gets how many HTTP requests (gRPC calls) this proxy served.</summary>
    public int Requests => _counter.Count;

    /// <summary>The endpoint in <see cref="RocketMQOptions.Endpoints"/> form.</summary>
    public string Endpoint => $"{Address.Host}:{Address.Port}";

    public static async Task<TestProxy> StartAsync(FakeTimeProvider time, Action<ProxyBrokerOptions>? configure = null)
    {
        var options = new ProxyBrokerOptions();
        configure?.Invoke(options);
        var proxy = await StartOnAsync(new ProxyBroker(time, options), time);
        proxy.Broker.Address = new Address { Host = proxy.Address.Host, Port = proxy.Address.Port };
        return proxy;
    }

    /// <summary>Another proxy in front of the same broker (as a second proxy of one cluster).</summary>
    public static Task<TestProxy> StartOnAsync(ProxyBroker broker, FakeTimeProvider time)
        => StartCoreAsync(broker, time);

    private static async Task<TestProxy> StartCoreAsync(ProxyBroker broker, FakeTimeProvider time)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(1)); // open telemetry streams must not hold a test for 30 s
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(broker);
        var app = builder.Build();
        var counter = new RequestCounter();
        app.Use(async (context, next) =>
        {
            counter.Increment();
            await next(context);
        });
        app.MapGrpcService<ProxyMessagingService>();
        await app.StartAsync();

        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new TestProxy(app, broker, time, address, counter);
    }

    /// <summary>Stops this proxy only (the broker stays, for another proxy in front of it).</summary>
    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        Broker.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal sealed class RequestCounter
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void Increment() => Interlocked.Increment(ref _count);
}
