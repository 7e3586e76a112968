using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using CouponKit.Telemetry;
using Microsoft.Extensions.Logging;

namespace CouponKit.Issuance.Gated;

/// <summary>The instruments of the gated claim flow, on the <c>CouponKit</c> meter.</summary>
internal sealed class GatedMetrics
{
    private static readonly ConditionalWeakTable<IMeterFactory, GatedMetrics> PerFactory = new();
    private static readonly Lazy<GatedMetrics> Shared = new(() => new GatedMetrics(new Meter(CouponKitDiagnostics.Name)));
    private readonly Counter<long> _outcomes;

    private GatedMetrics(Meter meter)
    {
        _outcomes = meter.CreateCounter<long>("couponkit.claim.gated", "{claim}", "Gated claims by stage (submit, issue) and outcome.");
    }

    public static GatedMetrics For(IMeterFactory? factory) =>
        factory is null ? Shared.Value : PerFactory.GetValue(factory, f => new GatedMetrics(f.Create(CouponKitDiagnostics.Name)));

    public void Outcome(string stage, string outcome) => _outcomes.Add(
        1,
        new KeyValuePair<string, object?>("couponkit.claim.stage", stage),
        new KeyValuePair<string, object?>("couponkit.claim.outcome", outcome));
}

/// <summary>The log messages of the gated claim flow (event ids 1420–1449). Never a user id or claim key.</summary>
internal static partial class GatedLog
{
    [LoggerMessage(1420, LogLevel.Information, "The claim gate does not know template {TemplateId} (not warmed up, or down with fallback); the claim goes to the database.", EventName = "GatedClaimBypassed")]
    public static partial void GateBypassed(ILogger logger, string templateId);

    [LoggerMessage(1421, LogLevel.Error, "Handing an accepted claim of template {TemplateId} to the database failed; its reservation is given back.", EventName = "GatedHandOffFailed")]
    public static partial void HandOffFailed(ILogger logger, Exception exception, string templateId);

    [LoggerMessage(1422, LogLevel.Error, "Giving back a reservation of template {TemplateId} failed; reconciliation will free it.", EventName = "GatedGiveBackFailed")]
    public static partial void GiveBackFailed(ILogger logger, Exception exception, string templateId);

    [LoggerMessage(1423, LogLevel.Warning, "An issue command ({MessageId}) could not be read; it is acknowledged without effect.", EventName = "GatedBadCommand")]
    public static partial void BadCommand(ILogger logger, Exception exception, string messageId);

    [LoggerMessage(1424, LogLevel.Debug, "An issue command of template {TemplateId} was already settled as {State}; acknowledged without effect.", EventName = "GatedAlreadySettled")]
    public static partial void AlreadySettled(ILogger logger, string templateId, PendingClaimState state);

    [LoggerMessage(1425, LogLevel.Information, "The database refused an accepted claim of template {TemplateId}: {Rejection}; its reservation was given back.", EventName = "GatedRefused")]
    public static partial void Refused(ILogger logger, string templateId, ClaimRejection rejection);

    [LoggerMessage(1426, LogLevel.Warning, "An accepted claim of template {TemplateId} used a claim key already used for another user or template; its reservation was given back.", EventName = "GatedKeyConflict")]
    public static partial void KeyConflict(ILogger logger, string templateId);

    [LoggerMessage(1427, LogLevel.Warning, "Giving up an issue command of template {TemplateId} after delivery {Attempt}; its reservation is given back unless the database holds the coupon.", EventName = "GatedGivingUp")]
    public static partial void GivingUp(ILogger logger, Exception exception, string templateId, int attempt);

    [LoggerMessage(1428, LogLevel.Warning, "Checking the database before giving up an issue command of template {TemplateId} failed.", EventName = "GatedGiveUpCheckFailed")]
    public static partial void GiveUpCheckFailed(ILogger logger, Exception exception, string templateId);
}
