using Microsoft.Extensions.Logging;

namespace CouponKit.Telemetry;

/// <summary>The log messages of benefits, scheduling and dead-letter administration (event ids 1050–1069).</summary>
internal static partial class Log
{
    [LoggerMessage(1050, LogLevel.Warning, "Crediting the benefit of a claim on template {TemplateId} failed; its BenefitCredit command retries it", EventName = "BenefitCreditDeferred")]
    public static partial void BenefitCreditDeferred(ILogger logger, Exception exception, string templateId);

    [LoggerMessage(1051, LogLevel.Debug, "Benefit of coupon {CouponId} ({Kind}) credited: {Credited}", EventName = "BenefitCredited")]
    public static partial void BenefitCredited(ILogger logger, string couponId, string kind, bool credited);

    [LoggerMessage(1055, LogLevel.Warning, "Message {MessageId} ({Topic}/{Tag}) reached the dead letters of consumer group {ConsumerGroup} after {Attempts} attempts", EventName = "DeadLetterArrived")]
    public static partial void DeadLetterArrived(ILogger logger, string messageId, string topic, string tag, string consumerGroup, int attempts);

    [LoggerMessage(1056, LogLevel.Information, "Dead letter {MessageId} of consumer group {ConsumerGroup}: {Action} by {Actor}", EventName = "DeadLetterAdministered")]
    public static partial void DeadLetterAdministered(ILogger logger, string messageId, string consumerGroup, string action, string actor);
}
