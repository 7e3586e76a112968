using System.Security.Cryptography;

namespace CouponKit.Benefits;

/// <summary>
/// A small, seeded pseudo-random generator for draws that must be replayed for audit: xoshiro256** (Blackman and Vigna, 2018)
/// whose 256-bit state is expanded from one 64-bit seed by SplitMix64, as its authors recommend. The same seed gives the same
/// sequence on every platform and runtime, forever: the algorithm is fixed by <see cref="Algorithm"/> and never changes under
/// that name. Seeds come from <see cref="NewSeed"/> (the operating system's CSPRNG), so draws cannot be predicted in advance;
/// the generator itself is not cryptographic and is only used to expand a recorded seed into a reproducible draw.
/// </summary>
internal sealed class DeterministicRandom
{
    /// <summary>The name recorded with every draw; a different generator would get a different name.</summary>
    public const string Algorithm = "xoshiro256**/splitmix64";

    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    public DeterministicRandom(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    private DeterministicRandom(ulong s0, ulong s1, ulong s2, ulong s3)
    {
        (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);
    }

    /// <summary>Creates a generator from a raw state (for checking the reference test vectors).</summary>
    internal static DeterministicRandom FromState(ulong s0, ulong s1, ulong s2, ulong s3) => new(s0, s1, s2, s3);

    /// <summary>Advances a SplitMix64 state and returns its next output (exposed for the reference test vectors).</summary>
    internal static ulong NextSplitMix64(ref ulong state) => SplitMix64(ref state);

    /// <summary>Draws a fresh 64-bit seed from the operating system's cryptographic random number generator.</summary>
    /// <returns>The seed.</returns>
    public static ulong NewSeed()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return BitConverter.ToUInt64(bytes);
    }

    /// <summary>Returns the next 64 random bits.</summary>
    /// <returns>The bits.</returns>
    public ulong NextUInt64()
    {
        var result = RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Returns a uniform integer in [0, <paramref name="bound"/>), without modulo bias (rejection sampling).</summary>
    /// <param name="bound">The exclusive upper bound, at least 1.</param>
    /// <returns>The integer.</returns>
    public ulong NextBelow(ulong bound)
    {
        ArgumentOutOfRangeException.ThrowIfZero(bound);
        var threshold = (0UL - bound) % bound; // 2^64 mod bound: the values below it would bias the result
        while (true)
        {
            var x = NextUInt64();
            if (x >= threshold)
            {
                return x % bound;
            }
        }
    }

    /// <summary>Returns a uniform integer in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    /// <param name="min">The lower bound.</param>
    /// <param name="max">The upper bound, at least <paramref name="min"/>.</param>
    /// <returns>The integer.</returns>
    public long NextInclusive(long min, long max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, min);
        var span = (ulong)(max - min) + 1; // never 0: the spans used here are far below 2^64
        return min + (long)NextBelow(span);
    }

    private static ulong SplitMix64(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        var z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
