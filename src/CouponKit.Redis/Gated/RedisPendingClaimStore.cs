using System.Globalization;
using CouponKit.Issuance;
using CouponKit.Issuance.Gated;
using CouponKit.Redis.Internal;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CouponKit.Redis.Gated;

/// <summary>
/// The pending claims of the gated flow in Redis, shared by every instance: one hash per claim,
/// <c>{prefix}:claim:{claimKey}</c> (expiring <see cref="RedisCouponKitOptions.PendingClaimRetention"/> after the claim was
/// accepted), and per template the set of claim keys still pending, <c>{prefix}:{templateId}:pending</c>. Adding and
/// settling are Lua scripts (add once; settle only from Pending). Redis failures throw <see cref="CouponKitRedisException"/>.
/// </summary>
internal sealed class RedisPendingClaimStore : IPendingClaimStore
{
    private const int Batch = 500;
    private readonly RedisConnection _connection;
    private readonly RedisScript _add;
    private readonly RedisScript _settle;
    private readonly long _retentionMillis;

    public RedisPendingClaimStore(RedisConnection connection, IOptions<RedisCouponKitOptions> options)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
        _retentionMillis = (long)(options ?? throw new ArgumentNullException(nameof(options))).Value.PendingClaimRetention.TotalMilliseconds;
        _add = new RedisScript(connection, "claim-add");
        _settle = new RedisScript(connection, "settle");
    }

    public async Task AddAsync(PendingClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentException.ThrowIfNullOrWhiteSpace(claim.ClaimKey);
        cancellationToken.ThrowIfCancellationRequested();
        var prefix = _connection.KeyPrefix;
        await _add.EvaluateAsync(
            "pending-claims.add",
            [RedisKeys.Claim(prefix, claim.ClaimKey)],
            [claim.TemplateId, claim.UserId, claim.PerUserLimit, (int)claim.Channel, claim.AcceptedAt.ToUnixTimeMilliseconds(), _retentionMillis]).ConfigureAwait(false);
        await _connection.RunAsync("pending-claims.add", db => db.SetAddAsync(RedisKeys.Pending(prefix, claim.TemplateId), claim.ClaimKey)).ConfigureAwait(false);
    }

    public async Task<PendingClaim?> FindAsync(string claimKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(claimKey);
        cancellationToken.ThrowIfCancellationRequested();
        var fields = await _connection.RunAsync("pending-claims.find", db => db.HashGetAllAsync(RedisKeys.Claim(_connection.KeyPrefix, claimKey))).ConfigureAwait(false);
        return Parse(claimKey, fields);
    }

    public async Task<bool> TrySettleAsync(string claimKey, PendingClaimState state, ClaimRejection? rejection, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(claimKey);
        if (state == PendingClaimState.Pending || !Enum.IsDefined(state))
        {
            throw new ArgumentOutOfRangeException(nameof(state), state, "A claim settles as Issued, Rejected or Failed.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var prefix = _connection.KeyPrefix;
        var reply = (RedisResult[]?)await _settle.EvaluateAsync(
            "pending-claims.settle",
            [RedisKeys.Claim(prefix, claimKey)],
            [state.ToString(), rejection?.ToString() ?? string.Empty]).ConfigureAwait(false);
        if (reply is not { Length: 2 } || (int)reply[0] != 1)
        {
            return false;
        }

        var templateId = (string)reply[1]!;
        await _connection.RunAsync("pending-claims.settle", db => db.SetRemoveAsync(RedisKeys.Pending(prefix, templateId), claimKey)).ConfigureAwait(false);
        return true;
    }

    public async Task<IReadOnlyList<PendingClaim>> ListPendingAsync(string templateId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(templateId);
        cancellationToken.ThrowIfCancellationRequested();
        var prefix = _connection.KeyPrefix;
        var index = RedisKeys.Pending(prefix, templateId);
        var keys = await _connection.RunAsync("pending-claims.list", db => db.SetMembersAsync(index)).ConfigureAwait(false);
        var pending = new List<PendingClaim>();
        var stale = new List<RedisValue>();
        for (var i = 0; i < keys.Length; i += Batch)
        {
            var chunk = keys.AsMemory(i, Math.Min(Batch, keys.Length - i)).ToArray();
            var all = await _connection.RunAsync("pending-claims.list", db => Task.WhenAll(chunk.Select(k => db.HashGetAllAsync(RedisKeys.Claim(prefix, (string)k!))))).ConfigureAwait(false);
            for (var j = 0; j < chunk.Length; j++)
            {
                if (Parse((string)chunk[j]!, all[j]) is { State: PendingClaimState.Pending } claim)
                {
                    pending.Add(claim);
                }
                else
                {
                    stale.Add(chunk[j]);
                }
            }
        }

        if (stale.Count > 0)
        {
            await _connection.RunAsync("pending-claims.list", db => db.SetRemoveAsync(index, stale.ToArray())).ConfigureAwait(false);
        }

        return pending;
    }

    private static PendingClaim? Parse(string claimKey, HashEntry[] fields)
    {
        if (fields.Length == 0)
        {
            return null;
        }

        var map = fields.ToDictionary(f => (string)f.Name!, f => (string?)f.Value, StringComparer.Ordinal);
        string Get(string name) => map.GetValueOrDefault(name) ?? string.Empty;
        var state = Enum.TryParse<PendingClaimState>(Get("s"), out var s) ? s : PendingClaimState.Failed;
        ClaimRejection? rejection = Enum.TryParse<ClaimRejection>(Get("r"), out var r) ? r : null;
        return new PendingClaim(
            claimKey,
            Get("t"),
            Get("u"),
            int.TryParse(Get("l"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var limit) ? limit : 1,
            int.TryParse(Get("c"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var channel) ? (ClaimChannels)channel : ClaimChannels.Grab,
            DateTimeOffset.FromUnixTimeMilliseconds(long.TryParse(Get("a"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var at) ? at : 0),
            state,
            rejection);
    }
}
