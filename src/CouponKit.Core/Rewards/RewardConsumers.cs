using System.Diagnostics.Metrics;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CouponKit.Rewards;

/// <summary>
/// Order rewards, subscribed at start-up as a hosted service: the shop's <see cref="OrderTopics.Paid"/> events issue each
/// <see cref="RewardRule"/>'s coupon once per order (claim key <c>reward:{ruleId}:{orderId}</c>, through the store's atomic
/// issue, so the inventory and the per-user limit hold); <see cref="OrderTopics.Refunded"/> events record the order's tombstone
/// and revoke its unused rewards (<see cref="Redemption.CouponState.Revoked"/>), record the loss of used ones
/// (<see cref="IRewardLedger.ListLossesAsync"/>), and look again later at locked ones. Each group records the messages it
/// handled in the <see cref="IInboxStore"/>, and every effect is idempotent in itself, so duplicated, reordered and late events
/// leave at most one reward per order and rule, and none usable once the order is refunded.
/// </summary>
public sealed class RewardConsumers : IHostedService
{
    /// <summary>The consumer group of paid orders.</summary>
    public const string PaidGroup = "couponkit-reward-paid";

    /// <summary>The consumer group of refunded orders.</summary>
    public const string RefundedGroup = "couponkit-reward-refunded";

    /// <summary>The consumer group of the delayed re-checks of locked rewards.</summary>
    public const string RecheckGroup = "couponkit-reward-recheck";

    /// <summary>The tag of the event of a revoked coupon (topic <see cref="CouponTopics.Coupon"/>, body <see cref="CouponRevoked"/>).</summary>
    public const string RevokedTag = RewardEngine.RevokedTag;

    private readonly IMessageBus _bus;
    private readonly InboxGuard _paidInbox;
    private readonly InboxGuard _refundedInbox;
    private readonly InboxGuard _recheckInbox;
    private IReadOnlyList<IAsyncDisposable>? _subscriptions;

    /// <summary>Initializes a new instance of the <see cref="RewardConsumers"/> class.</summary>
    /// <param name="bus">The message bus.</param>
    /// <param name="templates">The template store.</param>
    /// <param name="coupons">The coupon store, which issues atomically.</param>
    /// <param name="revocations">The store that revokes coupons.</param>
    /// <param name="ledger">The refunded orders and losses.</param>
    /// <param name="discounts">The recorded discounts, for the losses.</param>
    /// <param name="inbox">The inbox, to skip messages already handled.</param>
    /// <param name="time">The clock.</param>
    /// <param name="options">The rules.</param>
    /// <param name="meterFactory">Creates the <c>CouponKit</c> meter; <see langword="null"/> for a process-wide one.</param>
    /// <param name="logger">The logger.</param>
    public RewardConsumers(
        IMessageBus bus,
        ITemplateStore templates,
        ICouponStore coupons,
        ICouponRevocationStore revocations,
        IRewardLedger ledger,
        ICouponDiscountStore discounts,
        IInboxStore inbox,
        TimeProvider time,
        IOptions<RewardOptions> options,
        IMeterFactory? meterFactory = null,
        ILogger<RewardConsumers>? logger = null)
    {
        _bus = bus ?? throw new ArgumentNullException(nameof(bus));
        ArgumentNullException.ThrowIfNull(inbox);
        ILogger log = logger ?? NullLogger<RewardConsumers>.Instance;
        Engine = new RewardEngine(
            templates ?? throw new ArgumentNullException(nameof(templates)),
            coupons ?? throw new ArgumentNullException(nameof(coupons)),
            revocations ?? throw new ArgumentNullException(nameof(revocations)),
            ledger ?? throw new ArgumentNullException(nameof(ledger)),
            discounts ?? throw new ArgumentNullException(nameof(discounts)),
            bus,
            time ?? throw new ArgumentNullException(nameof(time)),
            (options ?? throw new ArgumentNullException(nameof(options))).Value,
            RewardMetrics.For(meterFactory),
            log);
        _paidInbox = new InboxGuard(inbox, PaidGroup, log);
        _refundedInbox = new InboxGuard(inbox, RefundedGroup, log);
        _recheckInbox = new InboxGuard(inbox, RecheckGroup, log);
    }

