using System.Diagnostics.Metrics;
using System.Text.Json;
using CouponKit.Caching;
using CouponKit.Messaging;
using CouponKit.Ports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CouponKit.Issuance.Gated;

/// <summary>
/// Claims for flash sales, asynchronously: the claim gate (Redis) accepts or refuses at once, an accepted claim is handed to
/// the database as a <see cref="CouponTopics.Issue"/> command, and the claimant polls by claim key
/// (<see cref="GetStatusAsync"/>) until the coupon is issued or the claim is refused.
/// </summary>
/// <remarks>
/// <para>
/// The flow: rate limits (user, IP) → the template from the cache (<see cref="CachedTemplateReader"/>) → state, claim window,
/// channel and audience → <see cref="IClaimGate.TryReserveAsync"/> (atomically: key unused, user below the limit, stock
/// left; one unit taken) → the claim recorded as pending (<see cref="IPendingClaimStore"/>) → the issue command published →
/// <see cref="GatedClaimStatus.Pending"/>. The <see cref="GatedIssueConsumer"/> then issues through
/// <see cref="ICouponStore.IssueAsync"/>, idempotent by claim key. When the database refuses (sold out, limit, key
/// conflict), an error is permanent, or the command fails every delivery, the reservation is given back
/// (<see cref="IClaimGate.ReleaseAsync"/>, idempotent per claim key: stock and user count return once).
/// </para>
/// <para>
/// Nothing is ever issued without a database record: the database is the authority and checks inventory and per-user
/// limits again. When the gate does not know the template (not warmed up, or Redis is down and CouponKit.Redis is
/// configured to fall back to the database), the claim goes through <see cref="CouponClaims"/> synchronously and the answer
/// is final at once. When the gate fails (Redis down without fallback), the claim throws the gate's typed exception and
/// nothing is reserved or issued (fail closed).
/// </para>
/// </remarks>
public sealed class GatedClaims
{
    private readonly CachedTemplateReader _templates;
    private readonly IClaimGate? _gate;
    private readonly IPendingClaimStore _pending;
    private readonly ICouponStore _coupons;
    private readonly IRateLimiter _limiter;
    private readonly IMessageBus _bus;
    private readonly CouponClaims _claims;
    private readonly TimeProvider _time;
    private readonly CouponKitOptions _options;
    private readonly GatedMetrics _metrics;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="GatedClaims"/> class.</summary>
    /// <param name="templates">Reads templates through the cache.</param>
    /// <param name="pending">The pending claims.</param>
    /// <param name="coupons">The coupon store (the authority).</param>
    /// <param name="limiter">The rate limiter.</param>
    /// <param name="bus">The bus the issue commands go through.</param>
    /// <param name="claims">The synchronous claims, for templates the gate does not know.</param>
    /// <param name="time">The clock.</param>
    /// <param name="options">The options (rate-limit policies).</param>
    /// <param name="meterFactory">Creates the <c>CouponKit</c> meter; <see langword="null"/> for a process-wide one.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="claimGate">The claim gate (Redis with CouponKit.Redis); <see langword="null"/> sends every claim to the database synchronously.</param>
    public GatedClaims(CachedTemplateReader templates, IPendingClaimStore pending, ICouponStore coupons, IRateLimiter limiter, IMessageBus bus, CouponClaims claims, TimeProvider time, IOptions<CouponKitOptions> options, IMeterFactory? meterFactory = null, ILogger<GatedClaims>? logger = null, IClaimGate? claimGate = null)
    {
        _templates = templates ?? throw new ArgumentNullException(nameof(templates));
        _gate = claimGate;
        _pending = pending ?? throw new ArgumentNullException(nameof(pending));
        _coupons = coupons ?? throw new ArgumentNullException(nameof(coupons));
        _limiter = limiter ?? throw new ArgumentNullException(nameof(limiter));
        _bus = bus ?? throw new ArgumentNullException(nameof(bus));
        _claims = claims ?? throw new ArgumentNullException(nameof(claims));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Value;
        _metrics = GatedMetrics.For(meterFactory);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Submits a claim: refused at once, accepted (<see cref="GatedClaimStatus.Pending"/>), or issued at once when the gate does not know the template.</summary>
    /// <param name="request">The claim; its idempotency key is the claim key to poll with.</param>
    /// <param name="cancellationToken">Cancels the call (never between the reservation and the command).</param>
    /// <returns>Where the claim stands.</returns>
    /// <exception cref="ArgumentException">The request is malformed.</exception>
    /// <exception cref="TemplateNotFoundException">The template does not exist.</exception>
    /// <exception cref="CouponKitException">The gate (Redis) failed: nothing was reserved or issued, or the reservation was given back.</exception>
    public async Task<GatedClaimResult> SubmitAsync(ClaimRequest request, CancellationToken cancellationToken = default)
    {
        Validate(request);
        var key = request.IdempotencyKey;
        var user = request.User.UserId;
        var decision = await _limiter.TryAcquireAsync("claim:user:" + user, _options.ClaimUserPolicy, cancellationToken).ConfigureAwait(false);
        if (decision.Allowed && request.ClientIp is { } ip)
        {
            decision = await _limiter.TryAcquireAsync("claim:ip:" + ip, _options.ClaimIpPolicy, cancellationToken).ConfigureAwait(false);
        }

        if (!decision.Allowed)
        {
            return Count(GatedClaimResult.Rejected(key, ClaimRejection.RateLimited, "too many claims; try again later", decision.RetryAfter));
        }

        var template = await _templates.GetAsync(request.TemplateId, cancellationToken).ConfigureAwait(false);
        if (CouponClaims.Check(template, request, _time.GetUtcNow()) is { } rejected)
        {
            return Count(GatedClaimResult.From(key, rejected));
        }

        if (ClaimLimits.BypassesGate(template))
        {
            // Counted over active coupons or per identity key: only the store's atomic issue can decide.
            GatedLog.GateBypassed(_logger, template.Id);
            _metrics.Outcome("submit", "database");
            return GatedClaimResult.From(key, await _claims.ClaimAsync(request, cancellationToken).ConfigureAwait(false));
        }

        var gateRequest = new ClaimGateRequest(template.Id, user, template.PerUserLimit, key);
        var gate = _gate is null
            ? new ClaimGateDecision(ClaimGateStatus.NotWarmedUp, 0)
            : await _gate.TryReserveAsync(gateRequest, cancellationToken).ConfigureAwait(false);
        switch (gate.Status)
        {
            case ClaimGateStatus.SoldOut:
                return Count(GatedClaimResult.Rejected(key, ClaimRejection.SoldOut, "all coupons of this template have been claimed"));
            case ClaimGateStatus.LimitReached:
                return Count(GatedClaimResult.Rejected(key, ClaimRejection.LimitReached, $"at most {template.PerUserLimit} coupon(s) of this template per user"));
            case ClaimGateStatus.AlreadyReserved:
                var earlier = await GetStatusAsync(key, cancellationToken).ConfigureAwait(false);
                return Count(earlier.Status == GatedClaimStatus.Unknown ? GatedClaimResult.Pending(key) : earlier);
            case ClaimGateStatus.NotWarmedUp:
                GatedLog.GateBypassed(_logger, template.Id);
                _metrics.Outcome("submit", "database");
                return GatedClaimResult.From(key, await _claims.ClaimAsync(request, cancellationToken).ConfigureAwait(false));
        }

        // Reserved: from here on, the reservation is either handed to the database or given back.
        var claim = new PendingClaim(key, template.Id, user, template.PerUserLimit, request.Channel, _time.GetUtcNow());
        try
        {
            await _pending.AddAsync(claim, CancellationToken.None).ConfigureAwait(false);
            var body = JsonSerializer.Serialize(new GatedIssue(key, template.Id, user, template.PerUserLimit, request.Channel, claim.AcceptedAt), GatedIssueConsumer.Json);
            var command = new OutboxMessage(IssueMessageId(key), CouponTopics.Coupon, CouponTopics.Issue, template.Id, body, claim.AcceptedAt);
            await _bus.PublishAsync(command, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            GatedLog.HandOffFailed(_logger, ex, template.Id);
            await GiveBackAsync(claim).ConfigureAwait(false);
            throw;
        }

        return Count(GatedClaimResult.Pending(key));
    }

    /// <summary>Tells where a claim stands, by its key: the database first (a coupon there is final), then the pending claims.</summary>
    /// <param name="claimKey">The claim key (the request's idempotency key).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Where the claim stands.</returns>
    public async Task<GatedClaimResult> GetStatusAsync(string claimKey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(claimKey);
        if (await _coupons.FindByClaimKeyAsync(claimKey, cancellationToken).ConfigureAwait(false) is { } coupon)
        {
            return GatedClaimResult.Issued(claimKey, coupon);
        }

        var claim = await _pending.FindAsync(claimKey, cancellationToken).ConfigureAwait(false);
        switch (claim?.State)
        {
            case null:
                return GatedClaimResult.Unknown(claimKey);
            case PendingClaimState.Rejected:
                return GatedClaimResult.Rejected(claimKey, claim.Rejection ?? ClaimRejection.SoldOut, RejectionMessage(claim.Rejection));
            case PendingClaimState.Failed:
                return GatedClaimResult.Failed(claimKey, "the claim could not be issued; its reservation was given back");
            case PendingClaimState.Issued:
                // Settled between the two reads: the coupon is there now.
                return await _coupons.FindByClaimKeyAsync(claimKey, cancellationToken).ConfigureAwait(false) is { } issued
                    ? GatedClaimResult.Issued(claimKey, issued)
                    : GatedClaimResult.Pending(claimKey);
            default:
                return GatedClaimResult.Pending(claimKey);
        }
    }

    internal static string IssueMessageId(string claimKey) => $"claim:{claimKey.Length}:{claimKey}:issue";

    internal static string RejectionMessage(ClaimRejection? rejection) => rejection switch
    {
        ClaimRejection.LimitReached => "the user holds as many coupons of this template as allowed",
        ClaimRejection.InsufficientPoints => "the user does not have the points the claim costs",
        _ => "all coupons of this template have been claimed",
    };

    private static void Validate(ClaimRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Guard.Identifier(request.TemplateId, nameof(request.TemplateId));
        ArgumentNullException.ThrowIfNull(request.User, nameof(request.User));
        Guard.Identifier(request.User.UserId, nameof(request.User.UserId));
        if (string.IsNullOrWhiteSpace(request.IdempotencyKey) || request.IdempotencyKey.Length > CouponClaims.MaxIdempotencyKeyLength)
        {
            throw new ArgumentException($"The idempotency key must be 1 to {CouponClaims.MaxIdempotencyKeyLength} characters and not blank.", nameof(request));
        }

        if (request.Channel is not (ClaimChannels.Grab or ClaimChannels.Push or ClaimChannels.PromoCode))
        {
            throw new ArgumentException($"A claim comes through exactly one channel, got {request.Channel}.", nameof(request));
        }

        if (request.ClientIp is { Length: 0 or > 64 })
        {
            throw new ArgumentException("The client IP must be 1 to 64 characters.", nameof(request));
        }
    }

    private GatedClaimResult Count(GatedClaimResult result)
    {
        _metrics.Outcome("submit", result.Status == GatedClaimStatus.Rejected ? result.Rejection!.Value.ToString() : result.Status.ToString());
        return result;
    }

    /// <summary>The hand-off failed after the reservation: give it back, and settle the claim as failed; failures here are logged.</summary>
    private async Task GiveBackAsync(PendingClaim claim)
    {
        try
        {
            await _gate!.ReleaseAsync(claim.ToGateRequest(), CancellationToken.None).ConfigureAwait(false);
            await _pending.TrySettleAsync(claim.ClaimKey, PendingClaimState.Failed, null, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The hand-off's failure is the one to report; reconciliation repairs what this could not.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            GatedLog.GiveBackFailed(_logger, ex, claim.TemplateId);
        }
    }
}
