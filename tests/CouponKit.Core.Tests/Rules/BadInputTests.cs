using CouponKit.Rules;
using static CouponKit.Core.Tests.Shop;

namespace CouponKit.Core.Tests.Rules;

public sealed class BadInputTests
{
    [Fact]
    public void CartLine_NegativePrice_ThrowsInvalidCart()
    {
        var ex = Assert.Throws<InvalidCartException>(() => Line("a", -1));
        Assert.Equal("unitPrice", ex.Field);
        Assert.Contains("negative", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData(CartLine.MaxQuantity + 1)]
    public void CartLine_QuantityOutOfRange_ThrowsInvalidCart(int quantity)
    {
        Assert.Equal("quantity", Assert.Throws<InvalidCartException>(() => Line("a", 10, quantity)).Field);
    }

    [Fact]
    public void CartLine_PriceWithSubMinorDigits_ThrowsInvalidCart()
    {
        Assert.Throws<InvalidCartException>(() => Line("a", 10.005m));
    }

    [Fact]
    public void CartLine_BlankSku_ThrowsInvalidCart()
    {
        Assert.Throws<InvalidCartException>(() => new CartLine("a", " ", Cny(1), 1));
    }

    [Fact]
    public void Money_UnknownCurrency_ThrowsUnknownCurrency()
    {
        var ex = Assert.Throws<UnknownCurrencyException>(() => Money.Of(1, "XYZ"));
        Assert.Equal("XYZ", ex.Code);
        Assert.Equal("unknown_currency", ex.ErrorCode);
    }

    [Fact]
    public void Money_OverflowSizedAmount_ThrowsMoneyOutOfRange()
    {
        Assert.Throws<MoneyOutOfRangeException>(() => Cny(Money.MaxAmount + 1));
        Assert.Throws<MoneyOutOfRangeException>(() => Cny(decimal.MaxValue));
    }

    [Fact]
    public void CartLine_TotalOverflows_ThrowsMoneyOutOfRange()
    {
        Assert.Throws<MoneyOutOfRangeException>(() => Line("a", 100_000_000_000m, 100_000));
    }

    [Fact]
    public void Cart_SubtotalOverflows_ThrowsMoneyOutOfRange()
    {
        Assert.Throws<MoneyOutOfRangeException>(() => Cart(Line("a", 900_000_000_000_000m), Line("b", 900_000_000_000_000m)));
    }

    [Fact]
    public void Cart_DuplicateLineIds_ThrowsInvalidCart()
    {
        var ex = Assert.Throws<InvalidCartException>(() => Cart(Line("a", 1), Line("a", 2)));
        Assert.Contains("more than once", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cart_NoLines_ThrowsInvalidCart()
    {
        Assert.Throws<InvalidCartException>(() => Cart());
    }

    [Fact]
    public void Cart_LinesInTwoCurrencies_ThrowsCurrencyMismatch()
    {
        Assert.Throws<CurrencyMismatchException>(() => new Cart("u", [Line("a", 1), new CartLine("b", "s", Money.Of(1, "USD"), 1)], Cny(0), Now));
    }

    [Fact]
    public void Cart_NegativeShipping_ThrowsInvalidCart()
    {
        Assert.Throws<InvalidCartException>(() => CartWithShipping(-1, Line("a", 1)));
    }

    [Fact]
    public void Quote_DuplicateCouponIds_ThrowsInvalidCoupon()
    {
        var ex = Assert.Throws<InvalidCouponException>(() => Quote(Cart(Line("a", 100)), Coupon("c1", Rebate(50, 5)), Coupon("c1", Rebate(60, 6))));
        Assert.Equal("c1", ex.CouponId);
    }

    [Fact]
    public void Quote_CouponEndsBeforeItStarts_ThrowsInvalidCoupon()
    {
        var coupon = new Coupon { Id = "c1", Rule = Rebate(50, 5), ValidFrom = Now, ValidUntil = Now.AddDays(-1) };

        Assert.Throws<InvalidCouponException>(() => Quote(Cart(Line("a", 100)), coupon));
    }

    [Fact]
    public void Quote_NullCouponInList_ThrowsInvalidCoupon()
    {
        Assert.Throws<InvalidCouponException>(() => new QuoteEngine().Quote(Cart(Line("a", 100)), [null!]));
    }

    [Fact]
    public void Quote_BlankCouponId_ThrowsInvalidCoupon()
    {
        Assert.Throws<InvalidCouponException>(() => Quote(Cart(Line("a", 100)), Coupon(" ", Rebate(50, 5))));
    }

    [Fact]
    public void Quote_MoreCouponsThanAllowed_ThrowsInvalidCoupon()
    {
        var engine = new QuoteEngine(new QuoteOptions { MaxCoupons = 2 });
        var coupons = Enumerable.Range(0, 3).Select(i => Coupon($"c{i}", Rebate(50, 5)));

        Assert.Throws<InvalidCouponException>(() => engine.Quote(Cart(Line("a", 100)), coupons));
    }

    [Fact]
    public void Quote_MoreLinesThanAllowed_ThrowsInvalidCart()
    {
        var engine = new QuoteEngine(new QuoteOptions { MaxCartLines = 1 });

        Assert.Throws<InvalidCartException>(() => engine.Quote(Cart(Line("a", 1), Line("b", 1)), []));
    }

    [Fact]
    public void QuoteEngine_NegativeSearchBudget_ThrowsValidation()
    {
        Assert.Throws<System.ComponentModel.DataAnnotations.ValidationException>(() => new QuoteEngine(new QuoteOptions { MaxSearchNodes = 0 }));
    }

    [Fact]
    public void Threshold_ZeroSpend_ThrowsInvalidCoupon()
    {
        Assert.Throws<InvalidCouponException>(() => Threshold.Spend(Cny(0)));
        Assert.Throws<InvalidCouponException>(() => Threshold.ItemCount(0));
    }

    [Fact]
    public void Scope_BlankEntry_ThrowsInvalidCoupon()
    {
        Assert.Throws<InvalidCouponException>(() => new CouponScope { Skus = ["a", ""] });
    }
}
