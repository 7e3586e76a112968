using Microsoft.Extensions.Logging;

namespace CouponKit.Caching;

/// <summary>The log messages of the template cache (event ids 1400–1419).</summary>
internal static partial class CachingLog
{
    [LoggerMessage(1400, LogLevel.Warning, "Reading template {TemplateId} from the cache failed; the store answers.", EventName = "TemplateCacheReadFailed")]
    public static partial void CacheReadFailed(ILogger logger, Exception exception, string templateId);

    [LoggerMessage(1401, LogLevel.Warning, "Filling the cache with template {TemplateId} failed; the next reader tries again.", EventName = "TemplateCacheFillFailed")]
    public static partial void CacheFillFailed(ILogger logger, Exception exception, string templateId);

    [LoggerMessage(1402, LogLevel.Debug, "Change of template {TemplateId} to version {Version} skipped: the cache holds version {CachedVersion}.", EventName = "TemplateChangeAlreadyCached")]
    public static partial void ChangeAlreadyCached(ILogger logger, string templateId, long version, long cachedVersion);

    [LoggerMessage(1403, LogLevel.Information, "Change of template {TemplateId} to version {Version} applied to the cache: committed version {CommittedVersion}, written {Written}, delivery {Attempt}.", EventName = "TemplateChangeCached")]
    public static partial void ChangeApplied(ILogger logger, string templateId, long version, long committedVersion, bool written, int attempt);
}
