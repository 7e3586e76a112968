using CouponKit.RocketMQ.Protocol.V2;

namespace CouponKit.RocketMQ.Protocol;

/// <summary>Classifies RocketMQ status codes (as the official clients' <c>StatusChecker</c> does).</summary>
internal static class StatusCodes
{
    public static bool IsOk(Code code) => code is Code.Ok or Code.MultipleResults;

    /// <summary>Throttling, broker-internal errors and timeouts: the same request may succeed later.</summary>
    public static bool IsRetryable(Code code) => code is Code.TooManyRequests
        or Code.InternalError or Code.InternalServerError or Code.HaNotAvailable
        or Code.ProxyTimeout or Code.MasterPersistenceTimeout or Code.SlavePersistenceTimeout
        or Code.RequestTimeout;

    public static RocketMQStatusCode ToPublic(Code code) => (RocketMQStatusCode)(int)code;

    public static RocketMQException ToException(string operation, Status? status, string? requestId)
    {
        var code = status?.Code ?? Code.InternalServerError;
        var detail = string.IsNullOrEmpty(status?.Message) ? "no detail" : status.Message;
        return new RocketMQException(
            ToPublic(code),
            $"RocketMQ {operation} failed with {code} ({(int)code}): {detail}",
            requestId,
            IsRetryable(code));
    }
}
