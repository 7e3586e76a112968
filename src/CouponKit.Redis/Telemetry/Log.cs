using Microsoft.Extensions.Logging;

namespace CouponKit.Redis.Telemetry;

/// <summary>The Redis adapter's log messages (event ids 3000–3099). Never a user id or a claim key; template ids only as structured values.</summary>
internal static partial class Log
{
    [LoggerMessage(3000, LogLevel.Information, "Redis script {Script} was missing on the server (NOSCRIPT) and was loaded again", EventName = "ScriptReloaded")]
    public static partial void ScriptReloaded(ILogger logger, string script);

    [LoggerMessage(3001, LogLevel.Error, "Redis failed during {Operation}; failing closed", EventName = "RedisFailed")]
    public static partial void RedisFailed(ILogger logger, Exception exception, string operation);

    [LoggerMessage(3002, LogLevel.Information, "Claim gate of template {TemplateId} warmed up: {Remaining} in stock, {Holders} holders", EventName = "GateWarmedUp")]
    public static partial void GateWarmedUp(ILogger logger, string templateId, int remaining, int holders);

    [LoggerMessage(3003, LogLevel.Debug, "Claim gate of template {TemplateId}: {Status}, {Remaining} left", EventName = "GateDecision")]
    public static partial void GateDecision(ILogger logger, string templateId, string status, int remaining);

    [LoggerMessage(3004, LogLevel.Warning, "Redis failed during the claim gate's reservation on template {TemplateId}; the claim falls back to the database", EventName = "GateFallback")]
    public static partial void GateFallback(ILogger logger, Exception exception, string templateId);

    [LoggerMessage(3005, LogLevel.Warning, "The cached template {TemplateId} could not be read back; treated as a miss", EventName = "CachedTemplateUnreadable")]
    public static partial void CachedTemplateUnreadable(ILogger logger, Exception exception, string templateId);

    [LoggerMessage(3006, LogLevel.Warning, "Claim gate of template {TemplateId} drifted from the database: {Kind}, Redis {RedisValue}, expected {ExpectedValue}", EventName = "GateDrift")]
    public static partial void GateDrift(ILogger logger, string templateId, string kind, long redisValue, long expectedValue);

    [LoggerMessage(3007, LogLevel.Information, "Claim gate of template {TemplateId} reconciled: {Differences} difference(s), repaired {Repaired}, {InFlight} claim(s) in flight", EventName = "GateReconciled")]
    public static partial void GateReconciled(ILogger logger, string templateId, int differences, bool repaired, int inFlight);

    [LoggerMessage(3008, LogLevel.Warning, "Claim gate of template {TemplateId} changed while it was being reconciled; trying again (attempt {Attempt})", EventName = "GateReconcileRetry")]
    public static partial void GateReconcileRetry(ILogger logger, string templateId, int attempt);
}
