using System.ComponentModel.DataAnnotations;

namespace CouponKit.Security;

/// <summary>
/// The keys promo codes are hashed with before they are stored or looked up: HMAC-SHA256 under a secret key kept outside the
/// store, so that a copy of the store can be neither reversed nor used to check guesses offline. Keys rotate: new codes are
/// hashed with <see cref="CurrentKeyId"/>, and a code is looked up under the current key first, then under every other key of
/// <see cref="Keys"/> (previous keys, kept until their codes have expired).
/// </summary>
/// <remarks>
/// With no key configured, codes are hashed with unkeyed SHA-256, as CouponKit did before keys existed: acceptable for tests and
/// samples only, and logged as a warning. Set <see cref="AcceptUnkeyedHashes"/> while migrating codes stored that way.
/// </remarks>
public sealed class PromoCodeHashingOptions : IValidatableObject
{
    /// <summary>The most keys kept at once (the current and the previous ones).</summary>
    public const int MaxKeys = 8;

    /// <summary>The fewest bytes a key must have.</summary>
    public const int MinKeyBytes = 32;

    /// <summary>The longest key id.</summary>
    public const int MaxKeyIdLength = 16;

    /// <summary>Gets or sets the id of the key new codes are hashed with; it must be one of <see cref="Keys"/>.</summary>
    /// <value>The default value is <see langword="null"/>: no key (unkeyed SHA-256, for tests and samples only).</value>
    public string? CurrentKeyId { get; set; }

    /// <summary>
    /// Gets or sets the keys by id: each id 1 to 16 letters, digits, <c>-</c> or <c>_</c>; each key base64 of at least 32 random
    /// bytes. Keep previous keys here after a rotation until the codes hashed with them have expired.
    /// </summary>
    /// <value>The default value is empty.</value>
    [Required]
#pragma warning disable CA2227 // Bound from configuration.
    public Dictionary<string, string> Keys { get; set; } = new(StringComparer.Ordinal);
#pragma warning restore CA2227

    /// <summary>Gets or sets a value indicating whether codes stored with unkeyed SHA-256 are still accepted (during a migration).</summary>
    /// <value>The default value is <see langword="false"/> (always <see langword="true"/> when no key is configured).</value>
    public bool AcceptUnkeyedHashes { get; set; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Keys is null)
        {
            yield break;
        }

        if (Keys.Count > MaxKeys)
        {
            yield return new ValidationResult($"At most {MaxKeys} promo-code keys may be configured.", [nameof(Keys)]);
        }

        foreach (var (id, key) in Keys)
        {
            if (!IsValidKeyId(id))
            {
                yield return new ValidationResult($"A promo-code key id must be 1 to {MaxKeyIdLength} letters, digits, '-' or '_'.", [nameof(Keys)]);
            }

            if (!TryDecode(key, out _))
            {
                yield return new ValidationResult($"Promo-code key '{id}' must be base64 of at least {MinKeyBytes} bytes.", [nameof(Keys)]);
            }
        }

        if (CurrentKeyId is null ? Keys.Count > 0 : !Keys.ContainsKey(CurrentKeyId))
        {
            yield return new ValidationResult("CurrentKeyId must name one of the configured promo-code keys.", [nameof(CurrentKeyId)]);
        }
    }

    internal static bool IsValidKeyId(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= MaxKeyIdLength && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    internal static bool TryDecode(string? key, out byte[] bytes)
    {
        bytes = [];
        if (string.IsNullOrWhiteSpace(key))
        {
            return false;
        }

        try
        {
            bytes = Convert.FromBase64String(key);
        }
        catch (FormatException)
        {
            return false;
        }

        return bytes.Length >= MinKeyBytes;
    }
}
