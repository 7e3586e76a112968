using StackExchange.Redis;

namespace CouponKit.Redis.Internal;

/// <summary>
/// Key names. A template's keys share the hash tag <c>{templateId}</c>, so they live in one slot of a Redis Cluster and one
/// script or transaction may touch them all.
/// </summary>
internal static class RedisKeys
{
    public static RedisKey[] Gate(string prefix, string templateId)
    {
        var tagged = $"{prefix}:{{{templateId}}}:";
        return [tagged + "stock", tagged + "users", tagged + "keys"];
    }

    public static RedisKey RateLimit(string prefix, string key) => $"{prefix}:ratelimit:{key}";

    /// <summary>The cached template (hash: <c>v</c> version, <c>d</c> JSON), in the template's slot.</summary>
    public static RedisKey Template(string prefix, string templateId) => $"{prefix}:{{{templateId}}}:template";

    /// <summary>The claim keys of a template still pending in the gated flow (a set), in the template's slot.</summary>
    public static RedisKey Pending(string prefix, string templateId) => $"{prefix}:{{{templateId}}}:pending";

    /// <summary>A claim the gate accepted (hash), found by its key alone.</summary>
    public static RedisKey Claim(string prefix, string claimKey) => $"{prefix}:claim:{claimKey}";
}
