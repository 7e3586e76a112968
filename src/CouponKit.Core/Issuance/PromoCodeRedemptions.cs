using System.ComponentModel.DataAnnotations;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CouponKit.Codes;
using CouponKit.InMemory;
using CouponKit.Ports;
using CouponKit.Security;
using CouponKit.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CouponKit.Issuance;

/// <summary>
/// Promo codes: the merchant creates codes bound to a template, and users redeem them for the template's coupon.
/// </summary>
/// <remarks>
/// <para>
/// A redemption goes, in order: the code is normalized and its check character verified, so a mistyped code is refused as
/// <see cref="PromoCodeRejection.Malformed"/> without a lookup and without counting as an attempt; the attempt is counted
/// against the user's and the client IP's limits (<see cref="PromoCodeRedemptionOptions"/>) before anything is looked up, so
/// that guessing codes is throttled; the redemption is recorded atomically in the <see cref="IPromoCodeStore"/> (once per
/// user, never beyond the code's limit); then the coupon is claimed through <see cref="CouponClaims"/> with the
/// <see cref="ClaimChannels.PromoCode"/> channel and the key <c>promo:{codeHash}:{userId}</c>, so that one redemption issues
/// at most one coupon however often it is retried.
/// </para>
/// <para>
/// The redemption is recorded before the claim (a claim made first could not be taken back if the code then turned out used
/// up), and is released again when the claim is refused (sold out, not eligible, template paused, ...), so a refused claim
/// does not use up the code. It is kept when the claim is only rate-limited or fails with an exception, because a coupon may
/// then still be issued by a concurrent or retried request; any later request of the same user for the same code completes
/// it.
/// </para>
/// <para>Promo codes are secrets: results, exceptions and logs show them masked (<see cref="PromoCode.Mask(string)"/>), and
/// the store keeps only their keyed hashes (HMAC-SHA256 under <see cref="PromoCodeRedemptionOptions.Hashing"/>, rotatable).</para>
/// <para>Guessing is throttled twice: every well-formed attempt takes a token of the user's and the IP's buckets, and every
/// miss (a code that matches nothing) counts toward an exponential lock-out of the user and of the IP
/// (<see cref="IAttemptThrottle"/>): after <see cref="PromoCodeRedemptionOptions.FreeMissesPerUser"/> misses the user is locked
/// out for <see cref="PromoCodeRedemptionOptions.LockoutBase"/>, doubling with every further miss.</para>
/// <para>Merchants are tenants: <see cref="CreateCodesAsync(MerchantActor, string, int, int, CancellationToken)"/> creates
/// codes only for the actor's own templates.</para>
/// </remarks>
public sealed class PromoCodeRedemptions
{
    /// <summary>The longest idempotency key accepted.</summary>
    public const int MaxIdempotencyKeyLength = CouponClaims.MaxIdempotencyKeyLength;

    /// <summary>The most codes stored in one call to the store when codes are created.</summary>
    private const int AddChunkSize = 1_000;

    /// <summary>How many times codes that collide with stored ones are regenerated before giving up.</summary>
    private const int MaxRegenerations = 10;

