namespace CouponKit.Benefits;

/// <summary>
/// Draws lucky coupon face values, reproducibly. A draw takes a 64-bit seed (from the CSPRNG at claim time), expands it with
/// <c>xoshiro256**</c> seeded by <c>SplitMix64</c>, and uses it once:
/// <list type="bullet">
/// <item><b>uniform</b>: min + an unbiased integer in [0, max − min] minor units (rejection sampling, no modulo bias);</item>
/// <item><b>weighted</b>: an unbiased integer r in [0, total weight); the prize is the first whose running weight sum exceeds r,
/// so prize i is drawn with probability weight(i) / total weight exactly.</item>
/// </list>
/// The same seed and definition always give the same value (<see cref="Replay"/>).
/// </summary>
public static class LuckyDraws
{
    /// <summary>The algorithm name recorded for uniform draws.</summary>
    public const string UniformAlgorithm = DeterministicRandom.Algorithm + ";uniform";

    /// <summary>The algorithm name recorded for weighted draws.</summary>
    public const string WeightedAlgorithm = DeterministicRandom.Algorithm + ";weighted";

    /// <summary>Draws a value from a seed.</summary>
    /// <param name="draw">The definition.</param>
    /// <param name="seed">The seed.</param>
    /// <returns>The draw, with its seed.</returns>
    public static BenefitDraw Draw(LuckyDraw draw, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(draw);
        var random = new DeterministicRandom(seed);
        switch (draw)
        {
            case UniformDraw uniform:
            {
                var units = random.NextInclusive(uniform.MinMinorUnits, uniform.MaxMinorUnits);
                return new BenefitDraw(UniformAlgorithm, seed, Money.FromMinorUnits(units, uniform.Currency), null);
            }

            case WeightedDraw weighted:
            {
                var r = (long)random.NextBelow((ulong)weighted.TotalWeight);
                var index = 0;
                long running = 0;
                for (; index < weighted.Prizes.Count; index++)
                {
                    running += weighted.Prizes[index].Weight;
                    if (r < running)
                    {
                        break;
                    }
                }

                return new BenefitDraw(WeightedAlgorithm, seed, weighted.Prizes[index].Value, index);
            }

            default:
                throw new InvalidBenefitException(BenefitError.Missing, "draw", $"unknown draw {draw.GetType().Name}.");
        }
    }

    /// <summary>Draws a value with a fresh seed from the operating system's CSPRNG.</summary>
    /// <param name="draw">The definition.</param>
    /// <returns>The draw, with its seed.</returns>
    public static BenefitDraw Draw(LuckyDraw draw) => Draw(draw, DeterministicRandom.NewSeed());

    /// <summary>Replays a recorded draw and tells whether it gives the recorded value (an audit check).</summary>
    /// <param name="draw">The definition the draw was made from.</param>
    /// <param name="recorded">The recorded draw.</param>
    /// <returns><see langword="true"/> when replaying the seed gives the recorded algorithm, value and prize.</returns>
    public static bool Replay(LuckyDraw draw, BenefitDraw recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        return Draw(draw, recorded.Seed) == recorded;
    }
}
