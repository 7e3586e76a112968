using CouponKit.Scheduling;

namespace CouponKit.Core.Tests.Scheduling;

public class DelayLevelsTests
{
    public static TheoryData<int, TimeSpan> Levels => new()
    {
        { 1, TimeSpan.FromSeconds(1) }, { 2, TimeSpan.FromSeconds(5) }, { 3, TimeSpan.FromSeconds(10) }, { 4, TimeSpan.FromSeconds(30) },
        { 5, TimeSpan.FromMinutes(1) }, { 6, TimeSpan.FromMinutes(2) }, { 7, TimeSpan.FromMinutes(3) }, { 8, TimeSpan.FromMinutes(4) },
        { 9, TimeSpan.FromMinutes(5) }, { 10, TimeSpan.FromMinutes(6) }, { 11, TimeSpan.FromMinutes(7) }, { 12, TimeSpan.FromMinutes(8) },
        { 13, TimeSpan.FromMinutes(9) }, { 14, TimeSpan.FromMinutes(10) }, { 15, TimeSpan.FromMinutes(20) }, { 16, TimeSpan.FromMinutes(30) },
        { 17, TimeSpan.FromHours(1) }, { 18, TimeSpan.FromHours(2) },
    };

    [Theory]
    [MemberData(nameof(Levels))]
    public void DeliveryTime_EachClassicLevel_MapsToItsDelay(int level, TimeSpan delay)
    {
        Assert.Equal(delay, DelayLevels.DelayOf(level));
        Assert.Equal(Shop.Now + delay, DelayLevels.DeliveryTime(level, Shop.Now));
        Assert.Equal(Shop.Now + delay, DelayLevels.Resolve(Delivery.AtLevel(level), Shop.Now));
        Assert.True(DelayLevels.TryGetLevel(delay, out var found));
        Assert.Equal(level, found);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(19)]
    [InlineData(-1)]
    public void DelayOf_LevelOutsideOneToEighteen_Throws(int level)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DelayLevels.DelayOf(level));
        Assert.Throws<ArgumentOutOfRangeException>(() => Delivery.AtLevel(level));
    }

    [Fact]
    public void Resolve_OtherDelaysAndTimes_AreExactTimestamps()
    {
        Assert.Equal(DelayLevels.Count, DelayLevels.All.Count);
        Assert.False(DelayLevels.TryGetLevel(TimeSpan.FromSeconds(7), out _));
        Assert.Equal(Shop.Now.AddSeconds(7), DelayLevels.Resolve(Delivery.After(TimeSpan.FromSeconds(7)), Shop.Now));
        Assert.Equal(Shop.Now.AddMilliseconds(1234), DelayLevels.Resolve(Delivery.AtTime(Shop.Now.AddMilliseconds(1234)), Shop.Now));
        Assert.Equal(Shop.Now, DelayLevels.Resolve(Delivery.AtTime(Shop.Now), Shop.Now));
    }
}
