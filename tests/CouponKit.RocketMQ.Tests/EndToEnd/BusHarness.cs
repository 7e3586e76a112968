using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.RocketMQ.Protocol.V2;
using CouponKit.RocketMQ.Tests.Proxy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CouponKit.RocketMQ.Tests.EndToEnd;

/// <summary>
/// The test proxy with CouponKit's <c>coupon</c> topic (MIXED: normal, delayed and transactional messages) and its consumer
/// groups, and a container built by <c>AddCouponKit().UseRocketMQ(...)</c> on the proxy's fake clock.
/// </summary>
internal sealed class BusHarness : IAsyncDisposable
{
    public const string GroupA = "shop-group-a";
    public const string GroupB = "shop-group-b";

    private BusHarness(ProxyHarness proxy, ServiceProvider services)
    {
        Proxy = proxy;
        Services = services;
    }

    public ProxyHarness Proxy { get; }

    public ServiceProvider Services { get; }

    public FakeTimeProvider Time => Proxy.Time;

    public ProxyBroker Broker => Proxy.Broker;

    public IMessageBus Bus => Services.GetRequiredService<IMessageBus>();

    public static async Task<BusHarness> StartAsync(Action<IServiceCollection>? configureServices = null, Action<RocketMQOptions>? configure = null)
    {
        var proxy = await ProxyHarness.StartAsync();
        proxy.Broker.CreateTopic(CouponTopics.Coupon, MessageType.Normal, MessageType.Delay, MessageType.Transaction);
        foreach (var group in new[] { GroupA, GroupB, CouponConsumers.LockTimeoutGroup, CouponConsumers.PointsRefundGroup })
        {
            proxy.Broker.CreateConsumerGroup(group);
        }

        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(proxy.Time);
        configureServices?.Invoke(services);
        services.AddCouponKit().UseRocketMQ(o =>
        {
            o.Endpoints = proxy.Proxy.Endpoint;
            o.HeartbeatInterval = TimeSpan.FromMinutes(5); // few heartbeats when a test moves the clock by 30 minutes
            o.RequestTimeout = TimeSpan.FromSeconds(30); // real time: a loaded CI machine must not fail a test by a slow call
            configure?.Invoke(o);
        });
        return new BusHarness(proxy, services.BuildServiceProvider(validateScopes: true));
    }

    public static OutboxMessage Message(string tag, string? id = null, DateTimeOffset? deliverAt = null, string key = "order-1", DateTimeOffset? createdAt = null)
        => new(id ?? Guid.NewGuid().ToString("N"), CouponTopics.Coupon, tag, key, $$"""{"tag":"{{tag}}"}""", createdAt ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), deliverAt);

    /// <summary>Moves the fake clock by <paramref name="step"/> whenever a consumer long-polls, until <paramref name="condition"/> holds.</summary>
    public async Task AdvanceUntilAsync(Func<bool> condition, TimeSpan step, int seconds = 10)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        while (!condition())
        {
            if (Broker.WaitingReceivers > 0)
            {
                Time.Advance(step);
            }

            try
            {
                await Task.Delay(10, cts.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail("The condition did not become true in time.");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Proxy.DisposeAsync();
    }
}

/// <summary>Records what a subscription's handler got.</summary>
internal sealed class Received
{
    private readonly object _gate = new();
    private readonly List<IncomingMessage> _messages = [];

    public IReadOnlyList<IncomingMessage> Messages
    {
        get
        {
            lock (_gate)
            {
                return _messages.ToList();
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _messages.Count;
            }
        }
    }

    public bool Contains(string messageId) => Messages.Any(m => m.Message.MessageId == messageId);

    public Task Handle(IncomingMessage message, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _messages.Add(message);
        }

        return Task.CompletedTask;
    }
}
