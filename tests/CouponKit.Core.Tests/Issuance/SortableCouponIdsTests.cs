using CouponKit.Issuance;

namespace CouponKit.Core.Tests.Issuance;

public class SortableCouponIdsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void New_LaterMillisecond_SortsAfterInOrdinalOrder()
    {
        // Invariant: ids of later milliseconds sort after earlier ones, so the indexes keyed by them grow at their right edge.
        var ids = Enumerable.Range(0, 1_000).Select(i => SortableCouponIds.New(T0.AddMilliseconds(i * 7))).ToList();

        Assert.Equal(ids, ids.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void New_SameMillisecond_GivesDistinctIdsShapedLikeGuidN()
    {
        var ids = Enumerable.Range(0, 10_000).Select(_ => SortableCouponIds.New(T0)).ToList();

        Assert.Equal(10_000, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id =>
        {
            Assert.Matches("^[0-9a-f]{32}$", id);
            Assert.Equal('7', id[12]); // version 7
            Assert.Equal(T0.ToUnixTimeMilliseconds(), Convert.ToInt64(id[..12], 16));
            Assert.True(Guid.TryParseExact(id, "N", out _));
        });
    }
}
