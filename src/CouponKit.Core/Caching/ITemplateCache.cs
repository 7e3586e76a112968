using CouponKit.Issuance;

namespace CouponKit.Caching;

/// <summary>
/// A cache of coupon templates (with their rules), each entry tagged with the template's <see cref="CouponTemplate.Version"/>.
/// Writes are compare-and-set on the version: an entry is only ever replaced by a newer version, so duplicated or reordered
/// change events never move it backwards. In process by default (<see cref="InMemoryTemplateCache"/>); in Redis with
/// CouponKit.Redis.
/// </summary>
public interface ITemplateCache
{
    /// <summary>Reads a cached template.</summary>
    /// <param name="templateId">The template id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The cached version, or <see langword="null"/> on a miss.</returns>
    Task<CouponTemplate?> GetAsync(string templateId, CancellationToken cancellationToken);

    /// <summary>Stores a template if the cache holds no entry for it or an older version (atomically).</summary>
    /// <param name="couponTemplate">The template, as committed in the store.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when written; <see langword="false"/> when the cache already held this version or a newer one.</returns>
    Task<bool> SetIfNewerAsync(CouponTemplate couponTemplate, CancellationToken cancellationToken);
}
