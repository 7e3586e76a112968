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

    // 1600–1649: security (ownership, tenancy, promo-code guessing). Promo codes only masked (first 2 and last 2 characters).
    [LoggerMessage(1600, LogLevel.Warning, "Promo codes are hashed without a key (unkeyed SHA-256); configure PromoCodeRedemptionOptions.Hashing outside tests and samples", EventName = "PromoCodesUnkeyed")]
    public static partial void PromoCodesUnkeyed(ILogger logger);

    [LoggerMessage(1601, LogLevel.Information, "Promo code {MaskedCode} rejected: {Rejection}", EventName = "PromoCodeRejected")]
    public static partial void PromoCodeRejected(ILogger logger, string maskedCode, string rejection);

    [LoggerMessage(1602, LogLevel.Warning, "Promo code {MaskedCode} refused: locked out for {LockedOutFor} after repeated misses", EventName = "PromoCodeLockedOut")]
    public static partial void PromoCodeLockedOut(ILogger logger, string maskedCode, TimeSpan lockedOutFor);

    [LoggerMessage(1603, LogLevel.Debug, "Promo code {MaskedCode} redeemed for template {TemplateId}", EventName = "PromoCodeRedeemed")]
    public static partial void PromoCodeRedeemed(ILogger logger, string maskedCode, string templateId);
}
