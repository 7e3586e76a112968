using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CouponKit.Caching;

/// <summary>
/// Keeps the <see cref="ITemplateCache"/> consistent with the store: consumes <see cref="CouponTopics.TemplateChanged"/> (written
/// to the outbox with every template change) from any <see cref="IMessageBus"/>, reads the committed template from the
/// <see cref="ITemplateStore"/> and writes it to the cache compare-and-set on its version. Duplicated or reordered events never
/// move the cache backwards, and an event older than the cache changes nothing.
/// </summary>
/// <remarks>
/// A failure (the cache unreachable, the store behind the event) throws, so the bus delivers the event again after the
/// subscription's backoff, up to <see cref="Subscription.MaxDeliveryAttempts"/>; then it goes to the dead letters (and the
/// core health check turns Degraded). Guarantee: once the event of version <c>v</c> has been processed, the cache holds
/// version <c>v</c> or newer. Runs as a hosted service, or subscribe it yourself with <see cref="SubscribeAsync"/>.
/// </remarks>
public sealed class TemplateCacheConsumer : IHostedService, IAsyncDisposable
{
    /// <summary>The consumer group of the cache.</summary>
    public const string ConsumerGroup = "couponkit-template-cache";

    private readonly IMessageBus _bus;
    private readonly ITemplateCache _cache;
    private readonly ITemplateStore _store;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IAsyncDisposable? _subscription;
    private int _disposed;

    /// <summary>Initializes a new instance of the <see cref="TemplateCacheConsumer"/> class.</summary>
    /// <param name="bus">The bus to subscribe to.</param>
    /// <param name="cache">The cache to keep.</param>
    /// <param name="store">The template store (the committed state).</param>
    /// <param name="logger">The logger.</param>
    public TemplateCacheConsumer(IMessageBus bus, ITemplateCache cache, ITemplateStore store, ILogger<TemplateCacheConsumer>? logger = null)
    {
        _bus = bus ?? throw new ArgumentNullException(nameof(bus));
        _cache = cache ?? throw new ArgumentNullException(nameof(cache));
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// Gets the subscription: <see cref="CouponTopics.TemplateChanged"/> on <see cref="CouponTopics.Coupon"/> in
    /// <see cref="ConsumerGroup"/>, with the bus's default retries (16 deliveries, backoff from 1 second doubling up to 2 hours).
    /// </summary>
    public static Subscription Subscription { get; } = new()
    {
        ConsumerGroup = ConsumerGroup,
        Topic = CouponTopics.Coupon,
        Tags = [CouponTopics.TemplateChanged],
    };

    /// <summary>Subscribes the consumer to the bus.</summary>
    /// <param name="subscription">The subscription to use; <see langword="null"/> for <see cref="Subscription"/>.</param>
    /// <param name="cancellationToken">Cancels the subscribing.</param>
    /// <returns>A handle that unsubscribes when disposed.</returns>
    public Task<IAsyncDisposable> SubscribeAsync(Subscription? subscription = null, CancellationToken cancellationToken = default) =>
        _bus.SubscribeAsync(subscription ?? Subscription, HandleAsync, cancellationToken);

    /// <summary>Handles one delivery of a <see cref="CouponTopics.TemplateChanged"/> event.</summary>
    /// <param name="incoming">The message.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task; a fault makes the bus deliver the message again.</returns>
    public async Task HandleAsync(IncomingMessage incoming, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        var change = CouponEvents.Read<CouponEvents.TemplateChange>(incoming.Message);
        if (await _cache.GetAsync(change.TemplateId, cancellationToken).ConfigureAwait(false) is { } cached && cached.Version >= change.Version)
        {
            CachingLog.ChangeAlreadyCached(_logger, change.TemplateId, change.Version, cached.Version);
            return;
        }

        var committed = await _store.FindAsync(change.TemplateId, cancellationToken).ConfigureAwait(false)
            ?? throw new TemplateNotFoundException(change.TemplateId);
        if (committed.Version < change.Version)
        {
            // A store (replica) behind the event: try again later rather than cache what the event says is old.
            throw new InvalidOperationException($"The store holds version {committed.Version} of template '{change.TemplateId}', older than the event's {change.Version}.");
        }

        var written = await _cache.SetIfNewerAsync(committed, cancellationToken).ConfigureAwait(false);
        CachingLog.ChangeApplied(_logger, change.TemplateId, change.Version, committed.Version, written, incoming.DeliveryAttempt);
    }

    /// <summary>Subscribes the consumer (once; a second start is harmless); nothing while the cache is the default pass-through one.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task.</returns>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_cache is PassThroughTemplateCache)
        {
            return; // nothing cached, nothing to keep
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _subscription ??= await SubscribeAsync(null, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
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
        IAsyncDisposable? subscription;
        try
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException) when (Volatile.Read(ref _disposed) != 0)
        {
            return; // disposed while this stop waited: the disposal stopped it
        }

        try
        {
            subscription = _subscription;
            _subscription = null;
        }
        finally
        {
            _gate.Release();
        }

        if (subscription is not null)
        {
            await subscription.DisposeAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
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
        _gate.Dispose();
    }
}
