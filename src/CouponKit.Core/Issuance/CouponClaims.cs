using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Redemption;
using System.Diagnostics.Metrics;
using CouponKit.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CouponKit.Issuance;

/// <summary>
/// Users claim (grab) coupons. A claim checks, in order: the rate limits of the user and the IP address; an earlier claim with
/// the same idempotency key (which returns the same coupon); the template's state, claim window, channel and audience; the claim
/// cost in points; then the store issues the coupon atomically against the per-user limit and the inventory. Points taken for a
/// claim that issues nothing are returned, through a retried <see cref="CouponTopics.PointsRefund"/> command if the ledger fails.
/// </summary>
public sealed class CouponClaims
{
    /// <summary>The longest idempotency key accepted.</summary>
    public const int MaxIdempotencyKeyLength = 200;

    private readonly ITemplateStore _templates;
    private readonly ICouponStore _coupons;
    private readonly IRateLimiter _limiter;
    private readonly IPointsLedger _points;
    private readonly IMessageBus _bus;
    private readonly TimeProvider _time;
    private readonly CouponKitOptions _options;
    private readonly IClaimGate? _gate;
    private readonly CouponKitMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Benefits.BenefitCrediter _benefits;

    /// <summary>Initializes a new instance of the <see cref="CouponClaims"/> class.</summary>
    /// <param name="templates">The template store.</param>
    /// <param name="coupons">The coupon store.</param>
    /// <param name="limiter">The rate limiter.</param>
    /// <param name="points">The points ledger.</param>
    /// <param name="bus">The message bus, for compensations.</param>
    /// <param name="time">The clock.</param>
    /// <param name="options">The options.</param>
    /// <param name="meterFactory">Creates the <c>CouponKit</c> meter; <see langword="null"/> for a process-wide one.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="claimGate">An optional fast gate (Redis) that refuses losing attempts before the store; <see langword="null"/> for none.</param>
    /// <param name="wallet">The wallet red envelopes are credited to; <see langword="null"/> leaves their credit to the <c>BenefitCredit</c> command.</param>
    public CouponClaims(ITemplateStore templates, ICouponStore coupons, IRateLimiter limiter, IPointsLedger points, IMessageBus bus, TimeProvider time, IOptions<CouponKitOptions> options, IMeterFactory? meterFactory = null, ILogger<CouponClaims>? logger = null, IClaimGate? claimGate = null, IWalletLedger? wallet = null)
    {
        _benefits = new Benefits.BenefitCrediter(points ?? throw new ArgumentNullException(nameof(points)), wallet);
        _gate = claimGate;
        _metrics = CouponKitMetrics.For(meterFactory);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _templates = templates ?? throw new ArgumentNullException(nameof(templates));
        _coupons = coupons ?? throw new ArgumentNullException(nameof(coupons));
        _limiter = limiter ?? throw new ArgumentNullException(nameof(limiter));
        _points = points ?? throw new ArgumentNullException(nameof(points));
        _bus = bus ?? throw new ArgumentNullException(nameof(bus));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Value;
    }

