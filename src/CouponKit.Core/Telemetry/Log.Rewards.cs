using Microsoft.Extensions.Logging;

namespace CouponKit.Telemetry;

/// <summary>The log messages of order rewards and scheduled pushes (event ids 1700–1719).</summary>
internal static partial class Log
{
    [LoggerMessage(1700, LogLevel.Information, "Order {OrderId} earned reward rule {RuleId}: {Outcome} (coupon {CouponId})", EventName = "RewardIssued")]
    public static partial void RewardIssued(ILogger logger, string orderId, string ruleId, string outcome, string? couponId);

    [LoggerMessage(1701, LogLevel.Debug, "Order {OrderId}, reward rule {RuleId}: nothing issued ({Outcome})", EventName = "RewardSkipped")]
    public static partial void RewardSkipped(ILogger logger, string orderId, string ruleId, string outcome);

    [LoggerMessage(1702, LogLevel.Warning, "Reward rule {RuleId} cannot issue template {TemplateId} for order {OrderId}: {Outcome}", EventName = "RewardNotIssuable")]
    public static partial void RewardNotIssuable(ILogger logger, string ruleId, string templateId, string orderId, string outcome);

    [LoggerMessage(1703, LogLevel.Information, "Refund of order {OrderId}, reward rule {RuleId}: {Outcome} (coupon {CouponId})", EventName = "RewardRefundSettled")]
    public static partial void RewardRefundSettled(ILogger logger, string orderId, string ruleId, string outcome, string? couponId);

    [LoggerMessage(1704, LogLevel.Warning, "Refund of order {OrderId}: its reward coupon {CouponId} (rule {RuleId}) was already used; the loss is recorded", EventName = "RewardLossRecorded")]
    public static partial void RewardLossRecorded(ILogger logger, string orderId, string ruleId, string couponId);

    [LoggerMessage(1710, LogLevel.Information, "Scheduled push {JobId} of template {TemplateId} ran: {State}, {Issued} issued", EventName = "ScheduledPushFired")]
    public static partial void ScheduledPushFired(ILogger logger, string jobId, string templateId, string state, long issued);

    [LoggerMessage(1711, LogLevel.Warning, "Scheduled push {JobId} of template {TemplateId} could not start ({Error}); the schedule is cancelled", EventName = "ScheduledPushRefused")]
    public static partial void ScheduledPushRefused(ILogger logger, Exception exception, string jobId, string templateId, string error);
}
