using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CouponKit.Benefits;

/// <summary>
/// Credits claimed red envelopes, split shares and points from the <c>BenefitCredit</c> command written with each such coupon:
/// the guarantee behind the claim's immediate credit. The credit is idempotent per coupon, so redeliveries are harmless; a
/// failing ledger is retried with the bus's backoff, then dead-lettered.
/// </summary>
public sealed class BenefitConsumers : IHostedService
{
    /// <summary>The consumer group of benefit credits.</summary>
    public const string CreditGroup = "couponkit-benefit-credit";

    private readonly IMessageBus _bus;
    private readonly ITemplateStore _templates;
    private readonly ICouponStore _coupons;
    private readonly BenefitCrediter _crediter;
    private readonly ILogger _logger;
    private IAsyncDisposable? _subscription;

    /// <summary>Initializes a new instance of the <see cref="BenefitConsumers"/> class.</summary>
    /// <param name="bus">The message bus.</param>
    /// <param name="templates">The template store.</param>
    /// <param name="coupons">The coupon store.</param>
    /// <param name="points">The points ledger.</param>
    /// <param name="wallet">The wallet.</param>
    /// <param name="logger">The logger.</param>
    public BenefitConsumers(IMessageBus bus, ITemplateStore templates, ICouponStore coupons, IPointsLedger points, IWalletLedger wallet, ILogger<BenefitConsumers>? logger = null)
    {
        _bus = bus ?? throw new ArgumentNullException(nameof(bus));
        _templates = templates ?? throw new ArgumentNullException(nameof(templates));
        _coupons = coupons ?? throw new ArgumentNullException(nameof(coupons));
        _crediter = new BenefitCrediter(points ?? throw new ArgumentNullException(nameof(points)), wallet ?? throw new ArgumentNullException(nameof(wallet)));
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Gets the subscription: the credit commands, retried with the bus's default backoff.</summary>
    public static Subscription CreditSubscription { get; } = new()
    {
        ConsumerGroup = CreditGroup,
        Topic = CouponTopics.Coupon,
        Tags = [BenefitIssuance.CreditTag],
    };

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription ??= await _bus.SubscribeAsync(CreditSubscription, HandleAsync, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Stops the subscription; running handlers finish first.</summary>
    /// <param name="cancellationToken">Not used: stopping waits for running handlers.</param>
    /// <returns>A task.</returns>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var subscription = Interlocked.Exchange(ref _subscription, null);
        if (subscription is not null)
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Handles one credit command.</summary>
    /// <param name="incoming">The message.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task; a fault makes the bus deliver the message again.</returns>
    internal async Task HandleAsync(IncomingMessage incoming, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        var command = CouponEvents.Read<BenefitIssuance.BenefitCredit>(incoming.Message);
        var coupon = await _coupons.FindAsync(command.CouponId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Coupon '{command.CouponId}' of a benefit credit does not exist.");
        var template = await _templates.FindAsync(coupon.TemplateId, cancellationToken).ConfigureAwait(false)
            ?? throw new TemplateNotFoundException(coupon.TemplateId);
        var (grant, credited) = await _crediter.CreditAsync(template, coupon, cancellationToken).ConfigureAwait(false);
        Log.BenefitCredited(_logger, coupon.CouponId, grant.Kind.ToString(), credited);
    }
}
