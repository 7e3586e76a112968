using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace CouponKit.Codes;

/// <summary>
/// Normalizes, validates, formats and masks promo codes made by <see cref="PromoCodeGenerator"/>.
/// </summary>
/// <remarks>
/// <para>
/// A promo code is an optional prefix, a random body and a check character, all drawn from the 31 symbols of
/// <see cref="Alphabet"/>. Its canonical form is upper-case without separators, for example <c>K7QHX4M2PT</c>; this is the
/// form to store and to look up. Input typed by a customer goes through <see cref="Normalize(string)"/> first, so
/// <c>" k7qh-x4m2-pt "</c> is the same code.
/// </para>
/// <para>
/// Validation needs no lookup: the check character rejects every single mistyped character and every swap of two different
/// characters (the proof is on the check character algorithm). A well-formed code still has to be looked up to be redeemed.
/// </para>
/// <para>Promo codes are secrets: log them through <see cref="Mask(string)"/>.</para>
/// </remarks>
public static class PromoCode
{
    /// <summary>
    /// The 31 symbols of a promo code: the digits 2 to 9 and the upper-case letters without I, L and O.
    /// 0, 1, I, L and O are left out because they are easy to confuse.
    /// </summary>
    public const string Alphabet = PromoCodeConstants.Alphabet;

    /// <summary>The fewest characters of a well-formed code, check character included: the shortest code a generator makes.</summary>
    public const int MinLength = PromoCodeConstants.MinBodyLength + 1;

    /// <summary>The most characters of a well-formed code, check character included.</summary>
    public const int MaxLength = PromoCodeConstants.MaxPayloadLength + 1;

    /// <summary>
    /// Returns the canonical form of <paramref name="input"/>: white space and <c>-</c> are removed, full-width forms (as typed
    /// with CJK input methods) are folded to ASCII and ASCII letters are upper-cased. Other characters are kept, so they make
    /// the code invalid. Normalizing twice gives the same result as normalizing once.
    /// </summary>
    /// <param name="input">The code as typed or displayed.</param>
    /// <returns>The normalized code; it is not necessarily well-formed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is <see langword="null"/>.</exception>
    public static string Normalize(string input)
    {
        ArgumentNullException.ThrowIfNull(input);

        var length = 0;
        var changed = false;
        foreach (var c in input)
        {
            if (TryNormalize(c, out var normalized))
            {
                length++;
                changed |= normalized != c;
            }
            else
            {
                changed = true;
            }
        }

        if (!changed)
        {
            return input;
        }

        return string.Create(length, input, static (destination, source) =>
        {
            var i = 0;
            foreach (var c in source)
            {
                if (TryNormalize(c, out var normalized))
                {
                    destination[i++] = normalized;
                }
            }
        });
    }

    /// <summary>
    /// Returns whether <paramref name="input"/>, once normalized, is a well-formed promo code: between
    /// <see cref="MinLength"/> and <see cref="MaxLength"/> symbols of <see cref="Alphabet"/> ending with the right check
    /// character. Does not allocate.
    /// </summary>
    /// <param name="input">The code as typed or displayed; <see langword="null"/> is not well-formed.</param>
    /// <returns><see langword="true"/> when the code is well-formed.</returns>
    public static bool IsWellFormed([NotNullWhen(true)] string? input)
    {
        if (input is null)
        {
            return false;
        }

        Span<char> buffer = stackalloc char[MaxLength];
        return Validate(input, buffer, out _) == PromoCodeError.None;
    }

    /// <summary>Normalizes and validates <paramref name="input"/>.</summary>
    /// <param name="input">The code as typed or displayed.</param>
    /// <param name="code">The canonical code when <paramref name="input"/> is well-formed; otherwise <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when <paramref name="input"/> is a well-formed promo code.</returns>
    public static bool TryParse([NotNullWhen(true)] string? input, [NotNullWhen(true)] out string? code)
    {
        code = null;
        if (input is null)
        {
            return false;
        }

        Span<char> buffer = stackalloc char[MaxLength];
        if (Validate(input, buffer, out var length) != PromoCodeError.None)
        {
            return false;
        }

        var canonical = buffer[..length];
        code = canonical.SequenceEqual(input) ? input : canonical.ToString();
        return true;
    }

    /// <summary>Normalizes and validates <paramref name="input"/>.</summary>
    /// <param name="input">The code as typed or displayed.</param>
    /// <returns>The canonical code.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidPromoCodeException">
    /// <paramref name="input"/> is not well-formed; the message shows the code masked, never in full.
    /// </exception>
    public static string Parse(string input)
    {
        ArgumentNullException.ThrowIfNull(input);

        Span<char> buffer = stackalloc char[MaxLength];
        var error = Validate(input, buffer, out var length);
        if (error != PromoCodeError.None)
        {
            throw CreateException(input, error, length);
        }

        var canonical = buffer[..length];
        return canonical.SequenceEqual(input) ? input : canonical.ToString();
    }

