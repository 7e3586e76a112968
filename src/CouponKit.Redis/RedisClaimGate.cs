using CouponKit.Ports;
using CouponKit.Redis.Internal;
using CouponKit.Redis.Telemetry;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CouponKit.Redis;

/// <summary>
/// The claim gate in Redis: per template, <c>{prefix}:{templateId}:stock</c> (an integer), <c>:users</c> (a hash of user to
/// coupons held) and <c>:keys</c> (the set of reserved claim keys). Reserve and release are one Lua script each, so they are
/// atomic across every application instance; all keys of a template share a hash tag, so the gate works on Redis Cluster.
/// Every Redis failure throws <see cref="CouponKitRedisException"/>: the claim path fails closed.
/// </summary>
/// <remarks>
/// Cancellation is checked before a command is sent, never while one is in flight: abandoning a reservation that Redis then
/// makes would leak a unit of stock.
/// </remarks>
internal sealed class RedisClaimGate : IClaimGate
{
    private const int HolderBatch = 1000;
    private readonly RedisConnection _connection;
    private readonly RedisScript _reserve;
    private readonly RedisScript _release;
    private readonly bool _fallback;

    public RedisClaimGate(RedisConnection connection, IOptions<RedisCouponKitOptions>? options = null)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
        _fallback = options?.Value.FallbackToDatabase ?? false;
        _reserve = new RedisScript(connection, "reserve");
        _release = new RedisScript(connection, "release");
    }

    /// <summary>Gets how many times a script was loaded again after NOSCRIPT.</summary>
    internal int ScriptReloads => _reserve.Reloads + _release.Reloads;

    public async Task WarmUpAsync(string templateId, int remaining, IReadOnlyDictionary<string, int> holders, CancellationToken cancellationToken)
    {
        CheckId(templateId, nameof(templateId));
        ArgumentOutOfRangeException.ThrowIfNegative(remaining);
        ArgumentNullException.ThrowIfNull(holders);
        var entries = new List<HashEntry>(holders.Count);
        foreach (var (user, held) in holders)
        {
            CheckId(user, nameof(holders));
            if (held > 0)
            {
                entries.Add(new HashEntry(user, held));
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var keys = RedisKeys.Gate(_connection.KeyPrefix, templateId);
        var committed = await _connection.RunAsync("claim-gate.warm-up", async db =>
        {
            // MULTI/EXEC: the keys share a slot, and no reservation sees a half-loaded gate.
            var tx = db.CreateTransaction();
            var writes = new List<Task> { tx.KeyDeleteAsync(keys) };
            for (var i = 0; i < entries.Count; i += HolderBatch)
            {
                writes.Add(tx.HashSetAsync(keys[1], entries.GetRange(i, Math.Min(HolderBatch, entries.Count - i)).ToArray()));
            }

            writes.Add(tx.StringSetAsync(keys[0], remaining));
            var ok = await tx.ExecuteAsync().ConfigureAwait(false);
            if (ok)
            {
                await Task.WhenAll(writes).ConfigureAwait(false);
            }

            return ok;
        }).ConfigureAwait(false);
        if (!committed)
        {
            throw new CouponKitRedisException("claim-gate.warm-up", $"Redis did not commit the warm-up of template '{templateId}'.");
        }

        Log.GateWarmedUp(_connection.Logger, templateId, remaining, entries.Count);
    }

    /// <remarks>
    /// With <see cref="RedisCouponKitOptions.FallbackToDatabase"/>, a Redis failure answers <see cref="ClaimGateStatus.NotWarmedUp"/>
    /// (logged, and counted in <c>couponkit.redis.fallbacks</c>): the claim goes to the database, which decides alone.
    /// </remarks>
    public async Task<ClaimGateDecision> TryReserveAsync(ClaimGateRequest request, CancellationToken cancellationToken)
    {
        Check(request);
        cancellationToken.ThrowIfCancellationRequested();
        RedisResult result;
        try
        {
            result = await _reserve.EvaluateAsync(
                "claim-gate.reserve",
                RedisKeys.Gate(_connection.KeyPrefix, request.TemplateId),
                [request.UserId, request.PerUserLimit, request.ClaimKey]).ConfigureAwait(false);
        }
        catch (CouponKitRedisException ex) when (_fallback)
        {
            Log.GateFallback(_connection.Logger, ex, request.TemplateId);
            RedisMetrics.Shared.Fallback();
            return new ClaimGateDecision(ClaimGateStatus.NotWarmedUp, 0);
        }

        var parts = (RedisResult[]?)result;
        if (parts is not { Length: 2 })
        {
            throw new CouponKitRedisException("claim-gate.reserve", "The reserve script returned an unexpected reply.");
        }

        var status = (int)parts[0] switch
        {
            0 => ClaimGateStatus.Reserved,
            1 => ClaimGateStatus.AlreadyReserved,
            2 => ClaimGateStatus.SoldOut,
            3 => ClaimGateStatus.LimitReached,
            4 => ClaimGateStatus.NotWarmedUp,
            var other => throw new CouponKitRedisException("claim-gate.reserve", $"The reserve script returned the unknown status {other}."),
        };
        var decision = new ClaimGateDecision(status, (int)parts[1]);
        Log.GateDecision(_connection.Logger, request.TemplateId, status.ToString(), decision.Remaining);
        return decision;
    }

    public async Task ReleaseAsync(ClaimGateRequest request, CancellationToken cancellationToken)
    {
        Check(request);
        cancellationToken.ThrowIfCancellationRequested();
        await _release.EvaluateAsync(
            "claim-gate.release",
            RedisKeys.Gate(_connection.KeyPrefix, request.TemplateId),
            [request.UserId, request.ClaimKey]).ConfigureAwait(false);
    }

    private static void Check(ClaimGateRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckId(request.TemplateId, nameof(request.TemplateId));
        CheckId(request.UserId, nameof(request.UserId));
        ArgumentException.ThrowIfNullOrEmpty(request.ClaimKey, nameof(request.ClaimKey));
        ArgumentOutOfRangeException.ThrowIfNegative(request.PerUserLimit, nameof(request.PerUserLimit));
    }

    private static void CheckId(string? value, string name)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        if (string.IsNullOrWhiteSpace(value) || value.Length > 128)
        {
            throw new ArgumentException($"{name} must be 1 to 128 characters and not blank.", name);
        }
    }
}
