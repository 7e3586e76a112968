using static CouponKit.Core.Tests.Shop;

namespace CouponKit.Core.Tests;

public sealed class MoneyTests
{
    [Fact]
    public void Add_SameCurrency_IsExact()
    {
        Assert.Equal(Cny(0.30m), Cny(0.10m) + Cny(0.20m));
    }

    [Fact]
    public void Add_DifferentCurrencies_ThrowsCurrencyMismatch()
    {
        var ex = Assert.Throws<CurrencyMismatchException>(() => Cny(1) + Money.Of(1, "USD"));
        Assert.Equal(("CNY", "USD"), (ex.Expected.Code, ex.Actual.Code));
    }

    [Fact]
    public void Compare_DifferentCurrencies_ThrowsCurrencyMismatch()
    {
        Assert.Throws<CurrencyMismatchException>(() => Cny(1) < Money.Of(2, "EUR"));
    }

    [Theory]
    [InlineData(0.125, MidpointRounding.ToEven, 0.12)]
    [InlineData(0.135, MidpointRounding.ToEven, 0.14)]
    [InlineData(0.125, MidpointRounding.AwayFromZero, 0.13)]
    public void Round_Midpoint_UsesGivenMode(decimal amount, MidpointRounding mode, decimal expected)
    {
        Assert.Equal(Cny(expected), Cny(amount).Round(mode));
    }

    [Fact]
    public void Round_Default_IsHalfEven()
    {
        Assert.Equal(Cny(0.12m), Cny(0.125m).Round());
    }

    [Fact]
    public void MinorUnits_RoundTrip()
    {
        Assert.Equal(1230L, Cny(12.30m).ToMinorUnits());
        Assert.Equal(Cny(12.30m), Money.FromMinorUnits(1230, Currency.CNY));
        Assert.Equal(999L, Money.Of(999, "JPY").ToMinorUnits());
        Assert.Equal(1234L, Money.Of(1.234m, "BHD").ToMinorUnits());
    }

    [Fact]
    public void ToMinorUnits_SubMinorAmount_ThrowsMoneyOutOfRange()
    {
        Assert.Throws<MoneyOutOfRangeException>(() => Cny(0.125m).ToMinorUnits());
    }

    [Fact]
    public void ToString_ShowsCodeAndMinorDigits()
    {
        Assert.Equal("CNY 12.30", Cny(12.3m).ToString());
        Assert.Equal("JPY 1,500", Money.Of(1500, "JPY").ToString());
    }

    [Fact]
    public void Equality_IgnoresTrailingZeros()
    {
        Assert.Equal(Cny(12.3m), Cny(12.30m));
        Assert.Equal(Cny(12.3m).GetHashCode(), Cny(12.30m).GetHashCode());
    }

    [Fact]
    public void Currency_FromCode_IsCaseInsensitive()
    {
        Assert.Same(Currency.CNY, Currency.FromCode("cny"));
        Assert.Equal(0, Currency.JPY.MinorUnits);
    }

    [Fact]
    public void DefaultMoney_HasNoCurrency()
    {
        Assert.Throws<InvalidOperationException>(() => default(Money).Currency);
    }
}
