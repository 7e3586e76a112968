using CouponKit.Issuance;

namespace CouponKit.Caching;

/// <summary>
/// The default <see cref="ITemplateCache"/> of <c>AddCouponKit()</c>: caches nothing, so every read goes to the store (correct
/// with any number of instances). <c>UseRedis</c> replaces it with a shared cache; register <see cref="InMemoryTemplateCache"/>
/// yourself for a single process. The <see cref="TemplateCacheConsumer"/> does not subscribe while this one is in place.
/// </summary>
internal sealed class PassThroughTemplateCache : ITemplateCache
{
    public Task<CouponTemplate?> GetAsync(string templateId, CancellationToken cancellationToken) => Task.FromResult<CouponTemplate?>(null);

    public Task<bool> SetIfNewerAsync(CouponTemplate couponTemplate, CancellationToken cancellationToken) => Task.FromResult(false);
}
