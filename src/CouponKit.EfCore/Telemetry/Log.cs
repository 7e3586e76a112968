using Microsoft.Extensions.Logging;

namespace CouponKit.EfCore.Telemetry;

/// <summary>The EF Core adapter's log messages (event ids 2000–2099).</summary>
internal static partial class Log
{
    [LoggerMessage(2000, LogLevel.Debug, "Store operation {Operation} hit a database conflict or transient error on attempt {Attempt}; retrying", EventName = "StoreRetry")]
    public static partial void StoreRetry(ILogger logger, Exception exception, string operation, int attempt);

    [LoggerMessage(2001, LogLevel.Error, "Store operation {Operation} failed after {Attempts} attempt(s); its transaction was rolled back", EventName = "StoreFailed")]
    public static partial void StoreFailed(ILogger logger, Exception exception, string operation, int attempts);

    [LoggerMessage(2002, LogLevel.Debug, "Template {TemplateId} sold out in the database", EventName = "SoldOut")]
    public static partial void SoldOut(ILogger logger, string templateId);
}
