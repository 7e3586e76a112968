using System.Globalization;
using System.Security.Cryptography;

namespace CouponKit.Codes;

/// <summary>
/// Generates promo codes: an optional prefix, a random body drawn from a cryptographically secure generator, and a check
/// character, so that <see cref="PromoCode.IsWellFormed(string)"/> rejects a mistyped code without a lookup.
/// </summary>
/// <remarks>
/// <para>
/// Each body symbol is drawn uniformly from the 31 symbols of <see cref="PromoCode.Alphabet"/> with
/// <see cref="RandomNumberGenerator"/> and rejection sampling, so there is no modulo bias. Codes are returned in canonical
/// form (store that); use <see cref="PromoCode.Format(string, int)"/> to display them in groups.
/// </para>
/// <para>
/// Codes are unique within one <see cref="Generate(int)"/> batch only. Across batches a collision is unlikely but possible
/// (about 2% over a million codes with the default 9-symbol body), so keep a unique index on stored codes and regenerate
/// on conflict.
/// </para>
/// <para>Instances are immutable and safe to share between threads.</para>
/// </remarks>
public sealed class PromoCodeGenerator
{
    /// <summary>The most codes one call to <see cref="Generate(int)"/> makes.</summary>
    public const int MaxBatchCount = 1_000_000;

    private readonly string _prefix;
    private readonly int _bodyLength;

    /// <summary>Initializes a generator with the default options: no prefix and a 9-symbol body (44.6 bits).</summary>
    public PromoCodeGenerator()
        : this(new PromoCodeGeneratorOptions())
    {
    }

    /// <summary>Initializes a generator with the given options, which are checked and copied.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <see cref="PromoCodeGeneratorOptions.BodyLength"/> gives less than 40 bits of entropy, or the prefix and the body
    /// together are longer than <see cref="PromoCode.MaxLength"/> - 1 characters.
    /// </exception>
    /// <exception cref="ArgumentException"><see cref="PromoCodeGeneratorOptions.Prefix"/> has a symbol outside the alphabet.</exception>
    public PromoCodeGenerator(PromoCodeGeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        var bodyLength = options.BodyLength;
        var entropyBits = bodyLength * PromoCodeConstants.BitsPerCharacter;
        if (entropyBits < PromoCodeConstants.MinEntropyBits)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options),
                bodyLength,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"BodyLength {bodyLength} gives {entropyBits:0.0} bits of entropy; promo codes need at least {PromoCodeConstants.MinEntropyBits:0} bits, that is a body of at least {PromoCodeConstants.MinBodyLength} symbols."));
        }

        var prefix = options.Prefix ?? string.Empty;
        var invalid = prefix.AsSpan().IndexOfAnyExcept(PromoCodeConstants.Symbols);
        if (invalid >= 0)
        {
            throw new ArgumentException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"The prefix '{prefix}' contains '{prefix[invalid]}' at index {invalid}; a prefix may only use the promo-code symbols {PromoCode.Alphabet} (upper-case, without 0, 1, I, L and O)."),
                nameof(options));
        }

        if (prefix.Length + bodyLength > PromoCodeConstants.MaxPayloadLength)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options),
                bodyLength,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"The prefix ({prefix.Length} symbols) and the body ({bodyLength} symbols) make {prefix.Length + bodyLength}; at most {PromoCodeConstants.MaxPayloadLength} fit before the check character."));
        }

        _prefix = prefix;
        _bodyLength = bodyLength;
        EntropyBits = entropyBits;
    }

    /// <summary>Gets the entropy of each code in bits: the body length × log2(31). The prefix adds none.</summary>
    /// <value>At least 40; 44.6 with the default options.</value>
    public double EntropyBits { get; }

    /// <summary>Generates one promo code.</summary>
    /// <returns>The code in canonical form: prefix, random body and check character.</returns>
    public string Generate()
    {
        Span<char> code = stackalloc char[PromoCode.MaxLength];
        return Fill(code).ToString();
    }

    /// <summary>Generates <paramref name="count"/> promo codes, all different.</summary>
    /// <param name="count">The number of codes, from 0 to <see cref="MaxBatchCount"/>.</param>
    /// <returns>The codes in canonical form, unique within this batch.</returns>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="count"/> is negative or greater than <see cref="MaxBatchCount"/>.
    /// </exception>
    public IReadOnlyList<string> Generate(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxBatchCount);

        var codes = new string[count];
        var seen = new HashSet<string>(count, StringComparer.Ordinal);
        Span<char> buffer = stackalloc char[PromoCode.MaxLength];
        var made = 0;
        while (made < count)
        {
            var code = Fill(buffer).ToString();
            if (seen.Add(code))
            {
                codes[made++] = code;
            }
        }

        return codes;
    }

    /// <summary>Writes prefix, random body and check character to the start of <paramref name="buffer"/>.</summary>
    private Span<char> Fill(Span<char> buffer)
    {
        var code = buffer[..(_prefix.Length + _bodyLength + 1)];
        _prefix.AsSpan().CopyTo(code);
        FillRandomSymbols(code.Slice(_prefix.Length, _bodyLength));
        code[^1] = PromoCodeChecksum.ComputeCheckCharacter(code[..^1]);
        return code;
    }

    /// <summary>
    /// Fills <paramref name="destination"/> with symbols drawn uniformly from the alphabet. A random byte <c>b</c> is used
    /// only when <c>b &lt; 248</c> (= 8 × 31), so that <c>b % 31</c> is uniform; the others (3%) are discarded.
    /// </summary>
    private static void FillRandomSymbols(Span<char> destination)
    {
        // Enough for a full body almost always; the loop refills on the rare run of rejections.
        Span<byte> random = stackalloc byte[PromoCodeConstants.MaxPayloadLength + 8];
        var filled = 0;
        while (true)
        {
            var bytes = random[..(destination.Length - filled + 4)];
            RandomNumberGenerator.Fill(bytes);
            foreach (var b in bytes)
            {
                if (b < PromoCodeConstants.RejectionThreshold)
                {
                    destination[filled++] = PromoCode.Alphabet[b % PromoCodeConstants.Radix];
                    if (filled == destination.Length)
                    {
                        return;
                    }
                }
            }
        }
    }
}
