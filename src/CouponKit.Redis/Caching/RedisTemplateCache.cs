using System.Text.Json;
using System.Text.Json.Serialization;
using CouponKit.Caching;
using CouponKit.Issuance;
using CouponKit.Redis.Internal;
using CouponKit.Redis.Telemetry;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CouponKit.Redis.Caching;

/// <summary>
/// The template cache in Redis, shared by every instance: one hash per template, <c>{prefix}:{templateId}:template</c>
/// (<c>v</c> = version, <c>d</c> = the template as JSON), written only by the compare-and-set script <c>cache-set.lua</c>, so
/// an entry never moves to an older version. Entries expire <see cref="RedisCouponKitOptions.TemplateCacheExpiry"/> after
/// they were written (a safety net; the <see cref="TemplateCacheConsumer"/> keeps them current). Redis failures throw
/// <see cref="CouponKitRedisException"/>; readers then go to the store. An entry that cannot be read back (written by another
/// version of CouponKit) is a miss. The JSON of a template's definition is the EF Core store's format
/// (<see cref="TemplateDefinitionJson"/>), benefits included.
/// </summary>
internal sealed class RedisTemplateCache : ITemplateCache
{
    private static readonly RedisValue[] Fields = ["v", "d"];
    private readonly RedisConnection _connection;
    private readonly RedisScript _set;
    private readonly long _expiryMillis;

    public RedisTemplateCache(RedisConnection connection, IOptions<RedisCouponKitOptions> options)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
        _expiryMillis = (long)(options ?? throw new ArgumentNullException(nameof(options))).Value.TemplateCacheExpiry.TotalMilliseconds;
        _set = new RedisScript(connection, "cache-set");
    }

    public async Task<CouponTemplate?> GetAsync(string templateId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(templateId);
        cancellationToken.ThrowIfCancellationRequested();
        var values = await _connection.RunAsync("template-cache.get", db => db.HashGetAsync(RedisKeys.Template(_connection.KeyPrefix, templateId), Fields)).ConfigureAwait(false);
        if (values.Length != 2 || values[1].IsNull)
        {
            return null;
        }

        try
        {
            return Read(templateId, (string)values[1]!);
        }
        catch (Exception ex) when (ex is InvalidDataException or JsonException or CouponKitException)
        {
            Log.CachedTemplateUnreadable(_connection.Logger, ex, templateId);
            return null;
        }
    }

    public async Task<bool> SetIfNewerAsync(CouponTemplate couponTemplate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(couponTemplate);
        cancellationToken.ThrowIfCancellationRequested();
        var json = Write(couponTemplate);
        var written = await _set.EvaluateAsync(
            "template-cache.set",
            [RedisKeys.Template(_connection.KeyPrefix, couponTemplate.Id)],
            [couponTemplate.Version, json, _expiryMillis]).ConfigureAwait(false);
        return (int)written == 1;
    }

    internal static string Write(CouponTemplate template) => JsonSerializer.Serialize(
        new CachedTemplate(template.Id, (int)template.State, template.Version, template.CreatedAt, template.UpdatedAt, TemplateDefinitionJson.Serialize(template.ToDraft())),
        CachedTemplateJsonContext.Default.CachedTemplate);

    internal static CouponTemplate Read(string templateId, string json)
    {
        var entry = JsonSerializer.Deserialize(json, CachedTemplateJsonContext.Default.CachedTemplate)
            ?? throw new InvalidDataException($"The cached template '{templateId}' is empty.");
        if (!string.Equals(entry.Id, templateId, StringComparison.Ordinal) || !Enum.IsDefined((TemplateState)entry.State) || entry.Definition is null)
        {
            throw new InvalidDataException($"The cached template '{templateId}' is not valid.");
        }

        return CouponTemplate.Restore(templateId, TemplateDefinitionJson.Deserialize(templateId, entry.Definition), (TemplateState)entry.State, entry.Version, entry.CreatedAt, entry.UpdatedAt);
    }
}

/// <summary>A cached template: what the definition does not hold, and the definition's JSON.</summary>
internal sealed record CachedTemplate(string Id, int State, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string? Definition);

/// <summary>Source-generated JSON for <see cref="CachedTemplate"/>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(CachedTemplate))]
internal sealed partial class CachedTemplateJsonContext : JsonSerializerContext
{
}
