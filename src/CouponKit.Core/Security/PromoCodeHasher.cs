using System.Security.Cryptography;
using System.Text;

namespace CouponKit.Security;

/// <summary>
/// Hashes canonical promo codes for the store: <c>{keyId}:{HEX}</c>, the upper-case hexadecimal HMAC-SHA256 of the code's ASCII
/// characters under the key <c>keyId</c>; or, without keys, the bare upper-case hexadecimal SHA-256 (legacy).
/// </summary>
internal sealed class PromoCodeHasher
{
    private readonly (string Id, byte[] Key)[] _keys;
    private readonly bool _acceptUnkeyed;

    public PromoCodeHasher(PromoCodeHashingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var keys = new List<(string Id, byte[] Key)>();
        if (options.CurrentKeyId is { } current && options.Keys.TryGetValue(current, out var currentKey) && PromoCodeHashingOptions.TryDecode(currentKey, out var bytes))
        {
            keys.Add((current, bytes));
        }

        foreach (var (id, key) in options.Keys.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            if (!string.Equals(id, options.CurrentKeyId, StringComparison.Ordinal) && PromoCodeHashingOptions.TryDecode(key, out var previous))
            {
                keys.Add((id, previous));
            }
        }

        _keys = [.. keys];
        _acceptUnkeyed = options.AcceptUnkeyedHashes || _keys.Length == 0;
    }

    /// <summary>Gets a value indicating whether codes are hashed without a key (no key configured).</summary>
    public bool IsUnkeyed => _keys.Length == 0;

    /// <summary>The hash new codes are stored under: the current key's, or the unkeyed one without keys.</summary>
    public string Hash(string canonicalCode) => _keys.Length > 0 ? Keyed(_keys[0].Id, _keys[0].Key, canonicalCode) : Unkeyed(canonicalCode);

    /// <summary>The hashes a stored code may have, in the order to look them up: current key, previous keys, then unkeyed.</summary>
    public IEnumerable<string> Candidates(string canonicalCode)
    {
        foreach (var (id, key) in _keys)
        {
            yield return Keyed(id, key, canonicalCode);
        }

        if (_acceptUnkeyed)
        {
            yield return Unkeyed(canonicalCode);
        }
    }

    /// <summary>
    /// Whether <paramref name="storedHash"/> is the hash of <paramref name="canonicalCode"/> under one of the keys, compared
    /// in constant time (<see cref="CryptographicOperations.FixedTimeEquals"/>), so that the time taken tells nothing about
    /// how much of it matched.
    /// </summary>
    public bool Verify(string canonicalCode, string storedHash)
    {
        ArgumentNullException.ThrowIfNull(storedHash);
        var matched = false;
        foreach (var candidate in Candidates(canonicalCode))
        {
            // Compare every candidate (no early exit), each in constant time for its length.
            matched |= CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(candidate), Encoding.ASCII.GetBytes(storedHash));
        }

        return matched;
    }

    /// <summary>A claim key for a redemption of the stored code: at most 192 characters for a user id of at most 128.</summary>
    public static string ClaimKey(string storedHash, string userId)
    {
        var colon = storedHash.IndexOf(':', StringComparison.Ordinal);
        return colon < 0
            ? "promo:" + storedHash + ":" + userId // legacy: kept as it was, so earlier redemptions replay
            : "promo:" + storedHash[..(colon + 1)] + storedHash.Substring(colon + 1, 40) + ":" + userId;
    }

    private static string Keyed(string id, byte[] key, string canonicalCode)
    {
        Span<byte> bytes = stackalloc byte[Codes.PromoCode.MaxLength];
        var length = Encoding.ASCII.GetBytes(canonicalCode, bytes);
        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, bytes[..length], hash);
        return id + ":" + Convert.ToHexString(hash);
    }

    private static string Unkeyed(string canonicalCode)
    {
        Span<byte> bytes = stackalloc byte[Codes.PromoCode.MaxLength];
        var length = Encoding.ASCII.GetBytes(canonicalCode, bytes);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(bytes[..length], hash);
        return Convert.ToHexString(hash);
    }
}
