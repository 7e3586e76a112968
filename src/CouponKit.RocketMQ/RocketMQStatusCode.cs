namespace CouponKit.RocketMQ;

/// <summary>
/// The status codes of the RocketMQ 5 protocol (the <c>Code</c> enum of <c>apache/rocketmq/v2/definition.proto</c>),
/// with the same numbers, carried by <see cref="RocketMQException"/>.
/// </summary>
public enum RocketMQStatusCode
{
    /// <summary>RocketMQ <c>CODE_UNSPECIFIED</c> (0).</summary>
    Unspecified = 0,
    /// <summary>RocketMQ <c>OK</c> (20000).</summary>
    Ok = 20000,
    /// <summary>RocketMQ <c>MULTIPLE_RESULTS</c> (30000).</summary>
    MultipleResults = 30000,
    /// <summary>RocketMQ <c>BAD_REQUEST</c> (40000).</summary>
    BadRequest = 40000,
    /// <summary>RocketMQ <c>ILLEGAL_ACCESS_POINT</c> (40001).</summary>
    IllegalAccessPoint = 40001,
    /// <summary>RocketMQ <c>ILLEGAL_TOPIC</c> (40002).</summary>
    IllegalTopic = 40002,
    /// <summary>RocketMQ <c>ILLEGAL_CONSUMER_GROUP</c> (40003).</summary>
    IllegalConsumerGroup = 40003,
    /// <summary>RocketMQ <c>ILLEGAL_MESSAGE_TAG</c> (40004).</summary>
    IllegalMessageTag = 40004,
    /// <summary>RocketMQ <c>ILLEGAL_MESSAGE_KEY</c> (40005).</summary>
    IllegalMessageKey = 40005,
    /// <summary>RocketMQ <c>ILLEGAL_MESSAGE_GROUP</c> (40006).</summary>
    IllegalMessageGroup = 40006,
    /// <summary>RocketMQ <c>ILLEGAL_MESSAGE_PROPERTY_KEY</c> (40007).</summary>
    IllegalMessagePropertyKey = 40007,
    /// <summary>RocketMQ <c>INVALID_TRANSACTION_ID</c> (40008).</summary>
    InvalidTransactionId = 40008,
    /// <summary>RocketMQ <c>ILLEGAL_MESSAGE_ID</c> (40009).</summary>
    IllegalMessageId = 40009,
    /// <summary>RocketMQ <c>ILLEGAL_FILTER_EXPRESSION</c> (40010).</summary>
    IllegalFilterExpression = 40010,
    /// <summary>RocketMQ <c>ILLEGAL_INVISIBLE_TIME</c> (40011).</summary>
    IllegalInvisibleTime = 40011,
    /// <summary>RocketMQ <c>ILLEGAL_DELIVERY_TIME</c> (40012).</summary>
    IllegalDeliveryTime = 40012,
    /// <summary>RocketMQ <c>INVALID_RECEIPT_HANDLE</c> (40013).</summary>
    InvalidReceiptHandle = 40013,
    /// <summary>RocketMQ <c>MESSAGE_PROPERTY_CONFLICT_WITH_TYPE</c> (40014).</summary>
    MessagePropertyConflictWithType = 40014,
    /// <summary>RocketMQ <c>UNRECOGNIZED_CLIENT_TYPE</c> (40015).</summary>
    UnrecognizedClientType = 40015,
    /// <summary>RocketMQ <c>MESSAGE_CORRUPTED</c> (40016).</summary>
    MessageCorrupted = 40016,
    /// <summary>RocketMQ <c>CLIENT_ID_REQUIRED</c> (40017).</summary>
    ClientIdRequired = 40017,
    /// <summary>RocketMQ <c>ILLEGAL_POLLING_TIME</c> (40018).</summary>
    IllegalPollingTime = 40018,
    /// <summary>RocketMQ <c>ILLEGAL_OFFSET</c> (40019).</summary>
    IllegalOffset = 40019,
    /// <summary>RocketMQ <c>ILLEGAL_LITE_TOPIC</c> (40020).</summary>
    IllegalLiteTopic = 40020,
    /// <summary>RocketMQ <c>INVALID_CLIENT_PROPERTIES</c> (40021).</summary>
    InvalidClientProperties = 40021,
    /// <summary>RocketMQ <c>UNAUTHORIZED</c> (40100).</summary>
    Unauthorized = 40100,
    /// <summary>RocketMQ <c>PAYMENT_REQUIRED</c> (40200).</summary>
    PaymentRequired = 40200,
    /// <summary>RocketMQ <c>FORBIDDEN</c> (40300).</summary>
    Forbidden = 40300,
    /// <summary>RocketMQ <c>NOT_FOUND</c> (40400).</summary>
    NotFound = 40400,
    /// <summary>RocketMQ <c>MESSAGE_NOT_FOUND</c> (40401).</summary>
    MessageNotFound = 40401,
    /// <summary>RocketMQ <c>TOPIC_NOT_FOUND</c> (40402).</summary>
    TopicNotFound = 40402,
    /// <summary>RocketMQ <c>CONSUMER_GROUP_NOT_FOUND</c> (40403).</summary>
    ConsumerGroupNotFound = 40403,
    /// <summary>RocketMQ <c>OFFSET_NOT_FOUND</c> (40404).</summary>
    OffsetNotFound = 40404,
    /// <summary>RocketMQ <c>REQUEST_TIMEOUT</c> (40800).</summary>
    RequestTimeout = 40800,
    /// <summary>RocketMQ <c>PAYLOAD_TOO_LARGE</c> (41300).</summary>
    PayloadTooLarge = 41300,
    /// <summary>RocketMQ <c>MESSAGE_BODY_TOO_LARGE</c> (41301).</summary>
    MessageBodyTooLarge = 41301,
    /// <summary>RocketMQ <c>MESSAGE_BODY_EMPTY</c> (41302).</summary>
    MessageBodyEmpty = 41302,
    /// <summary>RocketMQ <c>PRECONDITION_FAILED</c> (42800).</summary>
    PreconditionFailed = 42800,
    /// <summary>RocketMQ <c>TOO_MANY_REQUESTS</c> (42900).</summary>
    TooManyRequests = 42900,
    /// <summary>RocketMQ <c>LITE_TOPIC_QUOTA_EXCEEDED</c> (42901).</summary>
    LiteTopicQuotaExceeded = 42901,
    /// <summary>RocketMQ <c>LITE_SUBSCRIPTION_QUOTA_EXCEEDED</c> (42902).</summary>
    LiteSubscriptionQuotaExceeded = 42902,
    /// <summary>RocketMQ <c>REQUEST_HEADER_FIELDS_TOO_LARGE</c> (43100).</summary>
    RequestHeaderFieldsTooLarge = 43100,
    /// <summary>RocketMQ <c>MESSAGE_PROPERTIES_TOO_LARGE</c> (43101).</summary>
    MessagePropertiesTooLarge = 43101,
    /// <summary>RocketMQ <c>INTERNAL_ERROR</c> (50000).</summary>
    InternalError = 50000,
    /// <summary>RocketMQ <c>INTERNAL_SERVER_ERROR</c> (50001).</summary>
    InternalServerError = 50001,
    /// <summary>RocketMQ <c>HA_NOT_AVAILABLE</c> (50002).</summary>
    HaNotAvailable = 50002,
    /// <summary>RocketMQ <c>NOT_IMPLEMENTED</c> (50100).</summary>
    NotImplemented = 50100,
    /// <summary>RocketMQ <c>PROXY_TIMEOUT</c> (50400).</summary>
    ProxyTimeout = 50400,
    /// <summary>RocketMQ <c>MASTER_PERSISTENCE_TIMEOUT</c> (50401).</summary>
    MasterPersistenceTimeout = 50401,
    /// <summary>RocketMQ <c>SLAVE_PERSISTENCE_TIMEOUT</c> (50402).</summary>
    SlavePersistenceTimeout = 50402,
    /// <summary>RocketMQ <c>UNSUPPORTED</c> (50500).</summary>
    Unsupported = 50500,
    /// <summary>RocketMQ <c>VERSION_UNSUPPORTED</c> (50501).</summary>
    VersionUnsupported = 50501,
    /// <summary>RocketMQ <c>VERIFY_FIFO_MESSAGE_UNSUPPORTED</c> (50502).</summary>
    VerifyFifoMessageUnsupported = 50502,
    /// <summary>RocketMQ <c>FAILED_TO_CONSUME_MESSAGE</c> (60000).</summary>
    FailedToConsumeMessage = 60000
}
