namespace CouponKit.Telemetry;

/// <summary>
/// The names under which CouponKit reports: one <see cref="System.Diagnostics.Metrics.Meter"/> and one
/// <see cref="System.Diagnostics.ActivitySource"/>, both named <see cref="Name"/>. Subscribe with
/// <c>.AddMeter("CouponKit")</c> and <c>.AddSource("CouponKit")</c> in OpenTelemetry.
/// </summary>
/// <remarks>
/// Instruments: <c>couponkit.claim.attempts</c> (counter; tag <c>couponkit.claim.outcome</c>: issued, replayed or a rejection
/// reason), <c>couponkit.redemption.steps</c> (counter; tags <c>couponkit.tcc.phase</c>, <c>couponkit.tcc.status</c> and
/// <c>couponkit.tcc.refusal</c>), <c>couponkit.redemption.duration</c> (histogram in seconds; tag <c>couponkit.tcc.phase</c>: the
/// latency of lock, confirm and release), <c>couponkit.security.refusals</c> (counter; tags <c>couponkit.security.reason</c> and
/// <c>couponkit.security.operation</c>: ownership, tenancy, promo-code guessing and size-limit refusals). No user, coupon or order id is ever a metric tag.
/// </remarks>
public static class CouponKitDiagnostics
{
    /// <summary>The name of the meter and of the activity source.</summary>
    public const string Name = "CouponKit";
}
