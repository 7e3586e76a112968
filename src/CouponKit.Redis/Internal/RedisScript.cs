using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using CouponKit.Redis.Telemetry;
using StackExchange.Redis;

namespace CouponKit.Redis.Internal;

/// <summary>
/// A Lua script of the adapter: loaded with SCRIPT LOAD on first use, run with EVALSHA, and loaded again (on every primary) when the server answers NOSCRIPT (a restart, a fail-over or SCRIPT FLUSH).
/// </summary>
internal sealed class RedisScript
{
    private readonly RedisConnection _connection;
    private volatile bool _loaded;
    private int _reloads;

    public RedisScript(RedisConnection connection, string name)
    {
        _connection = connection;
        Name = name;
        Text = ReadText(name);
#pragma warning disable CA5350 // SHA-1 is what Redis names scripts by; not used for security.
        Hash = SHA1.HashData(Encoding.UTF8.GetBytes(Text));
#pragma warning restore CA5350
    }

    public string Name { get; }

    public string Text { get; }

    public byte[] Hash { get; }

    /// <summary>Gets how many times NOSCRIPT made the script load again.</summary>
    public int Reloads => Volatile.Read(ref _reloads);

    public Task<RedisResult> EvaluateAsync(string operation, RedisKey[] keys, RedisValue[] values) =>
        _connection.RunAsync(operation, async db =>
        {
            if (!_loaded)
            {
                await LoadAsync(operation).ConfigureAwait(false);
            }

            try
            {
                return await db.ScriptEvaluateAsync(Hash, keys, values).ConfigureAwait(false);
            }
            catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _reloads);
                Log.ScriptReloaded(_connection.Logger, Name);
                await LoadAsync(operation).ConfigureAwait(false);
                return await db.ScriptEvaluateAsync(Hash, keys, values).ConfigureAwait(false);
            }
        });

    /// <summary>SCRIPT LOAD on every connected primary (one in stand-alone Redis, each shard's in a cluster).</summary>
    private async Task LoadAsync(string operation)
    {
        var primaries = _connection.Multiplexer.GetServers().Where(s => s.IsConnected && !s.IsReplica).ToArray();
        if (primaries.Length == 0)
        {
            throw new CouponKitRedisException(operation, $"No connected Redis primary to load script {Name} into: is Redis up?");
        }

        var hashes = await Task.WhenAll(primaries.Select(s => s.ScriptLoadAsync(Text))).ConfigureAwait(false);
        if (hashes.Any(h => !h.AsSpan().SequenceEqual(Hash)))
        {
            throw new CouponKitRedisException(operation, $"Redis returned an unexpected SHA-1 for script {Name}.");
        }

        _loaded = true;
    }

    private static string ReadText(string name)
    {
        var resource = $"CouponKit.Redis.Scripts.{name}.lua";
        using var stream = typeof(RedisScript).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The embedded script {resource} is missing.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
    }
}
