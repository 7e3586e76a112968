using CouponKit.Benefits;

namespace CouponKit.Core.Tests.Benefits;

public class DeterministicRandomTests
{
    [Fact]
    public void SplitMix64_SeedZero_GivesTheReferenceOutputs()
    {
        // Reference outputs of Vigna's splitmix64.c for the seed 0.
        ulong state = 0;
        Assert.Equal(0xE220A8397B1DCDAFUL, DeterministicRandom.NextSplitMix64(ref state));
        Assert.Equal(0x6E789E6AA1B965F4UL, DeterministicRandom.NextSplitMix64(ref state));
        Assert.Equal(0x06C45D188009454FUL, DeterministicRandom.NextSplitMix64(ref state));
    }

    [Fact]
    public void Xoshiro256StarStar_State1234_GivesTheReferenceOutputs()
    {
        // Reference outputs of Blackman and Vigna's xoshiro256starstar.c from the state {1, 2, 3, 4}.
        var random = DeterministicRandom.FromState(1, 2, 3, 4);
        Assert.Equal(11520UL, random.NextUInt64());
        Assert.Equal(0UL, random.NextUInt64());
        Assert.Equal(1509978240UL, random.NextUInt64());
        Assert.Equal(1215971899390074240UL, random.NextUInt64());
    }

    [Fact]
    public void NextBelow_SmallBound_CoversEveryValueAndNothingElse()
    {
        var random = new DeterministicRandom(7);
        var seen = new int[7];
        for (var i = 0; i < 7_000; i++)
        {
            seen[random.NextBelow(7)]++;
        }

        Assert.All(seen, count => Assert.InRange(count, 800, 1_200));
        Assert.Throws<ArgumentOutOfRangeException>(() => random.NextBelow(0));
    }

    [Fact]
    public void NewSeed_TwoCalls_Differ()
    {
        Assert.NotEqual(DeterministicRandom.NewSeed(), DeterministicRandom.NewSeed());
    }
}