    /// <summary>Claims a coupon.</summary>
    /// <param name="request">The claim.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The coupon issued, or why nothing was.</returns>
    /// <exception cref="ArgumentException">The request is malformed (blank ids, key too long, unknown channel).</exception>
    /// <exception cref="TemplateNotFoundException">The template does not exist.</exception>
    /// <exception cref="IdempotencyKeyConflictException">The key was used for another user or template.</exception>
    public async Task<ClaimResult> ClaimAsync(ClaimRequest request, CancellationToken cancellationToken = default)
    {
        Validate(request);
        using var activity = CouponKitMetrics.ActivitySource.StartActivity("couponkit.claim");
        activity?.SetTag("couponkit.template.id", request.TemplateId);
        ClaimResult result;
        try
        {
            result = await ClaimCoreAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (CouponKitException ex)
        {
            _metrics.Claim(ex.ErrorCode);
            throw;
        }

        var outcome = result.IsIssued ? (result.IsReplay ? "replayed" : "issued") : result.Rejection!.Value.ToString();
        _metrics.Claim(outcome);
        activity?.SetTag("couponkit.claim.outcome", outcome);
        if (result.IsIssued)
        {
            Log.ClaimIssued(_logger, result.Coupon!.CouponId, request.TemplateId, result.IsReplay);
        }
        else
        {
            Log.ClaimRejected(_logger, request.TemplateId, outcome);
        }

        return result;
    }

    private async Task<ClaimResult> ClaimCoreAsync(ClaimRequest request, CancellationToken cancellationToken)
    {
        var user = request.User.UserId;
        var decision = await _limiter.TryAcquireAsync("claim:user:" + user, _options.ClaimUserPolicy, cancellationToken).ConfigureAwait(false);
        if (decision.Allowed && request.ClientIp is { } ip)
        {
            decision = await _limiter.TryAcquireAsync("claim:ip:" + ip, _options.ClaimIpPolicy, cancellationToken).ConfigureAwait(false);
        }

        if (!decision.Allowed)
        {
            return ClaimResult.Rejected(ClaimRejection.RateLimited, "too many claims; try again later", decision.RetryAfter);
        }

        var template = await _templates.FindAsync(request.TemplateId, cancellationToken).ConfigureAwait(false)
            ?? throw new TemplateNotFoundException(request.TemplateId);

        // An earlier claim with this key answers first (the same coupon again, or a key conflict). The store's atomic issue
        // answers that itself, so the key is looked up beforehand only when something would happen before the issue or instead
        // of it: a refusal of the checks below, the gate's reservation, the points deduction or a credit on claim. A plain claim
        // saves the round trip.
        var now = _time.GetUtcNow();
        var rejected = Check(template, request, now);
        if (rejected is not null || _gate is not null || template.ClaimCostPoints > 0 || Benefits.BenefitIssuance.CreditsOnClaim(template.Benefit))
        {
            var earlier = await _coupons.FindByClaimKeyAsync(request.IdempotencyKey, cancellationToken).ConfigureAwait(false);
            if (earlier is not null)
            {
                return IsSameClaim(earlier, request) ? ClaimResult.Issued(earlier, replay: true) : throw new IdempotencyKeyConflictException(request.IdempotencyKey);
            }

            if (rejected is not null)
            {
                return rejected;
            }
        }

        // The ledger de-duplicates on the key alone: scope it to this user and template (length-prefixed, so unambiguous), or a
        // claim racing another one with the same key would take that claim's deduction for its own and refund it.
        var gateRequest = new ClaimGateRequest(template.Id, user, template.PerUserLimit, request.IdempotencyKey);
        var reserved = false;

        // The gate counts every coupon per account: templates that count only active coupons, or per identity key, are decided
        // by the store alone.
        if (_gate is not null && !ClaimLimits.BypassesGate(template))
        {
            var gate = await _gate.TryReserveAsync(gateRequest, cancellationToken).ConfigureAwait(false);
            switch (gate.Status)
            {
                case ClaimGateStatus.SoldOut:
                    return ClaimResult.Rejected(ClaimRejection.SoldOut, "all coupons of this template have been claimed");
                case ClaimGateStatus.LimitReached:
                    return ClaimResult.Rejected(ClaimRejection.LimitReached, $"at most {template.PerUserLimit} coupon(s) of this template per user");
                case ClaimGateStatus.Reserved:
                    reserved = true;
                    break;
            }
        }

        try
        {
            var result = await IssueAsync(request, template, user, now, cancellationToken).ConfigureAwait(false);
            if (reserved && !result.IsIssued)
            {
                await _gate!.ReleaseAsync(gateRequest, CancellationToken.None).ConfigureAwait(false);
            }

            return result;
        }
        catch when (reserved)
        {
            try
            {
                await _gate!.ReleaseAsync(gateRequest, CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The store's failure is the one to report; a failed release is logged (the gate's reconciliation repairs it).
            catch (Exception releaseFailure)
#pragma warning restore CA1031
            {
                Log.GateReleaseFailed(_logger, releaseFailure, template.Id);
            }

            throw;
        }
    }

    private async Task<ClaimResult> IssueAsync(ClaimRequest request, CouponTemplate template, string user, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var pointsKey = $"claim:{template.Id.Length}:{template.Id}:{user.Length}:{user}:{request.IdempotencyKey}";
        if (template.ClaimCostPoints > 0
            && !await _points.TryDeductAsync(user, template.ClaimCostPoints, pointsKey, cancellationToken).ConfigureAwait(false))
        {
            // The ledger also refuses a key whose deduction was refunded: a retry of a claim refused because the template sold
            // out, or because the account was at its limit, is told so again, not that the user lacks points.
            var stock = await _templates.GetStockAsync(template.Id, cancellationToken).ConfigureAwait(false);
            if (stock is { Remaining: <= 0 })
            {
                return ClaimResult.Rejected(ClaimRejection.SoldOut, "all coupons of this template have been claimed");
            }

            var held = (await _coupons.ListByUserAsync(user, cancellationToken).ConfigureAwait(false))
                .Count(c => c.TemplateId == template.Id && ClaimLimits.Counts(c, template.PerUserLimitCounts, now));
            return held >= template.PerUserLimit
                ? ClaimResult.Rejected(ClaimRejection.LimitReached, ClaimLimits.LimitMessage(template))
                : ClaimResult.Rejected(ClaimRejection.InsufficientPoints, $"the claim costs {template.ClaimCostPoints} points");
        }

        IssueOutcome outcome;
        try
        {
            var (from, until) = template.Validity.WindowFor(now);
            Benefits.BenefitIssuance.EnsureSupported(template, _coupons);
            var coupon = Benefits.BenefitIssuance.Prepare(template, new IssuedCoupon(NewCouponId(), template.Id, user, CouponState.Available, from, until, now, request.Channel, null, 1) { IdentityKey = request.IdentityKey });
            var events = Benefits.BenefitIssuance.Events(template, coupon, CouponEvents.Issued(coupon, request.IdempotencyKey));
            var command = new IssueCommand(request.IdempotencyKey, coupon, template.PerUserLimit, events) { AssignSequence = Benefits.BenefitIssuance.NeedsSequence(template) };
            outcome = await _coupons.IssueAsync(ClaimLimits.ForClaim(command, template), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await RefundAsync(template, user, pointsKey).ConfigureAwait(false);
            throw;
        }

        switch (outcome.Status)
        {
            case IssueStatus.Issued:
            case IssueStatus.Replayed:
                await CreditOnClaimAsync(template, outcome.Coupon!, cancellationToken).ConfigureAwait(false);
                return ClaimResult.Issued(outcome.Coupon!, outcome.Status == IssueStatus.Replayed);
            case IssueStatus.KeyConflict:
                await RefundAsync(template, user, pointsKey).ConfigureAwait(false);
                throw new IdempotencyKeyConflictException(request.IdempotencyKey);
            case IssueStatus.LimitReached:
                await RefundAsync(template, user, pointsKey).ConfigureAwait(false);
                return ClaimResult.Rejected(ClaimRejection.LimitReached, ClaimLimits.LimitMessage(template));
            default:
                await RefundAsync(template, user, pointsKey).ConfigureAwait(false);
                return ClaimResult.Rejected(ClaimRejection.SoldOut, "all coupons of this template have been claimed");
        }
    }

    /// <summary>
    /// Credits a red envelope, split share or points at once (the fast path); the <c>BenefitCredit</c> command written with the
    /// coupon is the guarantee, so a failure here is logged and left to it. The credit is idempotent per coupon.
    /// </summary>
    private async Task CreditOnClaimAsync(CouponTemplate template, IssuedCoupon coupon, CancellationToken cancellationToken)
    {
        if (!Benefits.BenefitIssuance.CreditsOnClaim(template.Benefit))
        {
            return;
        }

        try
        {
            await _benefits.CreditAsync(template, coupon, cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The coupon is issued; its credit command in the outbox retries until the ledger accepts it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.BenefitCreditDeferred(_logger, ex, template.Id);
        }
    }

    internal static ClaimResult? Check(CouponTemplate template, ClaimRequest request, DateTimeOffset now)
    {
        switch (template.State)
        {
            case TemplateState.Draft:
                return ClaimResult.Rejected(ClaimRejection.NotActive, "the template is not open for claims");
            case TemplateState.Paused:
                return ClaimResult.Rejected(ClaimRejection.Paused, "claims are paused");
            case TemplateState.Ended:
                return ClaimResult.Rejected(ClaimRejection.Ended, "the template has ended");
        }

        if (template.ClaimStartsAt is { } start && now < start)
        {
            return ClaimResult.Rejected(ClaimRejection.NotStarted, $"claims open at {start:O}");
        }

        if ((template.ClaimEndsAt is { } end && now >= end) || (!template.Validity.IsRelative && now >= template.Validity.Until))
        {
            return ClaimResult.Rejected(ClaimRejection.Ended, "the claim window has closed");
        }

        if ((template.Channels & request.Channel) == 0)
        {
            return ClaimResult.Rejected(ClaimRejection.ChannelClosed, $"the template does not issue through {request.Channel}");
        }

        if (!template.Audience.Admits(request.User))
        {
            return ClaimResult.Rejected(ClaimRejection.NotEligible, "the user is not in the template's audience");
        }

        return template.PerUserLimitKey == PerUserLimitKey.IdentityKey && request.IdentityKey is null
            ? ClaimResult.Rejected(ClaimRejection.IdentityKeyRequired, "the template is limited per verified identity: the claim needs an identity key")
            : null;
    }

    private static bool IsSameClaim(IssuedCoupon earlier, ClaimRequest request) =>
        string.Equals(earlier.UserId, request.User.UserId, StringComparison.Ordinal)
        && string.Equals(earlier.TemplateId, request.TemplateId, StringComparison.Ordinal);

    private static void Validate(ClaimRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Guard.Identifier(request.TemplateId, nameof(request.TemplateId));
        ArgumentNullException.ThrowIfNull(request.User, nameof(request.User));
        if (string.IsNullOrWhiteSpace(request.IdempotencyKey) || request.IdempotencyKey.Length > MaxIdempotencyKeyLength)
        {
            throw new ArgumentException($"The idempotency key must be 1 to {MaxIdempotencyKeyLength} characters and not blank.", nameof(request));
        }

        if (request.Channel is not (ClaimChannels.Grab or ClaimChannels.Push or ClaimChannels.PromoCode))
        {
            throw new ArgumentException($"A claim comes through exactly one channel, got {request.Channel}.", nameof(request));
        }

        if (request.IdentityKey is { } identity && (string.IsNullOrWhiteSpace(identity) || identity.Length > ClaimLimits.MaxIdentityKeyLength))
        {
            throw new ArgumentException($"The identity key must be 1 to {ClaimLimits.MaxIdentityKeyLength} characters and not blank.", nameof(request));
        }

        if (request.ClientIp is { Length: 0 or > 64 })
        {
            throw new ArgumentException("The client IP must be 1 to 64 characters.", nameof(request));
        }
    }

    private static string NewCouponId() => Guid.NewGuid().ToString("N");

    private async Task RefundAsync(CouponTemplate template, string userId, string pointsKey)
    {
        if (template.ClaimCostPoints <= 0)
        {
            return;
        }

        try
        {
            await _points.RefundAsync(userId, template.ClaimCostPoints, pointsKey, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The ledger failing must not lose the refund: it is handed to the bus, which retries.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.PointsRefundDeferred(_logger, ex, template.Id);
            var body = System.Text.Json.JsonSerializer.Serialize(new PointsRefund(userId, template.ClaimCostPoints, pointsKey));
            var message = new OutboxMessage($"points-refund:{pointsKey}", CouponTopics.Coupon, CouponTopics.PointsRefund, userId, body, _time.GetUtcNow());
            await _bus.PublishAsync(message, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>The body of a <see cref="CouponTopics.PointsRefund"/> command.</summary>
    /// <param name="UserId">The user.</param>
    /// <param name="Points">The points to return.</param>
    /// <param name="IdempotencyKey">The deduction's key.</param>
    public sealed record PointsRefund(string UserId, long Points, string IdempotencyKey);
}
