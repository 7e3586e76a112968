using System.Globalization;

namespace CouponKit;

/// <summary>
/// An exact amount of money in one currency: a <see cref="decimal"/> amount and an ISO 4217 <see cref="CouponKit.Currency"/>.
/// </summary>
/// <remarks>
/// <para>Arithmetic between different currencies throws <see cref="CurrencyMismatchException"/>; there is no floating point anywhere.</para>
/// <para>Rounding to the currency's minor unit is always explicit (<see cref="Round(MidpointRounding)"/>); the default is half-even (banker's rounding).</para>
/// <para>Amounts are limited to ±<see cref="MaxAmount"/> so that every amount converts to a whole number of minor units without overflow.</para>
/// </remarks>
public readonly struct Money : IEquatable<Money>, IComparable<Money>, IFormattable
{
    /// <summary>The largest absolute amount accepted, in major units: one quadrillion (10^15).</summary>
    public const decimal MaxAmount = 1_000_000_000_000_000m;

    private readonly Currency? _currency;

    /// <summary>Initializes a new instance of the <see cref="Money"/> struct.</summary>
    /// <param name="amount">The amount in major units (for example 12.30).</param>
    /// <param name="currency">The currency.</param>
    /// <exception cref="ArgumentNullException"><paramref name="currency"/> is <see langword="null"/>.</exception>
    /// <exception cref="MoneyOutOfRangeException">The amount is beyond ±<see cref="MaxAmount"/>.</exception>
    public Money(decimal amount, Currency currency)
    {
        ArgumentNullException.ThrowIfNull(currency);
        if (amount > MaxAmount || amount < -MaxAmount)
        {
            throw new MoneyOutOfRangeException(string.Create(CultureInfo.InvariantCulture, $"The amount {amount} {currency.Code} is beyond the supported range of ±{MaxAmount}."));
        }

        Amount = amount;
        _currency = currency;
    }

    /// <summary>Gets the amount in major units.</summary>
    public decimal Amount { get; }

    /// <summary>Gets the currency.</summary>
    /// <exception cref="InvalidOperationException">The value is <c>default(Money)</c>, which has no currency.</exception>
    public Currency Currency => _currency ?? throw new InvalidOperationException("default(Money) has no currency; create Money with a currency.");

    /// <summary>Gets a value indicating whether the amount is a whole number of the currency's minor units (12.30 CNY is, 12.305 CNY is not).</summary>
    public bool IsWholeMinorUnits => decimal.Round(Amount, Currency.MinorUnits) == Amount;

    /// <summary>Gets a value indicating whether the amount is zero.</summary>
    public bool IsZero => Amount == 0m;

    /// <summary>Gets a value indicating whether the amount is below zero.</summary>
    public bool IsNegative => Amount < 0m;

    /// <summary>Creates an amount from an ISO 4217 code.</summary>
    /// <param name="amount">The amount in major units.</param>
    /// <param name="currencyCode">The currency code, for example <c>CNY</c>.</param>
    /// <returns>The money value.</returns>
    /// <exception cref="UnknownCurrencyException">The code is not known.</exception>
    public static Money Of(decimal amount, string currencyCode) => new(amount, Currency.FromCode(currencyCode));

    /// <summary>Returns zero in a currency.</summary>
    /// <param name="currency">The currency.</param>
    /// <returns>Zero.</returns>
    public static Money Zero(Currency currency) => new(0m, currency);

    /// <summary>Creates an amount from a whole number of minor units (1230 CNY minor units is 12.30 CNY).</summary>
    /// <param name="minorUnits">The number of minor units.</param>
    /// <param name="currency">The currency.</param>
    /// <returns>The money value.</returns>
    public static Money FromMinorUnits(long minorUnits, Currency currency)
    {
        ArgumentNullException.ThrowIfNull(currency);
        return new Money(new decimal(minorUnits) / currency.MinorUnitFactor, currency);
    }

    /// <summary>Returns the amount as a whole number of minor units.</summary>
    /// <returns>The number of minor units.</returns>
    /// <exception cref="MoneyOutOfRangeException">The amount is not a whole number of minor units; round it first.</exception>
    public long ToMinorUnits()
    {
        var currency = Currency;
        if (!IsWholeMinorUnits)
        {
            throw new MoneyOutOfRangeException(string.Create(CultureInfo.InvariantCulture, $"The amount {Amount} {currency.Code} has more than the {currency.MinorUnits} decimal digits of the currency's minor unit; round it explicitly first."));
        }

        return decimal.ToInt64(Amount * currency.MinorUnitFactor);
    }

    /// <summary>Rounds to the currency's minor unit.</summary>
    /// <param name="mode">How to round a midpoint. The default is <see cref="MidpointRounding.ToEven"/> (half-even).</param>
    /// <returns>The rounded amount.</returns>
    public Money Round(MidpointRounding mode = MidpointRounding.ToEven) => new(decimal.Round(Amount, Currency.MinorUnits, mode), Currency);

    /// <summary>Returns the smaller of two amounts of the same currency.</summary>
    /// <param name="a">The first amount.</param>
    /// <param name="b">The second amount.</param>
    /// <returns>The smaller amount.</returns>
    public static Money Min(Money a, Money b) => a <= b ? a : b;

    /// <summary>Returns the larger of two amounts of the same currency.</summary>
    /// <param name="a">The first amount.</param>
    /// <param name="b">The second amount.</param>
    /// <returns>The larger amount.</returns>
    public static Money Max(Money a, Money b) => a >= b ? a : b;

    /// <summary>Adds two amounts of the same currency.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns>The sum.</returns>
    /// <exception cref="CurrencyMismatchException">The currencies differ.</exception>
    public static Money operator +(Money left, Money right) => new(left.Amount + right.Amount, SameCurrency(left, right, "addition"));

    /// <summary>Subtracts two amounts of the same currency.</summary>
    /// <param name="left">The amount to subtract from.</param>
    /// <param name="right">The amount to subtract.</param>
    /// <returns>The difference.</returns>
    /// <exception cref="CurrencyMismatchException">The currencies differ.</exception>
    public static Money operator -(Money left, Money right) => new(left.Amount - right.Amount, SameCurrency(left, right, "subtraction"));

    /// <summary>Negates an amount.</summary>
    /// <param name="value">The amount.</param>
    /// <returns>The negated amount.</returns>
    public static Money operator -(Money value) => new(-value.Amount, value.Currency);

    /// <summary>Multiplies an amount by a factor. The result is not rounded; call <see cref="Round(MidpointRounding)"/>.</summary>
    /// <param name="left">The amount.</param>
    /// <param name="factor">The factor.</param>
    /// <returns>The product.</returns>
    public static Money operator *(Money left, decimal factor) => new(left.Amount * factor, left.Currency);

    /// <summary>Multiplies an amount by a whole quantity.</summary>
    /// <param name="left">The amount.</param>
    /// <param name="quantity">The quantity.</param>
    /// <returns>The product.</returns>
    public static Money operator *(Money left, int quantity) => new(left.Amount * quantity, left.Currency);

    /// <summary>Adds two amounts of the same currency.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns>The sum.</returns>
    public static Money Add(Money left, Money right) => left + right;

    /// <summary>Subtracts two amounts of the same currency.</summary>
    /// <param name="left">The amount to subtract from.</param>
    /// <param name="right">The amount to subtract.</param>
    /// <returns>The difference.</returns>
    public static Money Subtract(Money left, Money right) => left - right;

    /// <summary>Negates an amount.</summary>
    /// <param name="value">The amount.</param>
    /// <returns>The negated amount.</returns>
    public static Money Negate(Money value) => -value;

    /// <summary>Multiplies an amount by a factor.</summary>
    /// <param name="left">The amount.</param>
    /// <param name="factor">The factor.</param>
    /// <returns>The product.</returns>
    public static Money Multiply(Money left, decimal factor) => left * factor;

    /// <summary>Compares two amounts of the same currency.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns>The comparison.</returns>
    public static bool operator <(Money left, Money right) => left.CompareTo(right) < 0;

    /// <summary>Compares two amounts of the same currency.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns>The comparison.</returns>
    public static bool operator >(Money left, Money right) => left.CompareTo(right) > 0;

    /// <summary>Compares two amounts of the same currency.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns>The comparison.</returns>
    public static bool operator <=(Money left, Money right) => left.CompareTo(right) <= 0;

    /// <summary>Compares two amounts of the same currency.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns>The comparison.</returns>
    public static bool operator >=(Money left, Money right) => left.CompareTo(right) >= 0;

    /// <summary>Compares two values for equality of amount and currency (12.3 CNY equals 12.30 CNY).</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns><see langword="true"/> when equal.</returns>
    public static bool operator ==(Money left, Money right) => left.Equals(right);

    /// <summary>Compares two values for inequality.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns><see langword="true"/> when not equal.</returns>
    public static bool operator !=(Money left, Money right) => !left.Equals(right);

    /// <inheritdoc />
    /// <exception cref="CurrencyMismatchException">The currencies differ.</exception>
    public int CompareTo(Money other)
    {
        SameCurrency(this, other, "comparison");
        return Amount.CompareTo(other.Amount);
    }

    /// <inheritdoc />
    public bool Equals(Money other) => Amount == other.Amount && _currency == other._currency;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Money other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(decimal.Round(Amount, 10), _currency);

    /// <summary>Formats as <c>CNY 12.30</c>, with the currency's minor digits, in the invariant culture.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => ToString(null, CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public string ToString(string? format, IFormatProvider? formatProvider)
    {
        if (_currency is null)
        {
            return "(no currency)";
        }

        var digits = Math.Max(_currency.MinorUnits, DecimalPlaces(Amount));
        var number = Amount.ToString(format ?? "N" + digits.ToString(CultureInfo.InvariantCulture), formatProvider ?? CultureInfo.InvariantCulture);
        return _currency.Code + " " + number;
    }

    private static int DecimalPlaces(decimal value)
    {
        var normalized = value / 1.000000000000000000000000000000000m;
        return (decimal.GetBits(normalized)[3] >> 16) & 0xFF;
    }

    private static Currency SameCurrency(Money left, Money right, string operation)
    {
        var a = left.Currency;
        var b = right.Currency;
        return a == b ? a : throw new CurrencyMismatchException(a, b, operation);
    }
}
