using System.ComponentModel.DataAnnotations;

namespace CouponKit.RocketMQ;

/// <summary>
/// Connection, producer and consumer settings of the RocketMQ 5 adapter. A bindable POCO:
/// every property has a documented default and is checked at start-up.
/// </summary>
public sealed class RocketMQOptions
{
    /// <summary>
    /// Gets or sets the access points of the RocketMQ 5 proxy, as <c>host:port</c> entries separated by <c>;</c>
    /// (for example <c>10.0.0.1:8081;10.0.0.2:8081</c>).
    /// </summary>
    /// <value>The default value is an empty string, which fails validation: it must be set.</value>
    [Required(AllowEmptyStrings = false, ErrorMessage = "RocketMQ: Endpoints is required, as 'host:port' entries separated by ';'.")]
    public string Endpoints { get; set; } = string.Empty;

    /// <summary>Gets or sets the RocketMQ namespace sent with every resource and request.</summary>
    /// <value>The default value is an empty string (no namespace).</value>
    public string Namespace { get; set; } = string.Empty;

    /// <summary>Gets or sets a value indicating whether the connection uses TLS (<c>https</c>) instead of cleartext HTTP/2.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool UseTls { get; set; }

    /// <summary>Gets or sets the access key used to sign requests. Set together with <see cref="AccessSecret"/>, or leave both empty.</summary>
    /// <value>The default value is <see langword="null"/> (requests are not signed).</value>
    public string? AccessKey { get; set; }

    /// <summary>Gets or sets the access secret used to sign requests (HMAC-SHA1). Set together with <see cref="AccessKey"/>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? AccessSecret { get; set; }

    /// <summary>Gets or sets the timeout of one request, long polling excluded.</summary>
    /// <value>The default value is 3 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00", ErrorMessage = "RocketMQ: RequestTimeout must be between 100 ms and 1 minute.")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Gets or sets how many times a request is tried in all when the broker answers with a retryable status.</summary>
    /// <value>The default value is 3.</value>
    [Range(1, 10, ErrorMessage = "RocketMQ: MaxRequestAttempts must be between 1 and 10.")]
    public int MaxRequestAttempts { get; set; } = 3;

    /// <summary>Gets or sets the delay before the first retry of a failed request; it doubles on each retry.</summary>
    /// <value>The default value is 100 milliseconds.</value>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "RocketMQ: RequestRetryBackoff must be between 0 and 1 minute.")]
    public TimeSpan RequestRetryBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Gets or sets the delivery delay of a delayed message when the caller gives none (the unpaid-order lock release).</summary>
    /// <value>The default value is 30 minutes.</value>
    [Range(typeof(TimeSpan), "00:00:01", "40.00:00:00", ErrorMessage = "RocketMQ: DefaultDeliveryDelay must be between 1 second and 40 days.")]
    public TimeSpan DefaultDeliveryDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Gets or sets how long a cached topic route is used before it is queried again.</summary>
    /// <value>The default value is 30 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "RocketMQ: RouteRefreshInterval must be between 1 second and 1 hour.")]
    public TimeSpan RouteRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the interval between two heartbeats to the proxy.</summary>
    /// <value>The default value is 10 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ErrorMessage = "RocketMQ: HeartbeatInterval must be between 1 second and 5 minutes.")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets the topics the producer announces besides CouponKit's <c>coupon</c> topic, which is always announced: their routes are
    /// loaded at start (an unknown topic fails the start), and the broker sends the check-back of a transactional message only to
    /// producers that announced its topic, so list every topic that <c>PublishInTransactionAsync</c> sends to.
    /// </summary>
    /// <value>The default value is an empty list.</value>
    public IList<string> Topics { get; } = new List<string>();

    /// <summary>
    /// Gets the topics on which the message bus sends FIFO messages: each message's <c>OutboxMessage.Key</c> (the aggregate id)
    /// is its message group, so the messages of one key go to one queue and a FIFO consumer group receives them in the order
    /// they were published, one after the other. Delayed and transactional messages on these topics stay delayed and
    /// transactional (RocketMQ gives them no message group). The topic must accept FIFO messages, and the consumer groups that
    /// need the order must be FIFO groups (<c>consumeMessageOrderly=true</c>).
    /// </summary>
    /// <value>The default value is an empty list (every message is a normal one, spread round robin over the queues).</value>
    public IList<string> FifoTopics { get; } = new List<string>();

    /// <summary>
    /// Gets or sets a value indicating whether a claim's <c>Issued</c> event is sent as a RocketMQ transactional message instead
    /// of being written to the outbox: the half message is sent, the claim's store transaction runs, then the message is
    /// committed when the coupon was issued and rolled back otherwise. When the sender dies between its commit and telling the
    /// broker, the broker's check-back asks the registered <c>ITransactionCheckResolver</c> (the EF Core adapter registers one
    /// that looks for the claim row). A claim then needs the broker: when the half message cannot be sent, the claim fails
    /// before the store is touched.
    /// </summary>
    /// <value>The default value is <see langword="false"/> (the event goes through the outbox and its dispatcher).</value>
    public bool TransactionalIssuedEvents { get; set; }

    /// <summary>
    /// Gets or sets the consumer group of a standalone simple consumer. The message bus (<c>UseRocketMQ</c>) does not use it:
    /// each <c>Subscription</c> brings its group, maximum deliveries and backoff.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? ConsumerGroup { get; set; }

    /// <summary>Gets or sets how many deliveries a message gets before the consumer forwards it to the dead-letter queue.</summary>
    /// <value>The default value is 16.</value>
    [Range(1, 1000, ErrorMessage = "RocketMQ: MaxDeliveryAttempts must be between 1 and 1000.")]
    public int MaxDeliveryAttempts { get; set; } = 16;

    /// <summary>Gets or sets how long a received message stays invisible to other consumers while it is handled.</summary>
    /// <value>The default value is 30 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:01", "12:00:00", ErrorMessage = "RocketMQ: InvisibleDuration must be between 1 second and 12 hours.")]
    public TimeSpan InvisibleDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how long one receive request waits on the broker for a message (long polling).</summary>
    /// <value>The default value is 20 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00", ErrorMessage = "RocketMQ: LongPollingTimeout must be between 1 second and 1 minute.")]
    public TimeSpan LongPollingTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Gets or sets the largest number of messages one receive request returns.</summary>
    /// <value>The default value is 16.</value>
    [Range(1, 32, ErrorMessage = "RocketMQ: ReceiveBatchSize must be between 1 and 32.")]
    public int ReceiveBatchSize { get; set; } = 16;

    /// <summary>Gets or sets the invisible duration after the first failed handling; it doubles with each further attempt.</summary>
    /// <value>The default value is 1 second.</value>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "RocketMQ: ConsumeRetryInitialBackoff must be between 1 second and 1 hour.")]
    public TimeSpan ConsumeRetryInitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the largest invisible duration set after a failed handling.</summary>
    /// <value>The default value is 10 minutes.</value>
    [Range(typeof(TimeSpan), "00:00:01", "12:00:00", ErrorMessage = "RocketMQ: ConsumeRetryMaxBackoff must be between 1 second and 12 hours.")]
    public TimeSpan ConsumeRetryMaxBackoff { get; set; } = TimeSpan.FromMinutes(10);
}
