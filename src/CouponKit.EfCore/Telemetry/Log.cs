using Microsoft.Extensions.Logging;

namespace CouponKit.EfCore.Telemetry;

/// <summary>The EF Core adapter's log messages (event ids 2000–2199).</summary>
internal static partial class Log
{
    [LoggerMessage(2000, LogLevel.Debug, "Store operation {Operation} hit a database conflict or transient error on attempt {Attempt}; retrying", EventName = "StoreRetry")]
    public static partial void StoreRetry(ILogger logger, Exception exception, string operation, int attempt);

    [LoggerMessage(2001, LogLevel.Error, "Store operation {Operation} failed after {Attempts} attempt(s); its transaction was rolled back", EventName = "StoreFailed")]
    public static partial void StoreFailed(ILogger logger, Exception exception, string operation, int attempts);

    [LoggerMessage(2002, LogLevel.Debug, "Template {TemplateId} sold out in the database", EventName = "SoldOut")]
    public static partial void SoldOut(ILogger logger, string templateId);

    [LoggerMessage(2090, LogLevel.Information, "Transaction check of message {MessageId} ({Tag}): its local transaction committed", EventName = "TransactionCheckCommitted")]
    public static partial void TransactionCheckCommitted(ILogger logger, string messageId, string tag);

    [LoggerMessage(2091, LogLevel.Warning, "Transaction check of message {MessageId} ({Tag}): no row of its local transaction after {Age}; rolled back", EventName = "TransactionCheckRolledBack")]
    public static partial void TransactionCheckRolledBack(ILogger logger, string messageId, string tag, TimeSpan age);

    [LoggerMessage(2092, LogLevel.Debug, "Transaction check of message {MessageId} ({Tag}): no row of its local transaction yet after {Age}; unknown", EventName = "TransactionCheckPending")]
    public static partial void TransactionCheckPending(ILogger logger, string messageId, string tag, TimeSpan age);

    [LoggerMessage(2100, LogLevel.Error, "Store operation {Operation} failed with SQLSTATE {SqlState}, an error no retry can cure; its transaction was rolled back", EventName = "StoreFailedPermanently")]
    public static partial void StoreFailedPermanently(ILogger logger, Exception exception, string operation, string? sqlState);
}
