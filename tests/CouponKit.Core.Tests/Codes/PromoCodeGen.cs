using CouponKit.Codes;
using FsCheck;
using FsCheck.Fluent;

namespace CouponKit.Core.Tests.Codes;

/// <summary>FsCheck generators of promo codes, built on the public API only (no access to the checksum internals).</summary>
internal static class PromoCodeGen
{
    private static readonly char[] Symbols = PromoCode.Alphabet.ToCharArray();

    /// <summary>Strings of <paramref name="minLength"/> to <paramref name="maxLength"/> alphabet symbols.</summary>
    public static Gen<string> Payload(int minLength, int maxLength) =>
        Gen.Choose(minLength, maxLength)
            .SelectMany(length => Gen.ArrayOf(Gen.Elements(Symbols), length))
            .Select(symbols => new string(symbols));

    /// <summary>Well-formed codes of every length from <see cref="PromoCode.MinLength"/> to <see cref="PromoCode.MaxLength"/>.</summary>
    public static Gen<string> ValidCode { get; } =
        Payload(PromoCode.MinLength - 1, PromoCode.MaxLength - 1).Select(Complete);

    /// <summary>
    /// Characters that survive normalization and are not alphabet symbols: the confusable 0, 1, I, L, O (any case),
    /// punctuation, and anything else FsCheck comes up with.
    /// </summary>
    public static Gen<char> NonAlphabetCharacter { get; } =
        Gen.OneOf(Gen.Elements("01ILOoil_.,/+*#!?$%&'\"€ÉØ０ｏ".ToCharArray()), ArbMap.Default.GeneratorFor<char>())
            .Where(IsKeptAndNotInAlphabet);

    /// <summary>Options a generator accepts: a prefix of 0 to 10 symbols and any body length that fits.</summary>
    public static Gen<PromoCodeGeneratorOptions> ValidOptions { get; } =
        Payload(0, 10).SelectMany(
            prefix => Gen.Choose(9, PromoCode.MaxLength - 1 - prefix.Length),
            (prefix, bodyLength) => new PromoCodeGeneratorOptions
            {
                Prefix = prefix.Length == 0 ? null : prefix,
                BodyLength = bodyLength,
            });

    /// <summary>
    /// Appends the check character to <paramref name="payload"/>, found by trying all 31 symbols; fails unless exactly one
    /// of them makes a well-formed code.
    /// </summary>
    public static string Complete(string payload)
    {
        var completions = Symbols.Select(symbol => payload + symbol).Where(PromoCode.IsWellFormed).ToList();
        return Assert.Single(completions);
    }

    private static bool IsKeptAndNotInAlphabet(char c) =>
        PromoCode.Normalize(c.ToString()) is { Length: 1 } normalized
        && !PromoCode.Alphabet.Contains(normalized[0], StringComparison.Ordinal);
}