    private readonly IPromoCodeStore _codes;
    private readonly ITemplateStore _templates;
    private readonly ICouponStore _coupons;
    private readonly CouponClaims _claims;
    private readonly IRateLimiter _limiter;
    private readonly TimeProvider _time;
    private readonly PromoCodeGenerator _generator;
    private readonly RateLimitPolicy _userPolicy;
    private readonly RateLimitPolicy _ipPolicy;
    private readonly LockoutPolicy _userLockout;
    private readonly LockoutPolicy _ipLockout;
    private readonly PromoCodeHasher _hasher;
    private readonly IAttemptThrottle _throttle;
    private readonly IAuditLog? _audit;
    private readonly CouponKitMetrics _metrics;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="PromoCodeRedemptions"/> class.</summary>
    /// <param name="codes">The promo code store.</param>
    /// <param name="templates">The template store.</param>
    /// <param name="coupons">The coupon store, to find the coupon of an earlier redemption.</param>
    /// <param name="claims">The claims, which issue the coupons.</param>
    /// <param name="limiter">The rate limiter.</param>
    /// <param name="time">The clock.</param>
    /// <param name="options">The options.</param>
    /// <param name="throttle">Counts misses and locks out; <see langword="null"/> for one in process memory.</param>
    /// <param name="audit">The audit trail, for codes created; <see langword="null"/> for none.</param>
    /// <param name="meterFactory">Creates the <c>CouponKit</c> meter; <see langword="null"/> for a process-wide one.</param>
    /// <param name="logger">The logger; codes appear in it only masked.</param>
    /// <exception cref="OptionsValidationException">The options are not valid.</exception>
    public PromoCodeRedemptions(
        IPromoCodeStore codes,
        ITemplateStore templates,
        ICouponStore coupons,
        CouponClaims claims,
        IRateLimiter limiter,
        TimeProvider time,
        IOptions<PromoCodeRedemptionOptions> options,
        IAttemptThrottle? throttle = null,
        IAuditLog? audit = null,
        IMeterFactory? meterFactory = null,
        ILogger<PromoCodeRedemptions>? logger = null)
    {
        _codes = codes ?? throw new ArgumentNullException(nameof(codes));
        _templates = templates ?? throw new ArgumentNullException(nameof(templates));
        _coupons = coupons ?? throw new ArgumentNullException(nameof(coupons));
        _claims = claims ?? throw new ArgumentNullException(nameof(claims));
        _limiter = limiter ?? throw new ArgumentNullException(nameof(limiter));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        var value = (options ?? throw new ArgumentNullException(nameof(options))).Value;
        PromoCodeRedemptionOptionsValidator.ThrowIfInvalid(value);
        _generator = new PromoCodeGenerator(value.Codes);
        _userPolicy = new RateLimitPolicy(value.AttemptsPerUser, value.AttemptWindow);
        _ipPolicy = new RateLimitPolicy(value.AttemptsPerIp, value.AttemptWindow);
        _userLockout = new LockoutPolicy(value.FreeMissesPerUser, value.LockoutBase, value.LockoutMax, value.ForgetMissesAfter);
        _ipLockout = new LockoutPolicy(value.FreeMissesPerIp, value.LockoutBase, value.LockoutMax, value.ForgetMissesAfter);
        _hasher = new PromoCodeHasher(value.Hashing);
        _throttle = throttle ?? new InMemoryAttemptThrottle(time);
        _audit = audit;
        _metrics = CouponKitMetrics.For(meterFactory);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        if (_hasher.IsUnkeyed)
        {
            Log.PromoCodesUnkeyed(_logger);
        }
    }

    /// <summary>
    /// Creates promo codes for a template and returns them in plain text, this once: only their hashes are stored, so save
    /// or hand them out now.
    /// </summary>
    /// <param name="templateId">The template whose coupon the codes give.</param>
    /// <param name="count">The number of codes: 1 to <see cref="PromoCodeGenerator.MaxBatchCount"/>.</param>
    /// <param name="maxRedemptionsPerCode">
    /// How many users may redeem each code: 1 for single-use codes, more for multi-use codes (each user once), up to
    /// <see cref="CouponTemplate.MaxInventory"/>. The template's inventory still caps the coupons issued.
    /// </param>
    /// <param name="cancellationToken">Cancels the call. Codes stored before it is cancelled stay stored but are never shown.</param>
    /// <returns>The codes, in canonical form (display them with <see cref="PromoCode.Format(string, int)"/>).</returns>
    /// <exception cref="ArgumentException">The template id is blank or too long.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> or <paramref name="maxRedemptionsPerCode"/> is out of range.</exception>
    /// <exception cref="TemplateNotFoundException">The template does not exist.</exception>
    /// <exception cref="TemplateStateException">The template has ended.</exception>
    /// <exception cref="InvalidTemplateException">The template does not issue through <see cref="ClaimChannels.PromoCode"/>.</exception>
    public Task<IReadOnlyList<string>> CreateCodesAsync(string templateId, int count, int maxRedemptionsPerCode, CancellationToken cancellationToken = default) =>
        CreateCodesAsync(MerchantActor.Platform, templateId, count, maxRedemptionsPerCode, cancellationToken);

