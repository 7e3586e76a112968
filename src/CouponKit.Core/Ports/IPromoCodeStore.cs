namespace CouponKit.Ports;

/// <summary>
/// Stores promo codes bound to coupon templates, and who redeemed each, keyed by a hash of the canonical code: the plain code
/// is never stored, so a copy of the store does not hand out working codes.
/// </summary>
/// <remarks>
/// <para>
/// The hash is computed by <c>PromoCodeRedemptions</c>; the store never sees a plain code. It is <c>{keyId}:{HEX}</c>, the
/// HMAC-SHA256 of the canonical code under a secret key kept outside the store (<c>PromoCodeHashingOptions</c>, rotatable: a
/// code is looked up under the current key, then under the previous ones), or, with no key configured (tests, samples), the
/// bare upper-case hexadecimal SHA-256 of earlier versions. Adapters must treat the hash as an opaque string of up to 128
/// characters.
/// </para>
/// <para>
/// A redemption is reserved by <see cref="TryRedeemAsync"/> before the coupon is issued, and released by
/// <see cref="ReleaseAsync"/> when the issue is refused, so that a refused issue does not use up the code.
/// </para>
/// </remarks>
public interface IPromoCodeStore
{
    /// <summary>
    /// Adds codes. A code whose hash is already stored is left as it is (its template, limit and redemptions unchanged) and
    /// reported back, so that the caller can generate another in its place.
    /// </summary>
    /// <param name="codes">The codes to add, with distinct hashes.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The hashes of <paramref name="codes"/> that were already stored and were not added; usually empty.</returns>
    Task<IReadOnlyList<string>> AddAsync(IReadOnlyList<PromoCodeEntry> codes, CancellationToken cancellationToken);

    /// <summary>
    /// Records, in one atomic step, that a user redeems a code: if no code has the hash, <see cref="PromoCodeRedeemStatus.Unknown"/>;
    /// else if the user already has a redemption of the code, <see cref="PromoCodeRedeemStatus.AlreadyRedeemed"/> with the
    /// request key that recorded it; else if the code has <see cref="PromoCodeEntry.MaxRedemptions"/> redemptions,
    /// <see cref="PromoCodeRedeemStatus.UsedUp"/>; else records the redemption with <paramref name="requestKey"/> and returns
    /// <see cref="PromoCodeRedeemStatus.Recorded"/>.
    /// </summary>
    /// <param name="codeHash">The hash of the canonical code.</param>
    /// <param name="userId">The user.</param>
    /// <param name="requestKey">The idempotency key of the request, kept with the redemption.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome, with the code's template unless the code is unknown.</returns>
    Task<PromoCodeRedeemOutcome> TryRedeemAsync(string codeHash, string userId, string requestKey, CancellationToken cancellationToken);

    /// <summary>
    /// Removes a user's redemption of a code, giving the code that redemption back; does nothing when there is none. Called
    /// when the coupon the redemption was for could not be issued.
    /// </summary>
    /// <param name="codeHash">The hash of the canonical code.</param>
    /// <param name="userId">The user.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    Task ReleaseAsync(string codeHash, string userId, CancellationToken cancellationToken);
}

/// <summary>A promo code as stored: its hash, never the plain code.</summary>
/// <param name="CodeHash">The hash of the canonical code (see <see cref="IPromoCodeStore"/>).</param>
/// <param name="TemplateId">The template whose coupon the code gives.</param>
/// <param name="MaxRedemptions">How many users may redeem the code: 1 for a single-use code, more for a multi-use code.</param>
/// <param name="CreatedAt">When the code was created.</param>
public sealed record PromoCodeEntry(string CodeHash, string TemplateId, int MaxRedemptions, DateTimeOffset CreatedAt);

/// <summary>What <see cref="IPromoCodeStore.TryRedeemAsync"/> did.</summary>
public enum PromoCodeRedeemStatus
{
    /// <summary>The redemption was recorded.</summary>
    Recorded,

    /// <summary>No code has this hash.</summary>
    Unknown,

    /// <summary>The user already has a redemption of the code; nothing was recorded.</summary>
    AlreadyRedeemed,

    /// <summary>The code has as many redemptions as it allows; nothing was recorded.</summary>
    UsedUp,
}

/// <summary>The outcome of <see cref="IPromoCodeStore.TryRedeemAsync"/>.</summary>
/// <param name="Status">What happened.</param>
/// <param name="TemplateId">The code's template; <see langword="null"/> when the code is unknown.</param>
/// <param name="RequestKey">
/// For <see cref="PromoCodeRedeemStatus.AlreadyRedeemed"/>, the request key that recorded the user's redemption; otherwise
/// <see langword="null"/>.
/// </param>
public sealed record PromoCodeRedeemOutcome(PromoCodeRedeemStatus Status, string? TemplateId, string? RequestKey);
