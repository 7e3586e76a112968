using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace CouponKit;

/// <summary>
/// An ISO 4217 currency with the number of digits of its minor unit (2 for CNY and EUR, 0 for JPY, 3 for BHD).
/// </summary>
/// <remarks>
/// Instances come from <see cref="FromCode(string)"/>; two instances with the same code are equal.
/// CouponKit never converts between currencies: arithmetic across currencies throws <see cref="CurrencyMismatchException"/>.
/// </remarks>
public sealed class Currency : IEquatable<Currency>
{
    private static readonly FrozenDictionary<string, Currency> Known = BuildTable();

    private Currency(string code, int minorUnits)
    {
        Code = code;
        MinorUnits = minorUnits;
        MinorUnitFactor = Pow10(minorUnits);
    }

    /// <summary>Gets the three-letter ISO 4217 code, upper case (for example <c>CNY</c>).</summary>
    public string Code { get; }

    /// <summary>Gets the number of decimal digits of the minor unit (for example 2 for cents, 0 for yen).</summary>
    public int MinorUnits { get; }

    /// <summary>Gets how many minor units make one major unit (100 for CNY, 1 for JPY).</summary>
    internal long MinorUnitFactor { get; }

    /// <summary>Gets the Chinese yuan renminbi.</summary>
    public static Currency CNY { get; } = Known["CNY"];

    /// <summary>Gets the United States dollar.</summary>
    public static Currency USD { get; } = Known["USD"];

    /// <summary>Gets the euro.</summary>
    public static Currency EUR { get; } = Known["EUR"];

    /// <summary>Gets the Japanese yen (no minor unit).</summary>
    public static Currency JPY { get; } = Known["JPY"];

    /// <summary>Returns the currency for an ISO 4217 code.</summary>
    /// <param name="code">The three-letter code, case-insensitive.</param>
    /// <returns>The currency.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="code"/> is <see langword="null"/>.</exception>
    /// <exception cref="UnknownCurrencyException">The code is not an ISO 4217 currency that CouponKit knows.</exception>
    public static Currency FromCode(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        return TryFromCode(code, out var currency) ? currency : throw new UnknownCurrencyException(code);
    }

    /// <summary>Looks up the currency for an ISO 4217 code.</summary>
    /// <param name="code">The three-letter code, case-insensitive.</param>
    /// <param name="currency">The currency when found.</param>
    /// <returns><see langword="true"/> when the code is known.</returns>
    public static bool TryFromCode([NotNullWhen(true)] string? code, [NotNullWhen(true)] out Currency? currency)
    {
        currency = null;
        if (code is null || code.Length != 3)
        {
            return false;
        }

        return Known.TryGetValue(code.ToUpperInvariant(), out currency);
    }

    /// <inheritdoc />
    public bool Equals(Currency? other) => other is not null && string.Equals(Code, other.Code, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Currency other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Code);

    /// <inheritdoc />
    public override string ToString() => Code;

    /// <summary>Compares two currencies by code.</summary>
    /// <param name="left">The first currency.</param>
    /// <param name="right">The second currency.</param>
    /// <returns><see langword="true"/> when both have the same code.</returns>
    public static bool operator ==(Currency? left, Currency? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Compares two currencies by code.</summary>
    /// <param name="left">The first currency.</param>
    /// <param name="right">The second currency.</param>
    /// <returns><see langword="true"/> when the codes differ.</returns>
    public static bool operator !=(Currency? left, Currency? right) => !(left == right);

    private static long Pow10(int digits)
    {
        long factor = 1;
        for (var i = 0; i < digits; i++)
        {
            factor *= 10;
        }

        return factor;
    }

    private static FrozenDictionary<string, Currency> BuildTable()
    {
        // ISO 4217 minor units. Currencies not listed have 2 digits.
        var zero = new[] { "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF" };
        var three = new[] { "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND" };
        var two = new[]
        {
            "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BMD", "BND", "BOB", "BRL",
            "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DKK", "DOP", "DZD", "EGP",
            "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS",
            "INR", "IRR", "JMD", "KES", "KGS", "KHR", "KPW", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD",
            "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "PAB", "PEN",
            "PGK", "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD",
            "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "USD", "UYU", "UZS", "VES",
            "WST", "XCD", "YER", "ZAR", "ZMW", "ZWL",
        };

        var table = new Dictionary<string, Currency>(StringComparer.Ordinal);
        foreach (var code in two)
        {
            table[code] = new Currency(code, 2);
        }

        foreach (var code in zero)
        {
            table[code] = new Currency(code, 0);
        }

        foreach (var code in three)
        {
            table[code] = new Currency(code, 3);
        }

        return table.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
