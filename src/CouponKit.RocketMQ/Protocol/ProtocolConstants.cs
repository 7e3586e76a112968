namespace CouponKit.RocketMQ.Protocol;

/// <summary>
/// Metadata keys and values of the RocketMQ 5 gRPC protocol, as the official clients send them
/// (apache/rocketmq-clients: java <c>rpc/Signature.java</c>, csharp <c>MetadataConstants.cs</c>).
/// </summary>
internal static class ProtocolConstants
{
    public const string AuthorizationKey = "authorization";
    public const string DateTimeKey = "x-mq-date-time";
    public const string LanguageKey = "x-mq-language";
    public const string ProtocolVersionKey = "x-mq-protocol";
    public const string ClientVersionKey = "x-mq-client-version";
    public const string RequestIdKey = "x-mq-request-id";
    public const string ClientIdKey = "x-mq-client-id";
    public const string NamespaceKey = "x-mq-namespace";

    public const string Algorithm = "MQv2-HMAC-SHA1";
    public const string CredentialField = "Credential";
    public const string SignedHeadersField = "SignedHeaders";
    public const string SignatureField = "Signature";

    /// <summary>The value of <see cref="DateTimeKey"/>: UTC, basic ISO 8601 (Java <c>yyyyMMdd'T'HHmmss'Z'</c>).</summary>
    public const string DateTimeFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>The language the .NET official client announces.</summary>
    public const string LanguageValue = "DOTNET";

    /// <summary>The protocol version, the <c>v2</c> of the <c>apache.rocketmq.v2</c> package.</summary>
    public const string ProtocolVersionValue = "v2";

    /// <summary>The message-id version prefix used by the official clients.</summary>
    public const string MessageIdVersion = "01";
}
