using CouponKit.Issuance;
using CouponKit.Ports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CouponKit.Caching;

/// <summary>
/// Reads templates for the hot paths (claims through the gate, quotes): from the <see cref="ITemplateCache"/>, and from the
/// <see cref="ITemplateStore"/> on a miss (then the cache is filled, compare-and-set, so a slow reader never overwrites a newer
/// entry). A cache that fails is skipped: the store answers.
/// </summary>
/// <remarks>
/// <para>
/// What "fresh" means here: a cached entry is served as it is, without asking the store. The guarantee is about the
/// <see cref="TemplateCacheConsumer"/>: once it has processed the <c>TemplateChanged</c> event of version <c>v</c> of a
/// template, the cache holds version <c>v</c> or newer (it read the committed template from the store and wrote it
/// compare-and-set), so from then on no reader is served a version older than <c>v</c>. Between the commit and the end of
/// that processing (the outbox and bus delay, or longer while the cache is unreachable and the consumer retries), readers may
/// still be served the previous version.
/// </para>
/// <para>
/// Merchant operations (<see cref="CouponTemplates"/>) keep reading the store, which is the authority for optimistic
/// versions; the database issue step checks inventory and per-user limits itself, so a stale cached template can at worst
/// let a claim reach the store, never issue beyond the committed inventory.
/// </para>
/// </remarks>
public sealed class CachedTemplateReader
{
    private readonly ITemplateCache _cache;
    private readonly ITemplateStore _store;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="CachedTemplateReader"/> class.</summary>
    /// <param name="cache">The cache.</param>
    /// <param name="store">The template store (the authority).</param>
    /// <param name="logger">The logger.</param>
    public CachedTemplateReader(ITemplateCache cache, ITemplateStore store, ILogger<CachedTemplateReader>? logger = null)
    {
        _cache = cache ?? throw new ArgumentNullException(nameof(cache));
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Finds a template: the cached version, or the store's on a miss or when the cache fails.</summary>
    /// <param name="templateId">The template id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The template, or <see langword="null"/> when the store does not know it.</returns>
    public async Task<CouponTemplate?> FindAsync(string templateId, CancellationToken cancellationToken = default)
    {
        Guard.Identifier(templateId, nameof(templateId));
        try
        {
            if (await _cache.GetAsync(templateId, cancellationToken).ConfigureAwait(false) is { } cached)
            {
                return cached;
            }
        }
        catch (CouponKitException ex)
        {
            CachingLog.CacheReadFailed(_logger, ex, templateId);
        }

        var stored = await _store.FindAsync(templateId, cancellationToken).ConfigureAwait(false);
        if (stored is not null)
        {
            try
            {
                await _cache.SetIfNewerAsync(stored, cancellationToken).ConfigureAwait(false);
            }
            catch (CouponKitException ex)
            {
                CachingLog.CacheFillFailed(_logger, ex, templateId);
            }
        }

        return stored;
    }

    /// <summary>Gets a template: the cached version, or the store's.</summary>
    /// <param name="templateId">The template id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The template.</returns>
    /// <exception cref="TemplateNotFoundException">The template does not exist.</exception>
    public async Task<CouponTemplate> GetAsync(string templateId, CancellationToken cancellationToken = default) =>
        await FindAsync(templateId, cancellationToken).ConfigureAwait(false) ?? throw new TemplateNotFoundException(templateId);
}