    /// <summary>
    /// Formats a promo code for display in groups separated by <c>-</c>, for example <c>K7QH-X4M2-PT</c>.
    /// <see cref="Normalize(string)"/> removes the separators again.
    /// </summary>
    /// <param name="code">The code, in any form <see cref="Parse(string)"/> accepts.</param>
    /// <param name="groupSize">The number of characters per group. The default value is 4.</param>
    /// <returns>The canonical code, grouped from the left; the last group may be shorter.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="code"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="groupSize"/> is less than 1.</exception>
    /// <exception cref="InvalidPromoCodeException"><paramref name="code"/> is not well-formed.</exception>
    public static string Format(string code, int groupSize = PromoCodeConstants.DefaultGroupSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(groupSize, 1);
        var canonical = Parse(code);
        if (groupSize >= canonical.Length)
        {
            return canonical;
        }

        var separators = (canonical.Length - 1) / groupSize;
        return string.Create(canonical.Length + separators, (canonical, groupSize), static (destination, state) =>
        {
            var (source, size) = state;
            var j = 0;
            for (var i = 0; i < source.Length; i++)
            {
                if (i > 0 && i % size == 0)
                {
                    destination[j++] = PromoCodeConstants.GroupSeparator;
                }

                destination[j++] = source[i];
            }
        });
    }

    /// <summary>
    /// Masks a promo code for logs, messages and support screens: the first two and last two characters of the normalized
    /// code around <c>*****</c>, for example <c>K7*****PT</c>. Input shorter than <see cref="MinLength"/> once normalized
    /// is masked entirely (<c>*****</c>). The mask has a fixed width, so it does not reveal the length either.
    /// </summary>
    /// <param name="code">The code, well-formed or not.</param>
    /// <returns>The masked code.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="code"/> is <see langword="null"/>.</exception>
    public static string Mask(string code)
    {
        var normalized = Normalize(code);
        return normalized.Length < MinLength
            ? PromoCodeConstants.MaskFill
            : string.Concat(normalized.AsSpan(0, 2), PromoCodeConstants.MaskFill, normalized.AsSpan(normalized.Length - 2));
    }

    /// <summary>
    /// Normalizes <paramref name="input"/> into <paramref name="buffer"/> (at most <see cref="MaxLength"/> characters) and
    /// validates it.
    /// </summary>
    /// <param name="input">The code as typed.</param>
    /// <param name="buffer">Receives the canonical code; at least <see cref="MaxLength"/> characters long.</param>
    /// <param name="length">The normalized length, counted in full even when it exceeds the buffer.</param>
    internal static PromoCodeError Validate(ReadOnlySpan<char> input, Span<char> buffer, out int length)
    {
        length = 0;
        var invalidCharacter = false;
        foreach (var c in input)
        {
            if (!TryNormalize(c, out var normalized))
            {
                continue;
            }

            invalidCharacter |= PromoCodeChecksum.ValueOf(normalized) < 0;
            if (length < buffer.Length)
            {
                buffer[length] = normalized;
            }

            length++;
        }

        if (length == 0)
        {
            return PromoCodeError.Empty;
        }

        if (invalidCharacter)
        {
            return PromoCodeError.InvalidCharacter;
        }

        if (length < MinLength)
        {
            return PromoCodeError.TooShort;
        }

        if (length > MaxLength)
        {
            return PromoCodeError.TooLong;
        }

        return PromoCodeChecksum.HasValidCheckCharacter(buffer[..length])
            ? PromoCodeError.None
            : PromoCodeError.CheckCharacterMismatch;
    }

    private static InvalidPromoCodeException CreateException(string input, PromoCodeError error, int length)
    {
        var reason = error switch
        {
            PromoCodeError.Empty => "it is empty",
            PromoCodeError.InvalidCharacter =>
                "it contains a character that promo codes never use (they use only " + Alphabet + ")",
            PromoCodeError.TooShort or PromoCodeError.TooLong => string.Create(
                CultureInfo.InvariantCulture,
                $"it has {length} characters, and promo codes have {MinLength} to {MaxLength}"),
            _ => "its check character does not match, so it was probably mistyped",
        };
        return new InvalidPromoCodeException(
            string.Create(CultureInfo.InvariantCulture, $"The promo code '{Mask(input)}' is not valid: {reason}."));
    }

    /// <summary>Folds full-width forms to ASCII, upper-cases ASCII letters, and drops white space and separators.</summary>
    private static bool TryNormalize(char c, out char normalized)
    {
        // U+FF01..U+FF5E are the full-width forms of '!'..'~'.
        if (c is >= '\uFF01' and <= '\uFF5E')
        {
            c = (char)(c - 0xFEE0);
        }

        if (c == PromoCodeConstants.GroupSeparator || char.IsWhiteSpace(c))
        {
            normalized = default;
            return false;
        }

        normalized = char.IsAsciiLetterLower(c) ? (char)(c - ('a' - 'A')) : c;
        return true;
    }
}
