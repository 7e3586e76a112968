using System.Text.Json;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Redemption;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CouponKit.Issuance.Gated;

/// <summary>
/// Writes the coupons the claim gate accepted: consumes <see cref="CouponTopics.Issue"/> commands (from <see cref="GatedClaims"/>)
/// from any <see cref="IMessageBus"/> and issues each through <see cref="ICouponStore.IssueAsync"/>, idempotent by claim key.
/// </summary>
/// <remarks>
/// <para>Outcomes, each settled in the <see cref="IPendingClaimStore"/>:</para>
/// <list type="bullet">
/// <item>Issued (or replayed: a redelivery) → <see cref="PendingClaimState.Issued"/>.</item>
/// <item>Refused by the database (sold out, per-user limit, not enough points) → the reservation is given back
/// (<see cref="IClaimGate.ReleaseAsync"/>, idempotent per claim key), points returned, <see cref="PendingClaimState.Rejected"/>.</item>
/// <item>A key conflict, a permanent error (unknown template, bad body), or a failure on the last delivery attempt (the command
/// is about to be dead-lettered) → the reservation is given back, <see cref="PendingClaimState.Failed"/> (unless the database
/// turns out to hold the coupon).</item>
/// <item>Any other failure throws: the bus delivers the command again after its backoff.</item>
/// </list>
/// <para>A command whose claim was already settled as refused or failed is acknowledged without effect, so a duplicated or late
/// delivery never issues a coupon whose reservation was given back.</para>
/// </remarks>
public sealed class GatedIssueConsumer : IHostedService, IAsyncDisposable
{
    /// <summary>The consumer group of the issue commands.</summary>
    public const string ConsumerGroup = "couponkit-gated-issue";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly IMessageBus _bus;
    private readonly ITemplateStore _templates;
    private readonly ICouponStore _coupons;
    private readonly IClaimGate? _gate;
    private readonly IPendingClaimStore _pending;
    private readonly IPointsLedger _points;
    private readonly Subscription _subscription;
    private readonly GatedMetrics _metrics;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private IAsyncDisposable? _handle;
    private int _disposed;

