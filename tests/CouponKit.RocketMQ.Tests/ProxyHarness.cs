using CouponKit.RocketMQ.Consuming;
using CouponKit.RocketMQ.Producing;
using CouponKit.RocketMQ.Protocol;
using CouponKit.RocketMQ.Protocol.V2;
using CouponKit.RocketMQ.Tests.Proxy;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CouponKit.RocketMQ.Tests;

/// <summary>A test proxy on a loopback port, a shared fake clock, and clients that are disposed with it.</summary>
internal sealed class ProxyHarness : IAsyncDisposable
{
    public const string Topic = "coupon-events";
    public const string DelayTopic = "coupon-unpaid-release";
    public const string TransactionTopic = "coupon-redemptions";
    public const string Group = "coupon-group";

    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly List<MessagingClient> _clients = [];
    private readonly List<TestProxy> _extraProxies = [];

    private ProxyHarness(TestProxy proxy)
    {
        Proxy = proxy;
    }

    public TestProxy Proxy { get; }

    public ProxyBroker Broker => Proxy.Broker;

    public FakeTimeProvider Time => Proxy.Time;

    public static async Task<ProxyHarness> StartAsync(Action<ProxyBrokerOptions>? configure = null)
    {
        var proxy = await TestProxy.StartAsync(new FakeTimeProvider(Start), configure);
        proxy.Broker.CreateTopic(Topic, MessageType.Normal);
        proxy.Broker.CreateTopic(DelayTopic, MessageType.Delay);
        proxy.Broker.CreateTopic(TransactionTopic, MessageType.Transaction);
        proxy.Broker.CreateConsumerGroup(Group);
        return new ProxyHarness(proxy);
    }

    /// <summary>A second proxy in front of the same broker; stopped after the clients.</summary>
    public async Task<TestProxy> StartSecondProxyAsync()
    {
        var proxy = await TestProxy.StartOnAsync(Broker, Time);
        _extraProxies.Add(proxy);
        return proxy;
    }

    public RocketMQOptions Options(Action<RocketMQOptions>? configure = null)
    {
        // A generous (real-time) request timeout: a loaded CI machine must not turn a slow heartbeat into a failed test.
        var options = new RocketMQOptions { Endpoints = Proxy.Endpoint, ConsumerGroup = Group, RequestTimeout = TimeSpan.FromSeconds(30) };
        configure?.Invoke(options);
        return options;
    }

    public MessagingClient Client(Action<RocketMQOptions>? configure = null)
    {
        var client = new MessagingClient(Options(configure), Time, NullLogger.Instance);
        _clients.Add(client);
        return client;
    }

    public async Task<RocketMQProducer> StartProducerAsync(
        Func<TransactionCheck, CancellationToken, Task<TransactionResolution>>? resolver = null,
        Action<RocketMQOptions>? configure = null,
        params string[] topics)
    {
        var producer = CreateProducer(resolver, configure, topics);
        await producer.StartAsync(TestTimeout.Token());
        return producer;
    }

    public RocketMQProducer CreateProducer(
        Func<TransactionCheck, CancellationToken, Task<TransactionResolution>>? resolver = null,
        Action<RocketMQOptions>? configure = null,
        params string[] topics)
    {
        var producer = new RocketMQProducer(Client(configure), topics.Length == 0 ? [Topic, DelayTopic, TransactionTopic] : topics, resolver, NullLogger.Instance);
        _owned.Add(producer);
        return producer;
    }

    public async Task<RocketMQSimpleConsumer> StartConsumerAsync(string topic, string tags, Func<ReceivedMessage, CancellationToken, Task> handler, Action<RocketMQOptions>? configure = null)
    {
        var consumer = new RocketMQSimpleConsumer(Client(configure), topic, tags, handler, NullLogger.Instance);
        _owned.Add(consumer);
        await consumer.InitializeAsync(TestTimeout.Token());
        return consumer;
    }

    /// <summary>One poll that the test expects to come back empty: waits until it long-polls, then moves the clock past its timeout.</summary>
    public async Task<int> PollExpectingNothingAsync(RocketMQSimpleConsumer consumer)
    {
        var before = Broker.WaitingReceivers;
        var poll = consumer.PollOnceAsync(TestTimeout.Token(), TestTimeout.Token());
        await Eventually.TrueAsync(() => Broker.WaitingReceivers > before || poll.IsCompleted);
        if (!poll.IsCompleted)
        {
            Time.Advance(new RocketMQOptions().LongPollingTimeout);
        }

        return await poll;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }

        foreach (var client in _clients)
        {
            client.Dispose();
        }

        foreach (var proxy in _extraProxies)
        {
            await proxy.DisposeAsync();
        }

        await Proxy.DisposeAsync();
    }
}

/// <summary>Waiting on conditions with a (real-time) timeout, instead of sleeping.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(5));
        while (!condition())
        {
            try
            {
                await Task.Delay(5, cts.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail("The condition did not become true in time.");
            }
        }
    }
}

internal static class TestTimeout
{
    /// <summary>A real-time guard so that a broken test fails instead of hanging.</summary>
    public static CancellationToken Token(int seconds = 10) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;
}
