using System.Collections.Concurrent;

namespace CouponKit.Benefits;

/// <summary>
/// Splits a total over N shares with the double-mean algorithm, reproducibly from a seed.
/// </summary>
/// <remarks>
/// <para>
/// With R minor units left for n shares (R ≥ n), the next share is uniform over whole minor units in [1, min(⌊2R/n⌋, R − (n − 1))];
/// the last share is what is left. So every share is at least one minor unit (the upper bound leaves one for each share still
/// to come), the shares sum exactly to the total, and each drawn share has a mean of about R/n (twice the mean remaining is the
/// cap, hence "double mean"). Early shares are uniform over [1, 2·mean]; later ones vary more, because R drifts.
/// </para>
/// <para>
/// To make the split fair whatever a claimer's place in the queue, the list is then shuffled (Fisher–Yates, with the same
/// generator), so every position has the same distribution: mean total/N, between 1 minor unit and about twice the mean. The
/// list is fixed by (seed, total, N): it is computed once per template and claim i takes share i, where i is the claim's place in
/// the inventory assigned atomically with the stock decrement.
/// </para>
/// </remarks>
public static class SplitRedEnvelope
{
    /// <summary>The algorithm name recorded for splits.</summary>
    public const string Algorithm = DeterministicRandom.Algorithm + ";double-mean+fisher-yates";

    private const int CacheSize = 64;

    private static readonly ConcurrentDictionary<(ulong Seed, long Total, int Count), long[]> Cache = new();

    /// <summary>Computes the shares of a total, in minor units.</summary>
    /// <param name="totalMinorUnits">The total, at least <paramref name="count"/>.</param>
    /// <param name="count">The number of shares, at least 1.</param>
    /// <param name="seed">The seed.</param>
    /// <returns>The shares: <paramref name="count"/> values, each ≥ 1, summing to <paramref name="totalMinorUnits"/>.</returns>
    /// <exception cref="InvalidBenefitException">The total is below one minor unit per share, or the count is out of range.</exception>
    public static long[] Split(long totalMinorUnits, int count, ulong seed)
    {
        if (count is < 1 or > SplitRedEnvelopeBenefit.MaxShares)
        {
            throw new InvalidBenefitException(BenefitError.TooManyShares, "count", $"the share count must be 1 to {SplitRedEnvelopeBenefit.MaxShares}, got {count}.");
        }

        if (totalMinorUnits < count)
        {
            throw new InvalidBenefitException(BenefitError.TotalTooSmall, "total", $"{totalMinorUnits} minor units is too little for {count} shares.");
        }

        var random = new DeterministicRandom(seed);
        var shares = new long[count];
        var left = totalMinorUnits;
        for (var i = 0; i < count - 1; i++)
        {
            long n = count - i;
            var cap = Math.Min(left / n * 2 + (left % n * 2 / n), left - (n - 1)); // ⌊2R/n⌋ without overflowing 2R
            var share = random.NextInclusive(1, Math.Max(cap, 1));
            shares[i] = share;
            left -= share;
        }

        shares[count - 1] = left;
        for (var i = count - 1; i > 0; i--)
        {
            var j = (int)random.NextBelow((ulong)i + 1);
            (shares[i], shares[j]) = (shares[j], shares[i]);
        }

        return shares;
    }

    /// <summary>Gets the shares of an envelope (computed once per benefit instance), in minor units.</summary>
    /// <param name="benefit">The envelope, with its seed.</param>
    /// <param name="count">The number of shares (the template's inventory).</param>
    /// <returns>The shares.</returns>
    internal static IReadOnlyList<long> SharesOf(SplitRedEnvelopeBenefit benefit, int count)
    {
        var seed = benefit.Seed ?? throw new InvalidOperationException("The split red envelope has no seed; it is drawn when the template is created.");
        var key = (seed, benefit.TotalMinorUnits, count);
        if (Cache.TryGetValue(key, out var shares))
        {
            return shares;
        }

        if (Cache.Count >= CacheSize)
        {
            Cache.Clear(); // a few envelopes are live at once; recomputing one is cheap
        }

        return Cache.GetOrAdd(key, k => Split(k.Total, k.Count, k.Seed));
    }

    /// <summary>Gets one share of an envelope.</summary>
    /// <param name="benefit">The envelope, with its seed.</param>
    /// <param name="count">The number of shares (the template's inventory).</param>
    /// <param name="index">The share's index: the claim's place in the inventory, from 0.</param>
    /// <returns>The share.</returns>
    internal static Money ShareAt(SplitRedEnvelopeBenefit benefit, int count, long index)
    {
        var shares = SharesOf(benefit, count);
        if (index < 0 || index >= shares.Count)
        {
            throw new InvalidOperationException($"Share index {index} is outside the envelope's {shares.Count} shares.");
        }

        return Money.FromMinorUnits(shares[(int)index], benefit.Total.Currency);
    }
}
