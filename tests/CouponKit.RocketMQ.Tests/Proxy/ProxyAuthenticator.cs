using System.Security.Cryptography;
using Encoding = System.Text.Encoding;
using CouponKit.RocketMQ.Protocol;
using CouponKit.RocketMQ.Protocol.V2;
using Grpc.Core;
using Status = CouponKit.RocketMQ.Protocol.V2.Status;

namespace CouponKit.RocketMQ.Tests.Proxy;

/// <summary>Checks the metadata of each request as a RocketMQ 5 proxy with ACL does.</summary>
internal static class ProxyAuthenticator
{
    /// <summary>Returns null when the request may proceed, or the refusing status.</summary>
    public static Status? Check(ServerCallContext context, ProxyBrokerOptions options)
    {
        var headers = context.RequestHeaders;
        if (string.IsNullOrEmpty(headers.GetValue(ProtocolConstants.ClientIdKey)))
        {
            return ProxyBroker.Fail(Code.ClientIdRequired, "x-mq-client-id is required");
        }

        if (options.Credentials.Count == 0)
        {
            return null;
        }

        var authorization = headers.GetValue(ProtocolConstants.AuthorizationKey);
        var dateTime = headers.GetValue(ProtocolConstants.DateTimeKey);
        if (string.IsNullOrEmpty(authorization) || string.IsNullOrEmpty(dateTime))
        {
            return ProxyBroker.Fail(Code.Unauthorized, "authorization and x-mq-date-time are required");
        }

        // MQv2-HMAC-SHA1 Credential=<ak>, SignedHeaders=x-mq-date-time, Signature=<hex>
        const string prefix = ProtocolConstants.Algorithm + " ";
        if (!authorization.StartsWith(prefix, StringComparison.Ordinal))
        {
            return ProxyBroker.Fail(Code.Unauthorized, "unsupported authorization algorithm");
        }

        var fields = authorization[prefix.Length..]
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('=', 2))
            .Where(kv => kv.Length == 2)
            .ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal);
        if (!fields.TryGetValue(ProtocolConstants.CredentialField, out var accessKey)
            || !fields.TryGetValue(ProtocolConstants.SignatureField, out var signature)
            || !fields.TryGetValue(ProtocolConstants.SignedHeadersField, out var signed) || signed != ProtocolConstants.DateTimeKey)
        {
            return ProxyBroker.Fail(Code.Unauthorized, "malformed authorization");
        }

        if (!options.Credentials.TryGetValue(accessKey, out var secret))
        {
            return ProxyBroker.Fail(Code.Unauthorized, $"unknown access key '{accessKey}'");
        }

        // Computed here independently of the client's RequestSigner: upper-case hex HMAC-SHA1 over the date header.
#pragma warning disable CA5350 // HMAC-SHA1 is mandated by the RocketMQ 5 protocol.
        var expected = Convert.ToHexString(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(dateTime)));
#pragma warning restore CA5350
        return string.Equals(expected, signature, StringComparison.Ordinal)
            ? null
            : ProxyBroker.Fail(Code.Unauthorized, "signature does not match");
    }
}
