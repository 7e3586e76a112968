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
}
