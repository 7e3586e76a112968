using CouponKit.RocketMQ.Protocol.V2;
using Google.Protobuf.Reflection;

namespace CouponKit.RocketMQ.Tests.Protocol;

/// <summary>
/// Reads the generated descriptors and checks them against the numbers of upstream apache/rocketmq-apis
/// (apache/rocketmq/v2/definition.proto and service.proto at commit 3e60073c6dab3430feaec443824802e23ecda681),
/// so that an accidental renumbering or rename of our subset fails the build.
/// </summary>
public sealed class ProtocolDescriptorTests
{
    // Message.field -> number, as upstream.
    private static readonly Dictionary<string, int> UpstreamFieldNumbers = new(StringComparer.Ordinal)
    {
        ["FilterExpression.type"] = 1,
        ["FilterExpression.expression"] = 2,
        ["RetryPolicy.max_attempts"] = 1,
        ["RetryPolicy.exponential_backoff"] = 2,
        ["RetryPolicy.customized_backoff"] = 3,
        ["ExponentialBackoff.initial"] = 1,
        ["ExponentialBackoff.max"] = 2,
        ["ExponentialBackoff.multiplier"] = 3,
        ["CustomizedBackoff.next"] = 1,
        ["Resource.resource_namespace"] = 1,
        ["Resource.name"] = 2,
        ["SubscriptionEntry.topic"] = 1,
        ["SubscriptionEntry.expression"] = 2,
        ["Address.host"] = 1,
        ["Address.port"] = 2,
        ["Endpoints.scheme"] = 1,
        ["Endpoints.addresses"] = 2,
        ["Broker.name"] = 1,
        ["Broker.id"] = 2,
        ["Broker.endpoints"] = 3,
        ["MessageQueue.topic"] = 1,
        ["MessageQueue.id"] = 2,
        ["MessageQueue.permission"] = 3,
        ["MessageQueue.broker"] = 4,
        ["MessageQueue.accept_message_types"] = 5,
        ["Digest.type"] = 1,
        ["Digest.checksum"] = 2,
        ["SystemProperties.tag"] = 1,
        ["SystemProperties.keys"] = 2,
        ["SystemProperties.message_id"] = 3,
        ["SystemProperties.body_digest"] = 4,
        ["SystemProperties.body_encoding"] = 5,
        ["SystemProperties.message_type"] = 6,
        ["SystemProperties.born_timestamp"] = 7,
        ["SystemProperties.born_host"] = 8,
        ["SystemProperties.store_timestamp"] = 9,
        ["SystemProperties.store_host"] = 10,
        ["SystemProperties.delivery_timestamp"] = 11,
        ["SystemProperties.receipt_handle"] = 12,
        ["SystemProperties.queue_id"] = 13,
        ["SystemProperties.queue_offset"] = 14,
        ["SystemProperties.invisible_duration"] = 15,
        ["SystemProperties.delivery_attempt"] = 16,
        ["SystemProperties.message_group"] = 17,
        ["SystemProperties.trace_context"] = 18,
        ["SystemProperties.orphaned_transaction_recovery_duration"] = 19,
        ["SystemProperties.dead_letter_queue"] = 20,
        ["DeadLetterQueue.topic"] = 1,
        ["DeadLetterQueue.message_id"] = 2,
        ["Message.topic"] = 1,
        ["Message.user_properties"] = 2,
        ["Message.system_properties"] = 3,
        ["Message.body"] = 4,
        ["Assignment.message_queue"] = 1,
        ["Status.code"] = 1,
        ["Status.message"] = 2,
        ["UA.language"] = 1,
        ["UA.version"] = 2,
        ["UA.platform"] = 3,
        ["UA.hostname"] = 4,
        ["Settings.client_type"] = 1,
        ["Settings.access_point"] = 2,
        ["Settings.backoff_policy"] = 3,
        ["Settings.request_timeout"] = 4,
        ["Settings.publishing"] = 5,
        ["Settings.subscription"] = 6,
        ["Settings.user_agent"] = 7,
        ["Publishing.topics"] = 1,
        ["Publishing.max_body_size"] = 2,
        ["Publishing.validate_message_type"] = 3,
        ["Subscription.group"] = 1,
        ["Subscription.subscriptions"] = 2,
        ["Subscription.fifo"] = 3,
        ["Subscription.receive_batch_size"] = 4,
        ["Subscription.long_polling_timeout"] = 5,
        ["QueryRouteRequest.topic"] = 1,
        ["QueryRouteRequest.endpoints"] = 2,
        ["QueryRouteResponse.status"] = 1,
        ["QueryRouteResponse.message_queues"] = 2,
        ["SendMessageRequest.messages"] = 1,
        ["SendResultEntry.status"] = 1,
        ["SendResultEntry.message_id"] = 2,
        ["SendResultEntry.transaction_id"] = 3,
        ["SendResultEntry.offset"] = 4,
        ["SendMessageResponse.status"] = 1,
        ["SendMessageResponse.entries"] = 2,
        ["QueryAssignmentRequest.topic"] = 1,
        ["QueryAssignmentRequest.group"] = 2,
        ["QueryAssignmentRequest.endpoints"] = 3,
        ["QueryAssignmentResponse.status"] = 1,
        ["QueryAssignmentResponse.assignments"] = 2,
        ["ReceiveMessageRequest.group"] = 1,
        ["ReceiveMessageRequest.message_queue"] = 2,
        ["ReceiveMessageRequest.filter_expression"] = 3,
        ["ReceiveMessageRequest.batch_size"] = 4,
        ["ReceiveMessageRequest.invisible_duration"] = 5,
        ["ReceiveMessageRequest.auto_renew"] = 6,
        ["ReceiveMessageRequest.long_polling_timeout"] = 7,
        ["ReceiveMessageRequest.attempt_id"] = 8,
        ["ReceiveMessageResponse.status"] = 1,
        ["ReceiveMessageResponse.message"] = 2,
        ["ReceiveMessageResponse.delivery_timestamp"] = 3,
        ["AckMessageEntry.message_id"] = 1,
        ["AckMessageEntry.receipt_handle"] = 2,
        ["AckMessageRequest.group"] = 1,
        ["AckMessageRequest.topic"] = 2,
        ["AckMessageRequest.entries"] = 3,
        ["AckMessageResultEntry.message_id"] = 1,
        ["AckMessageResultEntry.receipt_handle"] = 2,
        ["AckMessageResultEntry.status"] = 3,
        ["AckMessageResponse.status"] = 1,
        ["AckMessageResponse.entries"] = 2,
        ["ForwardMessageToDeadLetterQueueRequest.group"] = 1,
        ["ForwardMessageToDeadLetterQueueRequest.topic"] = 2,
        ["ForwardMessageToDeadLetterQueueRequest.receipt_handle"] = 3,
        ["ForwardMessageToDeadLetterQueueRequest.message_id"] = 4,
        ["ForwardMessageToDeadLetterQueueRequest.delivery_attempt"] = 5,
        ["ForwardMessageToDeadLetterQueueRequest.max_delivery_attempts"] = 6,
        ["ForwardMessageToDeadLetterQueueResponse.status"] = 1,
        ["HeartbeatRequest.group"] = 1,
        ["HeartbeatRequest.client_type"] = 2,
        ["HeartbeatResponse.status"] = 1,
        ["EndTransactionRequest.topic"] = 1,
        ["EndTransactionRequest.message_id"] = 2,
        ["EndTransactionRequest.transaction_id"] = 3,
        ["EndTransactionRequest.resolution"] = 4,
        ["EndTransactionRequest.source"] = 5,
        ["EndTransactionRequest.trace_context"] = 6,
        ["EndTransactionResponse.status"] = 1,
        ["RecoverOrphanedTransactionCommand.message"] = 1,
        ["RecoverOrphanedTransactionCommand.transaction_id"] = 2,
        ["TelemetryCommand.status"] = 1,
        ["TelemetryCommand.settings"] = 2,
        ["TelemetryCommand.recover_orphaned_transaction_command"] = 5,
        ["NotifyClientTerminationRequest.group"] = 1,
        ["NotifyClientTerminationResponse.status"] = 1,
        ["ChangeInvisibleDurationRequest.group"] = 1,
        ["ChangeInvisibleDurationRequest.topic"] = 2,
        ["ChangeInvisibleDurationRequest.receipt_handle"] = 3,
        ["ChangeInvisibleDurationRequest.invisible_duration"] = 4,
        ["ChangeInvisibleDurationRequest.message_id"] = 5,
        ["ChangeInvisibleDurationResponse.status"] = 1,
        ["ChangeInvisibleDurationResponse.receipt_handle"] = 2,
    };

