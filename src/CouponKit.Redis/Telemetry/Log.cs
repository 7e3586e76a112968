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
}
