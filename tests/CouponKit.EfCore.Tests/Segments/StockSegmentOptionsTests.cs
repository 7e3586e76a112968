namespace CouponKit.EfCore.Tests.Segments;

/// <summary><see cref="EfCoreCouponKitOptions.StockSegments"/> is 1 by default and must be 1 to 1,024.</summary>
public sealed class StockSegmentOptionsTests
{
    [Fact]
    public void StockSegments_Default_IsOneRow() => Assert.Equal(1, new EfCoreCouponKitOptions().StockSegments);

    [Theory]
    [InlineData(1, true)]
    [InlineData(16, true)]
    [InlineData(1_024, true)]
    [InlineData(0, false)]
    [InlineData(-1, false)]
    [InlineData(1_025, false)]
    public void Validate_StockSegments_AcceptsOneTo1024(int segments, bool valid)
    {
        var result = new EfCoreCouponKitOptionsValidator().Validate(null, new EfCoreCouponKitOptions { StockSegments = segments });

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains(nameof(EfCoreCouponKitOptions.StockSegments), result.FailureMessage, StringComparison.Ordinal);
        }
    }
}
