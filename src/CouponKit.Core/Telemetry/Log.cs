using Microsoft.Extensions.Logging;

namespace CouponKit.Telemetry;

/// <summary>The core's log messages (event ids 1000–1099). Never a full promo code; ids only as structured values.</summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Debug, "Coupon {CouponId} of template {TemplateId} issued (replay: {IsReplay})", EventName = "ClaimIssued")]
    public static partial void ClaimIssued(ILogger logger, string couponId, string templateId, bool isReplay);

    [LoggerMessage(1001, LogLevel.Debug, "Claim on template {TemplateId} rejected: {Rejection}", EventName = "ClaimRejected")]
    public static partial void ClaimRejected(ILogger logger, string templateId, string rejection);

    [LoggerMessage(1002, LogLevel.Warning, "Points refund for a claim on template {TemplateId} failed; handed to the bus for retry", EventName = "PointsRefundDeferred")]
    public static partial void PointsRefundDeferred(ILogger logger, Exception exception, string templateId);

    [LoggerMessage(1003, LogLevel.Warning, "Giving back a claim-gate reservation on template {TemplateId} failed after the store failed", EventName = "GateReleaseFailed")]
    public static partial void GateReleaseFailed(ILogger logger, Exception exception, string templateId);

    [LoggerMessage(1010, LogLevel.Debug, "TCC {Phase} of order {OrderId}: {Status}", EventName = "RedemptionStep")]
    public static partial void RedemptionStep(ILogger logger, string phase, string orderId, string status);

    [LoggerMessage(1011, LogLevel.Information, "TCC {Phase} of order {OrderId} refused: {Refusal}", EventName = "RedemptionRefused")]
    public static partial void RedemptionRefused(ILogger logger, string phase, string orderId, string refusal);
}