    /// <summary>
    /// Creates promo codes for one of the actor's templates and returns them in plain text, this once: only their keyed hashes
    /// are stored. The creation is audited (template, count, limit per code; never a code).
    /// </summary>
    /// <param name="actor">Who acts; the template must belong to its owner.</param>
    /// <param name="templateId">The template whose coupon the codes give.</param>
    /// <param name="count">The number of codes: 1 to <see cref="PromoCodeGenerator.MaxBatchCount"/>.</param>
    /// <param name="maxRedemptionsPerCode">How many users may redeem each code: 1 to <see cref="CouponTemplate.MaxInventory"/>.</param>
    /// <param name="cancellationToken">Cancels the call. Codes stored before it is cancelled stay stored but are never shown.</param>
    /// <returns>The codes, in canonical form.</returns>
    /// <exception cref="ArgumentException">The template id is blank or too long.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> or <paramref name="maxRedemptionsPerCode"/> is out of range.</exception>
    /// <exception cref="TemplateNotFoundException">The template does not exist.</exception>
    /// <exception cref="MerchantAccessDeniedException">The template belongs to another owner.</exception>
    /// <exception cref="TemplateStateException">The template has ended.</exception>
    /// <exception cref="InvalidTemplateException">The template does not issue through <see cref="ClaimChannels.PromoCode"/>.</exception>
    public async Task<IReadOnlyList<string>> CreateCodesAsync(MerchantActor actor, string templateId, int count, int maxRedemptionsPerCode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        Guard.Identifier(templateId, nameof(templateId));
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, PromoCodeGenerator.MaxBatchCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRedemptionsPerCode, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxRedemptionsPerCode, CouponTemplate.MaxInventory);

        var template = await CouponTemplates.RequireOwnedAsync(_templates, actor, templateId, SecurityReasons.OperationPromoCodes, _metrics, cancellationToken).ConfigureAwait(false);
        if (template.State == TemplateState.Ended)
        {
            throw new TemplateStateException(templateId, template.State, "given promo codes");
        }

        if ((template.Channels & ClaimChannels.PromoCode) == 0)
        {
            throw new InvalidTemplateException(templateId, "channels", "the template does not issue through promo codes, so its codes could never be redeemed.");
        }

        var now = _time.GetUtcNow();
        var codes = new List<string>(count);
        IReadOnlyList<string> pending = _generator.Generate(count);
        var taken = new HashSet<string>(pending, StringComparer.Ordinal);
        for (var round = 0; pending.Count > 0; round++)
        {
            if (round > MaxRegenerations)
            {
                throw new InvalidOperationException("Generated promo codes keep colliding with stored ones; use a longer body or a prefix.");
            }

            var collided = 0;
            for (var start = 0; start < pending.Count; start += AddChunkSize)
            {
                var chunk = pending.Skip(start).Take(AddChunkSize).ToArray();
                var byHash = chunk.ToDictionary(_hasher.Hash, StringComparer.Ordinal);
                var entries = byHash.Keys.Select(hash => new PromoCodeEntry(hash, templateId, maxRedemptionsPerCode, now)).ToArray();
                var existing = await _codes.AddAsync(entries, cancellationToken).ConfigureAwait(false);
                var refused = existing.Count == 0 ? null : existing.ToHashSet(StringComparer.Ordinal);
                foreach (var (hash, code) in byHash)
                {
                    if (refused?.Contains(hash) == true)
                    {
                        collided++;
                    }
                    else
                    {
                        codes.Add(code);
                    }
                }
            }

            pending = Regenerate(collided, taken);
        }

        if (_audit is not null)
        {
            await _audit.AppendAsync(
                new AuditEntry(template.OwnerId, actor.ActorId, "promo codes created", "template", template.Id, _time.GetUtcNow(), [
                    new AuditChange("promoCodes", null, codes.Count.ToString(CultureInfo.InvariantCulture)),
                    new AuditChange("maxRedemptionsPerCode", null, maxRedemptionsPerCode.ToString(CultureInfo.InvariantCulture)),
                ]),
                CancellationToken.None).ConfigureAwait(false);
        }