    /// <summary>Initializes a new instance of the <see cref="GatedIssueConsumer"/> class.</summary>
    /// <param name="bus">The bus to subscribe to.</param>
    /// <param name="templates">The template store.</param>
    /// <param name="coupons">The coupon store.</param>
    /// <param name="pending">The pending claims.</param>
    /// <param name="points">The points ledger, for claims that cost points.</param>
    /// <param name="options">The options (retries).</param>
    /// <param name="meterFactory">Creates the <c>CouponKit</c> meter; <see langword="null"/> for a process-wide one.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="claimGate">The claim gate, to give reservations back; <see langword="null"/> when there is none (nothing is reserved then).</param>
    public GatedIssueConsumer(IMessageBus bus, ITemplateStore templates, ICouponStore coupons, IPendingClaimStore pending, IPointsLedger points, IOptions<GatedClaimOptions> options, System.Diagnostics.Metrics.IMeterFactory? meterFactory = null, ILogger<GatedIssueConsumer>? logger = null, IClaimGate? claimGate = null)
    {
        _bus = bus ?? throw new ArgumentNullException(nameof(bus));
        _templates = templates ?? throw new ArgumentNullException(nameof(templates));
        _coupons = coupons ?? throw new ArgumentNullException(nameof(coupons));
        _gate = claimGate;
        _pending = pending ?? throw new ArgumentNullException(nameof(pending));
        _points = points ?? throw new ArgumentNullException(nameof(points));
        _subscription = (options ?? throw new ArgumentNullException(nameof(options))).Value.ToSubscription();
        _metrics = GatedMetrics.For(meterFactory);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Gets the subscription (from <see cref="GatedClaimOptions"/>).</summary>
    public Subscription Subscription => _subscription;

    /// <summary>Subscribes the consumer to the bus.</summary>
    /// <param name="cancellationToken">Cancels the subscribing.</param>
    /// <returns>A handle that unsubscribes when disposed.</returns>
    public Task<IAsyncDisposable> SubscribeAsync(CancellationToken cancellationToken = default) =>
        _bus.SubscribeAsync(_subscription, HandleAsync, cancellationToken);

    /// <summary>Handles one delivery of an issue command.</summary>
    /// <param name="incoming">The message.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task; a fault makes the bus deliver the command again.</returns>
    public async Task HandleAsync(IncomingMessage incoming, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        GatedIssue issue;
        try
        {
            issue = JsonSerializer.Deserialize<GatedIssue>(incoming.Message.Body, Json) ?? throw new JsonException("empty body");
            Guard.Identifier(issue.TemplateId, nameof(issue.TemplateId));
            Guard.Identifier(issue.UserId, nameof(issue.UserId));
            ArgumentException.ThrowIfNullOrWhiteSpace(issue.ClaimKey);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            // Nothing to give back without the claim: acknowledged (reconciliation frees an orphan reservation).
            GatedLog.BadCommand(_logger, ex, incoming.Message.MessageId);
            _metrics.Outcome("issue", "bad-command");
            return;
        }

        try
        {
            await IssueAsync(issue, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsPermanent(ex) || incoming.DeliveryAttempt >= _subscription.MaxDeliveryAttempts)
        {
            await GiveUpAsync(issue, ex, incoming.DeliveryAttempt).ConfigureAwait(false);
            if (!IsPermanent(ex))
            {
                throw; // the bus dead-letters it, for the record
            }
        }
    }

    /// <summary>Subscribes the consumer (once; a second start is harmless).</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task.</returns>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _handle ??= await SubscribeAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Unsubscribes the consumer and waits for its running handlers, or until the host gives up.</summary>
    /// <param name="cancellationToken">Signals that the host no longer waits.</param>
    /// <returns>A task.</returns>
    public Task StopAsync(CancellationToken cancellationToken) =>
        // A host may stop its services after the container disposed them (WebApplicationFactory does): nothing is left to stop.
        Volatile.Read(ref _disposed) != 0 ? Task.CompletedTask : StopCoreAsync(cancellationToken);

    private async Task StopCoreAsync(CancellationToken cancellationToken)
    {
        IAsyncDisposable? handle;
        try
        {
            await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException) when (Volatile.Read(ref _disposed) != 0)
        {
            return; // disposed while this stop waited: the disposal stopped it
        }

        try
        {
            handle = _handle;
            _handle = null;
        }
        finally
        {
            _lifecycle.Release();
        }

        if (handle is not null)
        {
            await handle.DisposeAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Unsubscribes the consumer and waits for its running handlers.</summary>
    /// <returns>A task.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopCoreAsync(CancellationToken.None).ConfigureAwait(false);
        _lifecycle.Dispose();
    }

    private static bool IsPermanent(Exception ex) => ex is TemplateNotFoundException or InvalidTemplateException or ArgumentException or JsonException;

    private static string PointsKey(GatedIssue issue) =>
        $"claim:{issue.TemplateId.Length}:{issue.TemplateId}:{issue.UserId.Length}:{issue.UserId}:{issue.ClaimKey}";

    private async Task IssueAsync(GatedIssue issue, CancellationToken cancellationToken)
    {
        var claim = await _pending.FindAsync(issue.ClaimKey, cancellationToken).ConfigureAwait(false);
        if (claim is { State: PendingClaimState.Rejected or PendingClaimState.Failed })
        {
            GatedLog.AlreadySettled(_logger, issue.TemplateId, claim.State);
            _metrics.Outcome("issue", "skipped");
            return;
        }

        var template = await _templates.FindAsync(issue.TemplateId, cancellationToken).ConfigureAwait(false)
            ?? throw new TemplateNotFoundException(issue.TemplateId);
        if (template.ClaimCostPoints > 0
            && !await _points.TryDeductAsync(issue.UserId, template.ClaimCostPoints, PointsKey(issue), cancellationToken).ConfigureAwait(false))
        {
            await RefuseAsync(issue, template.ClaimCostPoints, ClaimRejection.InsufficientPoints, refund: false).ConfigureAwait(false);
            return;
        }

        var (from, until) = template.Validity.WindowFor(issue.AcceptedAt);
        var coupon = new IssuedCoupon(Guid.NewGuid().ToString("N"), template.Id, issue.UserId, CouponState.Available, from, until, issue.AcceptedAt, issue.Channel, null, 1);
        var outcome = await _coupons.IssueAsync(new IssueCommand(issue.ClaimKey, coupon, template.PerUserLimit, [CouponEvents.Issued(coupon, issue.ClaimKey)]), cancellationToken).ConfigureAwait(false);
        switch (outcome.Status)
        {
            case IssueStatus.Issued:
            case IssueStatus.Replayed:
                await _pending.TrySettleAsync(issue.ClaimKey, PendingClaimState.Issued, null, CancellationToken.None).ConfigureAwait(false);
                _metrics.Outcome("issue", outcome.Status.ToString());
                return;
            case IssueStatus.LimitReached:
                await RefuseAsync(issue, template.ClaimCostPoints, ClaimRejection.LimitReached, refund: true).ConfigureAwait(false);
                return;
            case IssueStatus.SoldOut:
                await RefuseAsync(issue, template.ClaimCostPoints, ClaimRejection.SoldOut, refund: true).ConfigureAwait(false);
                return;
            default:
                // The key was used for another user or template: this claim cannot be written, ever.
                await ReleaseAsync(issue).ConfigureAwait(false);
                await RefundAsync(issue, template.ClaimCostPoints).ConfigureAwait(false);
                await _pending.TrySettleAsync(issue.ClaimKey, PendingClaimState.Failed, null, CancellationToken.None).ConfigureAwait(false);
                GatedLog.KeyConflict(_logger, issue.TemplateId);
                _metrics.Outcome("issue", "KeyConflict");
                return;
        }
    }

    /// <summary>Gives the reservation back (and the points), then settles the claim as rejected. Each step is idempotent; a failure throws and the retry redoes them.</summary>
    private async Task RefuseAsync(GatedIssue issue, long points, ClaimRejection rejection, bool refund)
    {
        await ReleaseAsync(issue).ConfigureAwait(false);
        if (refund)
        {
            await RefundAsync(issue, points).ConfigureAwait(false);
        }

        await _pending.TrySettleAsync(issue.ClaimKey, PendingClaimState.Rejected, rejection, CancellationToken.None).ConfigureAwait(false);
        GatedLog.Refused(_logger, issue.TemplateId, rejection);
        _metrics.Outcome("issue", rejection.ToString());
    }

    private Task ReleaseAsync(GatedIssue issue) => _gate is null
        ? Task.CompletedTask
        : _gate.ReleaseAsync(new ClaimGateRequest(issue.TemplateId, issue.UserId, issue.PerUserLimit, issue.ClaimKey), CancellationToken.None);

    private async Task RefundAsync(GatedIssue issue, long points)
    {
        if (points > 0)
        {
            await _points.RefundAsync(issue.UserId, points, PointsKey(issue), CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>The command will not be retried: unless the database holds the coupon, give the reservation back and settle as failed.</summary>
    private async Task GiveUpAsync(GatedIssue issue, Exception error, int attempt)
    {
        GatedLog.GivingUp(_logger, error, issue.TemplateId, attempt);
        try
        {
            if (await _coupons.FindByClaimKeyAsync(issue.ClaimKey, CancellationToken.None).ConfigureAwait(false) is { } coupon
                && string.Equals(coupon.UserId, issue.UserId, StringComparison.Ordinal)
                && string.Equals(coupon.TemplateId, issue.TemplateId, StringComparison.Ordinal))
            {
                await _pending.TrySettleAsync(issue.ClaimKey, PendingClaimState.Issued, null, CancellationToken.None).ConfigureAwait(false);
                _metrics.Outcome("issue", "Issued");
                return;
            }
        }
#pragma warning disable CA1031 // The database cannot tell: give back anyway; reconciliation corrects the gate from the database later.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            GatedLog.GiveUpCheckFailed(_logger, ex, issue.TemplateId);
        }

        try
        {
            await ReleaseAsync(issue).ConfigureAwait(false);
            var template = await _templates.FindAsync(issue.TemplateId, CancellationToken.None).ConfigureAwait(false);
            await RefundAsync(issue, template?.ClaimCostPoints ?? 0).ConfigureAwait(false);
            await _pending.TrySettleAsync(issue.ClaimKey, PendingClaimState.Failed, null, CancellationToken.None).ConfigureAwait(false);
            _metrics.Outcome("issue", "Failed");
        }
#pragma warning disable CA1031 // Logged; the reconciliation job frees the reservation after its in-flight timeout.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            GatedLog.GiveBackFailed(_logger, ex, issue.TemplateId);
        }
    }
}
