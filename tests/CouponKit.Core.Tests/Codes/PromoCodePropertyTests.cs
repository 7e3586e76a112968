using CouponKit.Codes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CouponKit.Core.Tests.Codes;

/// <summary>
/// Invariants of promo codes. The mutation properties check every mutation of each generated code (all positions, all
/// replacement symbols), so 1,000 cases cover several hundred thousand mistyped codes.
/// </summary>
public class PromoCodePropertyTests
{
    private const int Cases = 1000;

    // Any payload of 9 to 29 symbols is completed into a well-formed code by exactly one of the 31 symbols.
    [Property(MaxTest = Cases)]
    public Property Payload_AnySymbols_HasExactlyOneCheckCharacter() =>
        Prop.ForAll(
            PromoCodeGen.Payload(PromoCode.MinLength - 1, PromoCode.MaxLength - 1).ToArbitrary(),
            payload => PromoCodeGen.Complete(payload).Length == payload.Length + 1);

    // (1) Every code a generator makes, whatever its valid options, is well-formed, starts with the prefix and has
    // prefix + body + 1 characters.
    [Property(MaxTest = Cases)]
    public Property Generate_AnyValidOptions_ReturnsWellFormedCode() =>
        Prop.ForAll(
            PromoCodeGen.ValidOptions.ToArbitrary(),
            options =>
            {
                var code = new PromoCodeGenerator(options).Generate();
                var prefix = options.Prefix ?? string.Empty;
                return PromoCode.IsWellFormed(code)
                    && code.StartsWith(prefix, StringComparison.Ordinal)
                    && code.Length == prefix.Length + options.BodyLength + 1;
            });

    // (2) Changing any one character of a valid code to any other alphabet symbol makes it invalid.
    [Property(MaxTest = Cases)]
    public Property IsWellFormed_AnyOneCharacterChanged_ReturnsFalse() =>
        Prop.ForAll(
            PromoCodeGen.ValidCode.ToArbitrary(),
            code =>
            {
                var accepted = new List<string>();
                for (var i = 0; i < code.Length; i++)
                {
                    foreach (var symbol in PromoCode.Alphabet.Where(symbol => symbol != code[i]))
                    {
                        var mistyped = Replace(code, i, symbol);
                        if (PromoCode.IsWellFormed(mistyped))
                        {
                            accepted.Add(mistyped);
                        }
                    }
                }

                return PromoCode.IsWellFormed(code).Label("original is well-formed")
                    .And((accepted.Count == 0).Label("accepted: " + string.Join(", ", accepted)));
            });

    // (3) Swapping two adjacent different characters of a valid code makes it invalid.
    [Property(MaxTest = Cases)]
    public Property IsWellFormed_AdjacentDifferentCharactersSwapped_ReturnsFalse() =>
        Prop.ForAll(
            PromoCodeGen.ValidCode.ToArbitrary(),
            code => Enumerable.Range(0, code.Length - 1)
                .Where(i => code[i] != code[i + 1])
                .All(i => !PromoCode.IsWellFormed(Swap(code, i, i + 1))));

    // (3b) The weights are pairwise distinct, so swapping any two different characters, at any distance, makes it invalid.
    [Property(MaxTest = Cases)]
    public Property IsWellFormed_AnyTwoDifferentCharactersSwapped_ReturnsFalse() =>
        Prop.ForAll(
            PromoCodeGen.ValidCode.ToArbitrary(),
            code => Enumerable.Range(0, code.Length)
                .SelectMany(i => Enumerable.Range(i + 1, code.Length - i - 1), (i, j) => (i, j))
                .Where(pair => code[pair.i] != code[pair.j])
                .All(pair => !PromoCode.IsWellFormed(Swap(code, pair.i, pair.j))));

