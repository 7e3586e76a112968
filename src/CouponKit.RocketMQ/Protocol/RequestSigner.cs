using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Grpc.Core;

namespace CouponKit.RocketMQ.Protocol;

/// <summary>
/// Builds the metadata every RocketMQ 5 request carries and, with credentials, the <c>authorization</c> header:
/// <c>MQv2-HMAC-SHA1 Credential=&lt;ak&gt;, SignedHeaders=x-mq-date-time, Signature=&lt;HEX(HMAC-SHA1(secret, x-mq-date-time))&gt;</c>,
/// the format of the official clients (apache/rocketmq-clients <c>java/.../rpc/Signature.java</c>, <c>TLSHelper.java</c>:
/// UTF-8 secret and date, upper-case hex).
/// </summary>
internal sealed class RequestSigner
{
    private static readonly string ClientVersion =
        typeof(RequestSigner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    private readonly string? _accessKey;
    private readonly byte[]? _secret;
    private readonly string _namespace;
    private readonly TimeProvider _timeProvider;

    public RequestSigner(RocketMQOptions options, string clientId, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        ArgumentNullException.ThrowIfNull(timeProvider);

        ClientId = clientId;
        _namespace = options.Namespace ?? string.Empty;
        _timeProvider = timeProvider;
        if (!string.IsNullOrEmpty(options.AccessKey) && !string.IsNullOrEmpty(options.AccessSecret))
        {
            _accessKey = options.AccessKey;
            _secret = Encoding.UTF8.GetBytes(options.AccessSecret);
        }
    }

    /// <summary>Gets the <c>x-mq-client-id</c> of this client.</summary>
    public string ClientId { get; }

    /// <summary>Creates the metadata of one request (a fresh request id and date on each call).</summary>
    public Metadata CreateHeaders()
    {
        var dateTime = _timeProvider.GetUtcNow().UtcDateTime.ToString(ProtocolConstants.DateTimeFormat, CultureInfo.InvariantCulture);
        var headers = new Metadata
        {
            { ProtocolConstants.LanguageKey, ProtocolConstants.LanguageValue },
            { ProtocolConstants.ProtocolVersionKey, ProtocolConstants.ProtocolVersionValue },
            { ProtocolConstants.ClientVersionKey, ClientVersion },
            { ProtocolConstants.DateTimeKey, dateTime },
            { ProtocolConstants.RequestIdKey, Guid.NewGuid().ToString() },
            { ProtocolConstants.ClientIdKey, ClientId },
            { ProtocolConstants.NamespaceKey, _namespace },
        };

        if (_accessKey is not null && _secret is not null)
        {
            headers.Add(ProtocolConstants.AuthorizationKey, CreateAuthorization(_accessKey, _secret, dateTime));
        }

        return headers;
    }

    /// <summary>The <c>authorization</c> value for <paramref name="dateTime"/> (also used by the test proxy to verify).</summary>
    public static string CreateAuthorization(string accessKey, byte[] secret, string dateTime)
    {
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{ProtocolConstants.Algorithm} {ProtocolConstants.CredentialField}={accessKey}, {ProtocolConstants.SignedHeadersField}={ProtocolConstants.DateTimeKey}, {ProtocolConstants.SignatureField}={Sign(secret, dateTime)}");
    }

    /// <summary>Upper-case hex of HMAC-SHA1(<paramref name="secret"/>, UTF-8 <paramref name="dateTime"/>).</summary>
    public static string Sign(byte[] secret, string dateTime)
    {
        // HMAC-SHA1 is what the RocketMQ 5 protocol mandates for request signing; it is not our choice of algorithm.
#pragma warning disable CA5350
        var digest = HMACSHA1.HashData(secret, Encoding.UTF8.GetBytes(dateTime));
#pragma warning restore CA5350
        return Convert.ToHexString(digest);
    }

    /// <summary>Creates a client id in the spirit of the official ones: <c>host@pid@random</c>.</summary>
    public static string NewClientId()
    {
        var random = Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
        return string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}@{Environment.ProcessId}@{random}");
    }
}