    /// <summary>Gets the subscription of paid orders.</summary>
    public static Subscription PaidSubscription { get; } = new() { ConsumerGroup = PaidGroup, Topic = OrderTopics.Order, Tags = [OrderTopics.Paid] };

    /// <summary>Gets the subscription of refunded orders.</summary>
    public static Subscription RefundedSubscription { get; } = new() { ConsumerGroup = RefundedGroup, Topic = OrderTopics.Order, Tags = [OrderTopics.Refunded] };

    /// <summary>Gets the subscription of the delayed re-checks of locked rewards.</summary>
    public static Subscription RecheckSubscription { get; } = new() { ConsumerGroup = RecheckGroup, Topic = CouponTopics.Coupon, Tags = [RewardEngine.RecheckTag] };

    internal RewardEngine Engine { get; }

    /// <summary>
    /// Subscribes the consumers (once; a second start is harmless). Without rules nothing is subscribed, so a shop that does
    /// not use order rewards needs no <see cref="OrderTopics.Order"/> topic on its broker.
    /// </summary>
    /// <param name="cancellationToken">Not used: the subscriptions live until <see cref="StopAsync"/>.</param>
    /// <returns>A task.</returns>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_subscriptions is not null || !Engine.HasRules)
        {
            return;
        }

        var handles = new List<IAsyncDisposable>(3);
        try
        {
            handles.Add(await _bus.SubscribeAsync(PaidSubscription, HandlePaidAsync, CancellationToken.None).ConfigureAwait(false));
            handles.Add(await _bus.SubscribeAsync(RefundedSubscription, HandleRefundedAsync, CancellationToken.None).ConfigureAwait(false));
            handles.Add(await _bus.SubscribeAsync(RecheckSubscription, HandleRecheckAsync, CancellationToken.None).ConfigureAwait(false));
        }
        catch
        {
            await DisposeAllAsync(handles).ConfigureAwait(false);
            throw;
        }

        _subscriptions = handles;
    }

    /// <summary>Stops the subscriptions; running handlers finish first.</summary>
    /// <param name="cancellationToken">Not used: stopping waits for running handlers.</param>
    /// <returns>A task.</returns>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var subscriptions = Interlocked.Exchange(ref _subscriptions, null);
        if (subscriptions is not null)
        {
            await DisposeAllAsync(subscriptions).ConfigureAwait(false);
        }
    }

    /// <summary>Handles a paid order.</summary>
    internal Task HandlePaidAsync(IncomingMessage incoming, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        var message = incoming.Message;
        return _paidInbox.RunOnceAsync(message, ct => Engine.PaidAsync(CouponEvents.Read<OrderPaid>(message), ct), cancellationToken);
    }

    /// <summary>Handles a refunded order.</summary>
    internal Task HandleRefundedAsync(IncomingMessage incoming, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        var message = incoming.Message;
        return _refundedInbox.RunOnceAsync(message, ct => Engine.RefundedAsync(CouponEvents.Read<OrderRefunded>(message), ct), cancellationToken);
    }

    /// <summary>Handles the re-check of a locked reward.</summary>
    internal Task HandleRecheckAsync(IncomingMessage incoming, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        var message = incoming.Message;
        return _recheckInbox.RunOnceAsync(message, ct => Engine.RecheckAsync(CouponEvents.Read<RewardEngine.Recheck>(message), ct), cancellationToken);
    }

    private static async Task DisposeAllAsync(IEnumerable<IAsyncDisposable> handles)
    {
        foreach (var handle in handles)
        {
            await handle.DisposeAsync().ConfigureAwait(false);
        }
    }
}
