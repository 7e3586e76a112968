using CouponKit.Benefits;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CouponKit.Core.Tests.Benefits;

/// <summary>Invariants of split red envelopes and lucky draws, and the fit of weighted draws to their weights.</summary>
public class BenefitProperties
{
    /// <summary>Gets an allowed (total, count, seed): 1 to 2,000 shares (sometimes the maximum), a total from one unit per share to 10^15.</summary>
    private static Gen<(long Total, int Count, ulong Seed)> Envelope { get; } =
        from count in Gen.Frequency((20, Gen.Choose(1, 2_000)), (1, Gen.Constant(SplitRedEnvelopeBenefit.MaxShares)))
        from extra in Gen.Frequency(
            (3, Gen.Choose(0, 10).Select(x => (long)x)),
            (3, Gen.Choose(0, 1_000_000).Select(x => (long)x)),
            (2, Gen.Choose(0, int.MaxValue).SelectMany(_ => Gen.Choose(0, 465_661), (a, b) => ((long)a * b) % 1_000_000_000_000_000L)))
        from seed in ArbMap.Default.GeneratorFor<ulong>()
        select (count + extra, count, seed);

    private static Gen<(long Min, long Max, ulong Seed)> Range { get; } =
        from min in Gen.Choose(1, 10_000_000)
        from span in Gen.Frequency((1, Gen.Constant(0)), (5, Gen.Choose(0, 100_000_000)))
        from seed in ArbMap.Default.GeneratorFor<ulong>()
        select ((long)min, (long)min + span, seed);

    // A split red envelope always gives exactly `count` shares, each at least one minor unit, summing exactly to its total,
    // for every total and count allowed (total ≥ count, count ≤ MaxShares); and the same seed gives the same split.
    [Property(MaxTest = 200)]
    public Property Split_AnyAllowedTotalAndCount_SharesAreAtLeastOneUnitAndSumExactly() =>
        Prop.ForAll(Envelope.ToArbitrary(), e =>
        {
            var shares = SplitRedEnvelope.Split(e.Total, e.Count, e.Seed);
            Assert.Equal(e.Count, shares.Length);
            Assert.All(shares, s => Assert.True(s >= 1, $"share {s} below one minor unit"));
            Assert.Equal(e.Total, shares.Sum());
            Assert.Equal(shares, SplitRedEnvelope.Split(e.Total, e.Count, e.Seed));
        });

    // A uniform lucky draw always lies inside [min, max], is a whole number of minor units, and replays from its seed.
    [Property(MaxTest = 1000)]
    public Property Uniform_AnyRangeAndSeed_StaysInsideTheRange() =>
        Prop.ForAll(Range.ToArbitrary(), r =>
        {
            var draw = LuckyDraw.Uniform(Money.FromMinorUnits(r.Min, Currency.CNY), Money.FromMinorUnits(r.Max, Currency.CNY));
            var drawn = LuckyDraws.Draw(draw, r.Seed);
            Assert.InRange(drawn.Value.ToMinorUnits(), r.Min, r.Max);
            Assert.True(LuckyDraws.Replay(draw, drawn));
        });

    // A weighted draw only ever gives a prize of positive weight.
    [Property(MaxTest = 500)]
    public Property Weighted_AnyTable_DrawsOnlyPrizesWithWeight() =>
        Prop.ForAll(
            Gen.Choose(1, 8).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 5), n)).Where(w => w.Sum() > 0).ToArbitrary(),
            ArbMap.Default.ArbFor<ulong>(),
            (weights, seed) =>
            {
                var table = LuckyDraw.Weighted(weights.Select((w, i) => new WeightedPrize(Shop.Cny(i + 1), w)).ToArray());
                var drawn = LuckyDraws.Draw(table, seed);
                Assert.True(weights[drawn.PrizeIndex!.Value] > 0);
                Assert.Equal(table.Prizes[drawn.PrizeIndex.Value].Value, drawn.Value);
            });

    // 100,000 draws seeded 0..99,999 fit the configured weights: Pearson's chi-square is below the 0.999 quantile of its
    // distribution (so a correct generator passes; the seeds are fixed, so the test is deterministic).
    [Theory]
    [InlineData(new long[] { 1, 20, 79 }, 13.816)]
    [InlineData(new long[] { 5, 10, 25, 60 }, 16.266)]
    [InlineData(new long[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 }, 27.877)]
    public void Weighted_100000SeededDraws_MatchTheWeightsByChiSquare(long[] weights, double critical)
    {
        var table = LuckyDraw.Weighted(weights.Select((w, i) => new WeightedPrize(Shop.Cny(i + 1), w)).ToArray());
        var counts = new long[weights.Length];
        for (ulong seed = 0; seed < 100_000; seed++)
        {
            counts[LuckyDraws.Draw(table, seed).PrizeIndex!.Value]++;
        }

        var chi = ChiSquare(counts, weights);
        Assert.True(chi < critical, $"chi-square {chi:F2} ≥ {critical} for counts [{string.Join(", ", counts)}]");

        // The same counts against a slightly different table are rejected: the test can tell.
        var skewed = weights.Select((w, i) => i == 0 ? w * 2 : w).ToArray();
        Assert.True(ChiSquare(counts, skewed) > critical);
    }

    // The 100,000 draws of a uniform range fall evenly over ten ranges (chi-square below the 0.999 quantile with 9 degrees).
    [Fact]
    public void Uniform_100000SeededDraws_AreEvenOverTheRange()
    {
        var draw = LuckyDraw.Uniform(Shop.Cny(3m), Shop.Cny(20m));
        var counts = new long[10];
        for (ulong seed = 0; seed < 100_000; seed++)
        {
            var units = LuckyDraws.Draw(draw, seed).Value.ToMinorUnits() - 300;
            counts[units * 10 / 1701]++;
        }

        var expected = Enumerable.Range(0, 10).Select(i => ((i + 1) * 1701 / 10) - (i * 1701 / 10)).Select(w => (long)w).ToArray();
        Assert.True(ChiSquare(counts, expected) < 27.877, string.Join(", ", counts));
    }

    private static double ChiSquare(long[] counts, long[] weights)
    {
        var n = (double)counts.Sum();
        var total = (double)weights.Sum();
        return counts.Select((c, i) => (c - (n * weights[i] / total)) * (c - (n * weights[i] / total)) / (n * weights[i] / total)).Sum();
    }
}
