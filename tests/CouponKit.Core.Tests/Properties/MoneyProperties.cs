using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CouponKit.Core.Tests.Properties;

/// <summary>Invariants of <see cref="Money"/> on generated amounts in currencies with 0, 2 and 3 minor digits.</summary>
public class MoneyProperties
{
    private static readonly Currency[] Currencies =
        new[] { "CNY", "USD", "EUR", "JPY", "KRW", "BHD", "KWD" }.Select(Currency.FromCode).ToArray();

    private static readonly MidpointRounding[] Modes = Enum.GetValues<MidpointRounding>();

    /// <summary>Gets amounts up to ±10^12 with 0 to 6 decimals, some ending in a 5 (midpoints).</summary>
    private static Gen<decimal> Amount { get; } =
        from sign in Gen.Elements(1m, -1m)
        from digits in Gen.Choose(0, 1_000_000_000).SelectMany(_ => Gen.Choose(0, 999), (high, low) => (high * 1000m) + low)
        from scale in Gen.Choose(0, 6)
        from midpoint in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)))
        select sign * (midpoint ? Math.Truncate(digits / 10m) + 0.5m : digits) / Pow10(scale);

    private static Gen<Money> MoneyIn(Currency currency) => Amount.Select(a => new Money(a, currency));

    private static Gen<(Money Left, Money Right)> MismatchedPair { get; } =
        from currencies in Gen.Shuffle(Currencies)
        from left in MoneyIn(currencies[0])
        from right in MoneyIn(currencies[1])
        select (left, right);

    // Arithmetic and comparison between two different currencies always throw CurrencyMismatchException, naming the
    // currency expected (the left operand's) and the one given; equality is simply false.
    [Property(MaxTest = 1000)]
    public Property Arithmetic_AcrossCurrencies_ThrowsCurrencyMismatch() =>
        Prop.ForAll(MismatchedPair.ToArbitrary(), pair =>
        {
            var (left, right) = pair;
            var operations = new Func<object>[]
            {
                () => left + right,
                () => left - right,
                () => Money.Add(left, right),
                () => Money.Subtract(left, right),
                () => left < right,
                () => left > right,
                () => left <= right,
                () => left >= right,
                () => left.CompareTo(right),
                () => Money.Min(left, right),
                () => Money.Max(left, right),
            };
            foreach (var operation in operations)
            {
                var exception = Assert.Throws<CurrencyMismatchException>(operation);
                Assert.Equal(left.Currency, exception.Expected);
                Assert.Equal(right.Currency, exception.Actual);
                Assert.Equal("currency_mismatch", exception.ErrorCode);
            }

            Assert.False(left == right);
            Assert.False(left.Equals(right));
        });

    // Rounding yields whole minor units, is idempotent (rounding a rounded amount in any mode changes nothing), moves the
    // amount by less than one minor unit (at most half of one for the midpoint modes), and round-trips through minor units.
    [Property(MaxTest = 1000)]
    public Property Round_IsIdempotentAndYieldsWholeMinorUnits() =>
        Prop.ForAll(Gen.Elements(Currencies).SelectMany(MoneyIn).ToArbitrary(), Gen.Elements(Modes).ToArbitrary(), (money, mode) =>
        {
            var rounded = money.Round(mode);
            var unit = 1m / Pow10(money.Currency.MinorUnits);
            Assert.True(rounded.IsWholeMinorUnits, $"{rounded.Amount}");
            Assert.Equal(money.Currency, rounded.Currency);
            Assert.All(Modes, again => Assert.Equal(rounded, rounded.Round(again)));
            var moved = Math.Abs(rounded.Amount - money.Amount);
            Assert.True(moved < unit, $"{money.Amount} rounded {mode} to {rounded.Amount}");
            if (mode is MidpointRounding.ToEven or MidpointRounding.AwayFromZero)
            {
                Assert.True(moved * 2 <= unit, $"{money.Amount} rounded {mode} to {rounded.Amount}");
            }

            Assert.Equal(rounded, Money.FromMinorUnits(rounded.ToMinorUnits(), rounded.Currency));
            Assert.Equal(money.IsWholeMinorUnits, rounded == money);
        });

    private static decimal Pow10(int digits)
    {
        var factor = 1m;
        for (var i = 0; i < digits; i++)
        {
            factor *= 10m;
        }

        return factor;
    }
}