    // Enum.VALUE -> number, as upstream.
    private static readonly Dictionary<string, int> UpstreamEnumValues = new(StringComparer.Ordinal)
    {
        ["TransactionResolution.TRANSACTION_RESOLUTION_UNSPECIFIED"] = 0,
        ["TransactionResolution.COMMIT"] = 1,
        ["TransactionResolution.ROLLBACK"] = 2,
        ["TransactionSource.SOURCE_UNSPECIFIED"] = 0,
        ["TransactionSource.SOURCE_CLIENT"] = 1,
        ["TransactionSource.SOURCE_SERVER_CHECK"] = 2,
        ["Permission.PERMISSION_UNSPECIFIED"] = 0,
        ["Permission.NONE"] = 1,
        ["Permission.READ"] = 2,
        ["Permission.WRITE"] = 3,
        ["Permission.READ_WRITE"] = 4,
        ["FilterType.FILTER_TYPE_UNSPECIFIED"] = 0,
        ["FilterType.TAG"] = 1,
        ["FilterType.SQL"] = 2,
        ["AddressScheme.ADDRESS_SCHEME_UNSPECIFIED"] = 0,
        ["AddressScheme.IPv4"] = 1,
        ["AddressScheme.IPv6"] = 2,
        ["AddressScheme.DOMAIN_NAME"] = 3,
        ["MessageType.MESSAGE_TYPE_UNSPECIFIED"] = 0,
        ["MessageType.NORMAL"] = 1,
        ["MessageType.FIFO"] = 2,
        ["MessageType.DELAY"] = 3,
        ["MessageType.TRANSACTION"] = 4,
        ["MessageType.LITE"] = 5,
        ["MessageType.PRIORITY"] = 6,
        ["DigestType.DIGEST_TYPE_UNSPECIFIED"] = 0,
        ["DigestType.CRC32"] = 1,
        ["DigestType.MD5"] = 2,
        ["DigestType.SHA1"] = 3,
        ["ClientType.CLIENT_TYPE_UNSPECIFIED"] = 0,
        ["ClientType.PRODUCER"] = 1,
        ["ClientType.PUSH_CONSUMER"] = 2,
        ["ClientType.SIMPLE_CONSUMER"] = 3,
        ["ClientType.PULL_CONSUMER"] = 4,
        ["ClientType.LITE_PUSH_CONSUMER"] = 5,
        ["ClientType.LITE_SIMPLE_CONSUMER"] = 6,
        ["Encoding.ENCODING_UNSPECIFIED"] = 0,
        ["Encoding.IDENTITY"] = 1,
        ["Encoding.GZIP"] = 2,
        ["Code.CODE_UNSPECIFIED"] = 0,
        ["Code.OK"] = 20000,
        ["Code.MULTIPLE_RESULTS"] = 30000,
        ["Code.BAD_REQUEST"] = 40000,
        ["Code.ILLEGAL_ACCESS_POINT"] = 40001,
        ["Code.ILLEGAL_TOPIC"] = 40002,
        ["Code.ILLEGAL_CONSUMER_GROUP"] = 40003,
        ["Code.ILLEGAL_MESSAGE_TAG"] = 40004,
        ["Code.ILLEGAL_MESSAGE_KEY"] = 40005,
        ["Code.ILLEGAL_MESSAGE_GROUP"] = 40006,
        ["Code.ILLEGAL_MESSAGE_PROPERTY_KEY"] = 40007,
        ["Code.INVALID_TRANSACTION_ID"] = 40008,
        ["Code.ILLEGAL_MESSAGE_ID"] = 40009,
        ["Code.ILLEGAL_FILTER_EXPRESSION"] = 40010,
        ["Code.ILLEGAL_INVISIBLE_TIME"] = 40011,
        ["Code.ILLEGAL_DELIVERY_TIME"] = 40012,
        ["Code.INVALID_RECEIPT_HANDLE"] = 40013,
        ["Code.MESSAGE_PROPERTY_CONFLICT_WITH_TYPE"] = 40014,
        ["Code.UNRECOGNIZED_CLIENT_TYPE"] = 40015,
        ["Code.MESSAGE_CORRUPTED"] = 40016,
        ["Code.CLIENT_ID_REQUIRED"] = 40017,
        ["Code.ILLEGAL_POLLING_TIME"] = 40018,
        ["Code.ILLEGAL_OFFSET"] = 40019,
        ["Code.ILLEGAL_LITE_TOPIC"] = 40020,
        ["Code.INVALID_CLIENT_PROPERTIES"] = 40021,
        ["Code.UNAUTHORIZED"] = 40100,
        ["Code.PAYMENT_REQUIRED"] = 40200,
        ["Code.FORBIDDEN"] = 40300,
        ["Code.NOT_FOUND"] = 40400,
        ["Code.MESSAGE_NOT_FOUND"] = 40401,
        ["Code.TOPIC_NOT_FOUND"] = 40402,
        ["Code.CONSUMER_GROUP_NOT_FOUND"] = 40403,
        ["Code.OFFSET_NOT_FOUND"] = 40404,
        ["Code.REQUEST_TIMEOUT"] = 40800,
        ["Code.PAYLOAD_TOO_LARGE"] = 41300,
        ["Code.MESSAGE_BODY_TOO_LARGE"] = 41301,
        ["Code.MESSAGE_BODY_EMPTY"] = 41302,
        ["Code.PRECONDITION_FAILED"] = 42800,
        ["Code.TOO_MANY_REQUESTS"] = 42900,
        ["Code.LITE_TOPIC_QUOTA_EXCEEDED"] = 42901,
        ["Code.LITE_SUBSCRIPTION_QUOTA_EXCEEDED"] = 42902,
        ["Code.REQUEST_HEADER_FIELDS_TOO_LARGE"] = 43100,
        ["Code.MESSAGE_PROPERTIES_TOO_LARGE"] = 43101,
        ["Code.INTERNAL_ERROR"] = 50000,
        ["Code.INTERNAL_SERVER_ERROR"] = 50001,
        ["Code.HA_NOT_AVAILABLE"] = 50002,
        ["Code.NOT_IMPLEMENTED"] = 50100,
        ["Code.PROXY_TIMEOUT"] = 50400,
        ["Code.MASTER_PERSISTENCE_TIMEOUT"] = 50401,
        ["Code.SLAVE_PERSISTENCE_TIMEOUT"] = 50402,
        ["Code.UNSUPPORTED"] = 50500,
        ["Code.VERSION_UNSUPPORTED"] = 50501,
        ["Code.VERIFY_FIFO_MESSAGE_UNSUPPORTED"] = 50502,
        ["Code.FAILED_TO_CONSUME_MESSAGE"] = 60000,
        ["Language.LANGUAGE_UNSPECIFIED"] = 0,
        ["Language.JAVA"] = 1,
        ["Language.CPP"] = 2,
        ["Language.DOT_NET"] = 3,
        ["Language.GOLANG"] = 4,
        ["Language.RUST"] = 5,
        ["Language.PYTHON"] = 6,
        ["Language.PHP"] = 7,
        ["Language.NODE_JS"] = 8,
        ["Language.RUBY"] = 9,
        ["Language.OBJECTIVE_C"] = 10,
        ["Language.DART"] = 11,
        ["Language.KOTLIN"] = 12,
    };