        return codes;
    }

    /// <summary>Redeems a promo code for the coupon of its template.</summary>
    /// <param name="request">The redemption.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The coupon issued, or why nothing was.</returns>
    /// <exception cref="ArgumentException">The request is malformed (missing code or user, blank or too long key or IP).</exception>
    /// <exception cref="TemplateNotFoundException">The code's template no longer exists.</exception>
    public async Task<PromoCodeRedemptionResult> RedeemAsync(PromoCodeRedemptionRequest request, CancellationToken cancellationToken = default)
    {
        Validate(request);
        if (!PromoCode.TryParse(request.Code, out var code))
        {
            Log.PromoCodeRejected(_logger, PromoCode.Mask(request.Code), nameof(PromoCodeRejection.Malformed));
            return PromoCodeRedemptionResult.Rejected(
                PromoCodeRejection.Malformed,
                $"the promo code {PromoCode.Mask(request.Code)} is not valid; check it for typing mistakes");
        }

        var user = request.User.UserId;
        var now = _time.GetUtcNow();
        var userKey = "promo:user:" + user;
        var ipKey = request.ClientIp is { } clientIp ? "promo:ip:" + clientIp : null;
        var lockout = (await _throttle.GetAsync(userKey, cancellationToken).ConfigureAwait(false)).RemainingAt(now);
        if (ipKey is not null)
        {
            var ipLockout = (await _throttle.GetAsync(ipKey, cancellationToken).ConfigureAwait(false)).RemainingAt(now);
            lockout = ipLockout > lockout ? ipLockout : lockout;
        }

        if (lockout > TimeSpan.Zero)
        {
            _metrics.SecurityRefusal(SecurityReasons.PromoCodeLockedOut, SecurityReasons.OperationRedeem);
            Log.PromoCodeLockedOut(_logger, PromoCode.Mask(code), lockout);
            return PromoCodeRedemptionResult.Rejected(PromoCodeRejection.RateLimited, "too many promo codes that match nothing; try again later", retryAfter: lockout);
        }

        var decision = await _limiter.TryAcquireAsync(userKey, _userPolicy, cancellationToken).ConfigureAwait(false);
        if (decision.Allowed && request.ClientIp is { } ip)
        {
            decision = await _limiter.TryAcquireAsync(ipKey!, _ipPolicy, cancellationToken).ConfigureAwait(false);
        }

        if (!decision.Allowed)
        {
            Log.PromoCodeRejected(_logger, PromoCode.Mask(code), nameof(PromoCodeRejection.RateLimited));
            return PromoCodeRedemptionResult.Rejected(PromoCodeRejection.RateLimited, "too many promo code attempts; try again later", retryAfter: decision.RetryAfter);
        }

        // Look the code up under the current key, then the previous ones: an unknown hash changes nothing in the store.
        string hash = string.Empty;
        PromoCodeRedeemOutcome outcome = new(PromoCodeRedeemStatus.Unknown, null, null);
        foreach (var candidate in _hasher.Candidates(code))
        {
            hash = candidate;
            outcome = await _codes.TryRedeemAsync(candidate, user, request.IdempotencyKey, cancellationToken).ConfigureAwait(false);
            if (outcome.Status != PromoCodeRedeemStatus.Unknown)
            {
                break;
            }
        }

        var claimKey = PromoCodeHasher.ClaimKey(hash, user);
        switch (outcome.Status)
        {
            case PromoCodeRedeemStatus.Unknown:
                await _throttle.RecordMissAsync(userKey, _userLockout, cancellationToken).ConfigureAwait(false);
                if (ipKey is not null)
                {
                    await _throttle.RecordMissAsync(ipKey, _ipLockout, cancellationToken).ConfigureAwait(false);
                }

                _metrics.SecurityRefusal(SecurityReasons.PromoCodeMiss, SecurityReasons.OperationRedeem);
                Log.PromoCodeRejected(_logger, PromoCode.Mask(code), nameof(PromoCodeRejection.Unknown));
                return PromoCodeRedemptionResult.Rejected(PromoCodeRejection.Unknown, $"the promo code {PromoCode.Mask(code)} does not exist");
            case PromoCodeRedeemStatus.UsedUp:
                return PromoCodeRedemptionResult.Rejected(PromoCodeRejection.UsedUp, $"the promo code {PromoCode.Mask(code)} has been used up");
            case PromoCodeRedeemStatus.AlreadyRedeemed:
                var earlier = await _coupons.FindByClaimKeyAsync(claimKey, cancellationToken).ConfigureAwait(false);
                if (earlier is not null)
                {
                    return string.Equals(outcome.RequestKey, request.IdempotencyKey, StringComparison.Ordinal)
                        ? PromoCodeRedemptionResult.Redeemed(earlier, replay: true)
                        : PromoCodeRedemptionResult.Rejected(PromoCodeRejection.AlreadyRedeemed, $"you already redeemed the promo code {PromoCode.Mask(code)}");
                }

                // Recorded, but no coupon yet: an earlier request was interrupted or is still running. Finish it; the claim key
                // lets this redemption issue at most one coupon.
                break;
        }

        return await ClaimAsync(request, outcome.TemplateId!, hash, claimKey, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Hashes a canonical promo code the legacy way, without a key: upper-case hexadecimal SHA-256 of its ASCII characters. What
    /// the store holds when no key is configured (<see cref="PromoCodeHashingOptions"/>).
    /// </summary>
    /// <param name="canonicalCode">The code as returned by <see cref="PromoCode.Parse(string)"/>.</param>
    /// <returns>64 hexadecimal characters.</returns>
    internal static string HashOf(string canonicalCode)
    {
        Span<byte> bytes = stackalloc byte[PromoCode.MaxLength];
        var length = Encoding.ASCII.GetBytes(canonicalCode, bytes);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(bytes[..length], hash);
        return Convert.ToHexString(hash);
    }

    private static void Validate(PromoCodeRedemptionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Code, nameof(request.Code));
        ArgumentNullException.ThrowIfNull(request.User, nameof(request.User));
        if (string.IsNullOrWhiteSpace(request.IdempotencyKey) || request.IdempotencyKey.Length > MaxIdempotencyKeyLength)
        {
            throw new ArgumentException($"The idempotency key must be 1 to {MaxIdempotencyKeyLength} characters and not blank.", nameof(request));
        }

        if (request.ClientIp is { Length: 0 or > 64 })
        {
            throw new ArgumentException("The client IP must be 1 to 64 characters.", nameof(request));
        }
    }

    private async Task<PromoCodeRedemptionResult> ClaimAsync(PromoCodeRedemptionRequest request, string templateId, string hash, string claimKey, CancellationToken cancellationToken)
    {
        var user = request.User.UserId;
        ClaimResult claim;
        try
        {
            claim = await _claims.ClaimAsync(
                new ClaimRequest
                {
                    TemplateId = templateId,
                    User = request.User,
                    IdempotencyKey = claimKey,
                    Channel = ClaimChannels.PromoCode,
                    ClientIp = request.ClientIp,
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (TemplateNotFoundException)
        {
            await _codes.ReleaseAsync(hash, user, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        if (claim.IsIssued)
        {
            Log.PromoCodeRedeemed(_logger, PromoCode.Mask(request.Code), templateId);
            return PromoCodeRedemptionResult.Redeemed(claim.Coupon!, claim.IsReplay);
        }

        if (claim.Rejection == ClaimRejection.RateLimited)
        {
            // Keep the redemption: a concurrent request of this user for this code may still issue the coupon.
            return PromoCodeRedemptionResult.Rejected(PromoCodeRejection.RateLimited, claim.Message, ClaimRejection.RateLimited, claim.RetryAfter);
        }

        // Refused for a reason every request of this user for this code meets alike: give the redemption back.
        await _codes.ReleaseAsync(hash, user, CancellationToken.None).ConfigureAwait(false);
        return PromoCodeRedemptionResult.Rejected(PromoCodeRejection.NotIssued, claim.Message, claim.Rejection);
    }

    /// <summary>Generates codes unlike any in <paramref name="taken"/>, and adds them to it.</summary>
    private List<string> Regenerate(int count, HashSet<string> taken)
    {
        var codes = new List<string>(count);
        while (codes.Count < count)
        {
            var code = _generator.Generate();
            if (taken.Add(code))
            {
                codes.Add(code);
            }
        }

        return codes;
    }
}

/// <summary>Options of <see cref="PromoCodeRedemptions"/>: how hard guessing codes is throttled, and how codes look.</summary>
/// <remarks>
/// Every attempt with a well-formed code counts against the limits, not only the misses: the limits are checked before the
/// code is looked up, so whether it misses is not known yet. A mistyped code (wrong check character) is refused without a
/// lookup and does not count. The limits are token buckets: a full bucket refills evenly over <see cref="AttemptWindow"/>.
/// </remarks>
public sealed class PromoCodeRedemptionOptions
{
    /// <summary>Gets or sets how many promo codes one user may try per window.</summary>
    /// <value>The default value is 10.</value>
    [Range(1, 1_000_000)]
    public int AttemptsPerUser { get; set; } = 10;

    /// <summary>Gets or sets how many promo codes one client IP address may try per window, across users.</summary>
    /// <value>The default value is 100.</value>
    [Range(1, 1_000_000)]
    public int AttemptsPerIp { get; set; } = 100;

    /// <summary>Gets or sets the window of the attempt limits.</summary>
    /// <value>The default value is 15 minutes.</value>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "AttemptWindow must be between 1 second and 1 day.")]
    public TimeSpan AttemptWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Gets or sets how many codes that match nothing one user may try before being locked out.</summary>
    /// <value>The default value is 5.</value>
    [Range(1, 1_000)]
    public int FreeMissesPerUser { get; set; } = 5;

    /// <summary>Gets or sets how many codes that match nothing one client IP may try, across users, before being locked out.</summary>
    /// <value>The default value is 50.</value>
    [Range(1, 1_000)]
    public int FreeMissesPerIp { get; set; } = 50;

    /// <summary>Gets or sets the first lock-out after the free misses; each further miss doubles it.</summary>
    /// <value>The default value is 1 minute.</value>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "LockoutBase must be between 1 second and 1 day.")]
    public TimeSpan LockoutBase { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets the longest lock-out.</summary>
    /// <value>The default value is 1 day.</value>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00", ErrorMessage = "LockoutMax must be between 1 second and 30 days.")]
    public TimeSpan LockoutMax { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Gets or sets how long after the last miss the misses are forgotten.</summary>
    /// <value>The default value is 1 day.</value>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00", ErrorMessage = "ForgetMissesAfter must be between 1 minute and 30 days.")]
    public TimeSpan ForgetMissesAfter { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Gets or sets the keys codes are hashed with (HMAC-SHA256, rotatable).</summary>
    /// <value>The default value has no key: unkeyed SHA-256, for tests and samples only (a warning is logged).</value>
    [Required]
    [ValidateObjectMembers]
    public PromoCodeHashingOptions Hashing { get; set; } = new();

    /// <summary>Gets or sets how new codes are generated.</summary>
    /// <value>The default value is a 9-symbol body without prefix (44.6 bits).</value>
    [Required]
    [ValidateObjectMembers]
    public PromoCodeGeneratorOptions Codes { get; set; } = new();
}

/// <summary>Checks <see cref="PromoCodeRedemptionOptions"/> (source-generated from its DataAnnotations).</summary>
[OptionsValidator]
internal sealed partial class PromoCodeRedemptionOptionsValidator : IValidateOptions<PromoCodeRedemptionOptions>
{
    /// <summary>Throws <see cref="OptionsValidationException"/> when <paramref name="options"/> is not valid.</summary>
    /// <param name="options">The options to check.</param>
    public static void ThrowIfInvalid(PromoCodeRedemptionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new PromoCodeRedemptionOptionsValidator().Validate(Options.DefaultName, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(PromoCodeRedemptionOptions), result.Failures);
        }
    }
}

/// <summary>A user's request to redeem a promo code. Its <see cref="object.ToString"/> does not show the code.</summary>
public sealed class PromoCodeRedemptionRequest
{
    /// <summary>Gets the code as the user typed it; it is normalized (case, spaces, dashes, full-width forms) first.</summary>
    public required string Code { get; init; }

    /// <summary>Gets the user, with the segments the template's audience is checked against.</summary>
    public required UserProfile User { get; init; }

    /// <summary>
    /// Gets the idempotency key: a retry with the same key returns the same coupon, while another request of the same user
    /// for the same code is refused as <see cref="PromoCodeRejection.AlreadyRedeemed"/>.
    /// </summary>
    public required string IdempotencyKey { get; init; }

    /// <summary>Gets the client's IP address, for rate limiting, if known.</summary>
    public string? ClientIp { get; init; }
}

/// <summary>Why a promo code gave no coupon.</summary>
public enum PromoCodeRejection
{
    /// <summary>The code is not well-formed (a typing mistake: wrong length, symbol or check character); it was not looked up.</summary>
    Malformed,

    /// <summary>No such code exists.</summary>
    Unknown,

    /// <summary>The user already redeemed this code.</summary>
    AlreadyRedeemed,

    /// <summary>The code has been redeemed as many times as it allows.</summary>
    UsedUp,

    /// <summary>Too many attempts; retry after <see cref="PromoCodeRedemptionResult.RetryAfter"/>.</summary>
    RateLimited,

    /// <summary>The template refused the coupon (see <see cref="PromoCodeRedemptionResult.ClaimRejection"/>); the code was not used up.</summary>
    NotIssued,
}

/// <summary>The answer to a promo code redemption: the coupon issued, or the reason nothing was. Never shows the code in full.</summary>
public sealed class PromoCodeRedemptionResult
{
    private PromoCodeRedemptionResult(IssuedCoupon? coupon, bool isReplay, PromoCodeRejection? rejection, ClaimRejection? claimRejection, string message, TimeSpan? retryAfter)
    {
        Coupon = coupon;
        IsReplay = isReplay;
        Rejection = rejection;
        ClaimRejection = claimRejection;
        Message = message;
        RetryAfter = retryAfter;
    }

    /// <summary>Gets a value indicating whether a coupon was issued for the code (now, or by an earlier request with the same key).</summary>
    public bool IsRedeemed => Coupon is not null;

    /// <summary>Gets the coupon issued.</summary>
    public IssuedCoupon? Coupon { get; }

    /// <summary>Gets a value indicating whether the coupon was issued by an earlier request.</summary>
    public bool IsReplay { get; }

    /// <summary>Gets why nothing was issued.</summary>
    public PromoCodeRejection? Rejection { get; }

    /// <summary>
    /// Gets why the template refused the coupon, for <see cref="PromoCodeRejection.NotIssued"/> (and
    /// <see cref="Issuance.ClaimRejection.RateLimited"/> when the claim itself was rate-limited).
    /// </summary>
    public ClaimRejection? ClaimRejection { get; }

    /// <summary>Gets the outcome in words; the code appears only masked.</summary>
    public string Message { get; }

    /// <summary>Gets when to retry, for <see cref="PromoCodeRejection.RateLimited"/>.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <inheritdoc />
    public override string ToString() => IsRedeemed
        ? string.Create(CultureInfo.InvariantCulture, $"Redeemed {Coupon!.CouponId}{(IsReplay ? " (replay)" : string.Empty)}")
        : string.Create(CultureInfo.InvariantCulture, $"Rejected {Rejection}{(ClaimRejection is { } c ? $" ({c})" : string.Empty)}: {Message}");

    internal static PromoCodeRedemptionResult Redeemed(IssuedCoupon coupon, bool replay) =>
        new(coupon, replay, null, null, replay ? "the promo code was already redeemed for this request" : "promo code redeemed", null);

    internal static PromoCodeRedemptionResult Rejected(PromoCodeRejection rejection, string message, ClaimRejection? claimRejection = null, TimeSpan? retryAfter = null) =>
        new(null, false, rejection, claimRejection, message, retryAfter);
}