    // (4) Inserting a character that is not an alphabet symbol (and not a separator) anywhere in a valid code makes it
    // invalid.
    [Property(MaxTest = Cases)]
    public Property IsWellFormed_NonAlphabetCharacterInserted_ReturnsFalse() =>
        Prop.ForAll(
            PromoCodeGen.ValidCode.ToArbitrary(),
            PromoCodeGen.NonAlphabetCharacter.ToArbitrary(),
            (code, inserted) => Enumerable.Range(0, code.Length + 1)
                .All(i => !PromoCode.IsWellFormed(code.Insert(i, inserted.ToString()))));

    // (5) Normalize is idempotent: normalizing a normalized string changes nothing. Checked on arbitrary strings and on
    // strings made of the characters normalization acts on.
    [Property(MaxTest = Cases)]
    public Property Normalize_AnyString_IsIdempotent() =>
        Prop.ForAll(
            Gen.OneOf(ArbMap.Default.GeneratorFor<string>().Where(s => s is not null), NoisyString).ToArbitrary(),
            input =>
            {
                var once = PromoCode.Normalize(input);
                return PromoCode.Normalize(once) == once;
            });

    // Formatting noise (lower case, dashes, white space, full-width forms) never changes which code is parsed.
    [Property(MaxTest = Cases)]
    public Property Parse_ValidCodeWithFormattingNoise_ReturnsCanonical() =>
        Prop.ForAll(
            PromoCodeGen.ValidCode.SelectMany(code => Gen.ArrayOf(Gen.Choose(0, 5), code.Length), AddNoise).ToArbitrary(),
            noisy => PromoCode.Parse(noisy.Noisy) == noisy.Code);

    // Display groups of any size normalize back to the same code.
    [Property(MaxTest = Cases)]
    public Property Format_AnyGroupSize_RoundTrips() =>
        Prop.ForAll(
            PromoCodeGen.ValidCode.ToArbitrary(),
            Gen.Choose(1, PromoCode.MaxLength).ToArbitrary(),
            (code, groupSize) => PromoCode.Normalize(PromoCode.Format(code, groupSize)) == code);

    // The message of a rejected code never contains the code: promo codes are secrets.
    [Property(MaxTest = Cases)]
    public Property Parse_MistypedCode_MessageNeverContainsTheCode() =>
        Prop.ForAll(
            PromoCodeGen.ValidCode
                .SelectMany(code => Gen.Choose(0, code.Length - 1), (code, i) => (code, i))
                .SelectMany(
                    t => Gen.Elements(PromoCode.Alphabet.Where(symbol => symbol != t.code[t.i]).ToArray()),
                    (t, symbol) => Replace(t.code, t.i, symbol))
                .ToArbitrary(),
            mistyped =>
            {
                var exception = Assert.Throws<InvalidPromoCodeException>(() => PromoCode.Parse(mistyped.ToLowerInvariant()));
                return !exception.Message.Contains(mistyped[2..^2], StringComparison.OrdinalIgnoreCase);
            });

    private static Gen<string> NoisyString { get; } =
        Gen.ArrayOf(Gen.Elements("aZz2-－ \t\u3000ＡａO0ßé".ToCharArray())).Select(chars => new string(chars));

    private static string Replace(string code, int index, char symbol) =>
        string.Create(code.Length, (code, index, symbol), static (span, s) =>
        {
            s.code.CopyTo(span);
            span[s.index] = s.symbol;
        });

    private static string Swap(string code, int i, int j)
    {
        var chars = code.ToCharArray();
        (chars[i], chars[j]) = (chars[j], chars[i]);
        return new string(chars);
    }

    private static (string Code, string Noisy) AddNoise(string code, int[] noise)
    {
        var noisy = new System.Text.StringBuilder(" ");
        for (var i = 0; i < code.Length; i++)
        {
            var c = code[i];
            _ = noise[i] switch
            {
                0 => noisy.Append(char.ToLowerInvariant(c)),
                1 => noisy.Append(c).Append('-'),
                2 => noisy.Append(c).Append(' '),
                3 => noisy.Append((char)(c + 0xFEE0)), // full-width form
                _ => noisy.Append(c),
            };
        }

        return (code, noisy.Append('\t').ToString());
    }
}
