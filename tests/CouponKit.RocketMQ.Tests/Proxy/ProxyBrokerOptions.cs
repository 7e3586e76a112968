namespace CouponKit.RocketMQ.Tests.Proxy;

/// <summary>Settings of the test proxy.</summary>
internal sealed class ProxyBrokerOptions
{
    /// <summary>Access key → secret. Empty: requests need no signature (as a proxy without ACL).</summary>
    public Dictionary<string, string> Credentials { get; } = new(StringComparer.Ordinal);

    /// <summary>How long a half message waits before the broker checks it back, and again between checks.</summary>
    public TimeSpan TransactionCheckDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Creates an unknown consumer group on first use, as a broker with <c>autoCreateSubscriptionGroup=true</c> (RocketMQ's
    /// default) does. Off by default, so that tests see <c>CONSUMER_GROUP_NOT_FOUND</c>.
    /// </summary>
    public bool AutoCreateConsumerGroups { get; set; }

    /// <summary>Queues per topic in the route.</summary>
    public int QueuesPerTopic { get; set; } = 4;

    public string BrokerName { get; set; } = "broker-a";

    /// <summary>The longest invisible duration accepted (RocketMQ's is 12 hours).</summary>
    public TimeSpan MaxInvisibleDuration { get; set; } = TimeSpan.FromHours(12);

    /// <summary>The longest long-polling timeout accepted.</summary>
    public TimeSpan MaxLongPollingTimeout { get; set; } = TimeSpan.FromMinutes(1);
}