    private static IEnumerable<FileDescriptor> Files => [DefinitionReflection.Descriptor, ServiceReflection.Descriptor];

    [Fact]
    public void Descriptors_Package_IsUpstreamPackage()
    {
        Assert.All(Files, f => Assert.Equal("apache.rocketmq.v2", f.Package));
        Assert.Equal("apache/rocketmq/v2/definition.proto", DefinitionReflection.Descriptor.Name);
        Assert.Equal("apache/rocketmq/v2/service.proto", ServiceReflection.Descriptor.Name);
    }

    [Fact]
    public void Descriptors_EveryField_HasUpstreamNumber()
    {
        var actual = Files.SelectMany(f => f.MessageTypes)
            .SelectMany(m => m.Fields.InDeclarationOrder().Select(field => (Key: $"{m.Name}.{field.Name}", field.FieldNumber)))
            .ToList();

        Assert.All(actual, a =>
        {
            Assert.True(UpstreamFieldNumbers.TryGetValue(a.Key, out var expected), $"{a.Key} is not in the upstream table: check it against rocketmq-apis and add it.");
            Assert.True(expected == a.FieldNumber, $"{a.Key} is numbered {a.FieldNumber}, upstream says {expected}.");
        });
        Assert.Equal(UpstreamFieldNumbers.Keys.Order(StringComparer.Ordinal), actual.Select(a => a.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Descriptors_EveryEnumValue_HasUpstreamNumber()
    {
        var actual = Files.SelectMany(f => f.EnumTypes)
            .SelectMany(e => e.Values.Select(v => (Key: $"{e.Name}.{v.Name}", v.Number)))
            .ToList();

        Assert.All(actual, a =>
        {
            Assert.True(UpstreamEnumValues.TryGetValue(a.Key, out var expected), $"{a.Key} is not in the upstream table.");
            Assert.True(expected == a.Number, $"{a.Key} is {a.Number}, upstream says {expected}.");
        });
        Assert.Equal(UpstreamEnumValues.Keys.Order(StringComparer.Ordinal), actual.Select(a => a.Key).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("QueryRoute", "QueryRouteRequest", "QueryRouteResponse", false, false)]
    [InlineData("Heartbeat", "HeartbeatRequest", "HeartbeatResponse", false, false)]
    [InlineData("SendMessage", "SendMessageRequest", "SendMessageResponse", false, false)]
    [InlineData("QueryAssignment", "QueryAssignmentRequest", "QueryAssignmentResponse", false, false)]
    [InlineData("ReceiveMessage", "ReceiveMessageRequest", "ReceiveMessageResponse", false, true)]
    [InlineData("AckMessage", "AckMessageRequest", "AckMessageResponse", false, false)]
    [InlineData("ForwardMessageToDeadLetterQueue", "ForwardMessageToDeadLetterQueueRequest", "ForwardMessageToDeadLetterQueueResponse", false, false)]
    [InlineData("EndTransaction", "EndTransactionRequest", "EndTransactionResponse", false, false)]
    [InlineData("Telemetry", "TelemetryCommand", "TelemetryCommand", true, true)]
    [InlineData("NotifyClientTermination", "NotifyClientTerminationRequest", "NotifyClientTerminationResponse", false, false)]
    [InlineData("ChangeInvisibleDuration", "ChangeInvisibleDurationRequest", "ChangeInvisibleDurationResponse", false, false)]
    public void MessagingService_Method_MatchesUpstreamSignature(string name, string input, string output, bool clientStreaming, bool serverStreaming)
    {
        var service = Assert.Single(ServiceReflection.Descriptor.Services);
        Assert.Equal("apache.rocketmq.v2.MessagingService", service.FullName);

        var method = service.FindMethodByName(name);
        Assert.NotNull(method);
        Assert.Equal("apache.rocketmq.v2." + input, method.InputType.FullName);
        Assert.Equal("apache.rocketmq.v2." + output, method.OutputType.FullName);
        Assert.Equal(clientStreaming, method.IsClientStreaming);
        Assert.Equal(serverStreaming, method.IsServerStreaming);
    }

    [Fact]
    public void RocketMQStatusCode_EveryProtocolCode_HasSameNumber()
    {
        var codes = DefinitionReflection.Descriptor.EnumTypes.Single(e => e.Name == "Code").Values;

        Assert.Equal(codes.Count, Enum.GetValues<RocketMQStatusCode>().Length);
        Assert.All(codes, v => Assert.True(Enum.IsDefined((RocketMQStatusCode)v.Number), $"{v.Name} ({v.Number}) is missing from RocketMQStatusCode."));
        Assert.Equal(RocketMQStatusCode.InvalidReceiptHandle, (RocketMQStatusCode)(int)Code.InvalidReceiptHandle);
    }
}
