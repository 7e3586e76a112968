using CouponKit.Issuance;
using CouponKit.Ports;
using CouponKit.Redemption;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CouponKit.Messaging;

/// <summary>
/// Keeps expiry moving: schedules an expiry reminder for every issued coupon (a consumer of <see cref="CouponTopics.Issued"/>,
/// de-duplicated through the inbox), and every <see cref="CouponKitOptions.ExpirySweepInterval"/> on the injected clock expires
/// the coupons past their end and sends the reminders that are due.
/// </summary>
public sealed class ExpiryWorker : BackgroundService
{
    /// <summary>The consumer group that schedules reminders.</summary>
    public const string ReminderGroup = "couponkit-expiry-reminders";

    private readonly IMessageBus _bus;
    private readonly ICouponStore _coupons;
    private readonly ITemplateStore _templates;
    private readonly InboxGuard _inbox;
    private readonly CouponExpiry _expiry;
    private readonly ExpiryReminders _reminders;
    private readonly TimeProvider _time;
    private readonly CouponKitOptions _options;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="ExpiryWorker"/> class.</summary>
    /// <param name="bus">The bus to receive Issued events from.</param>
    /// <param name="coupons">The coupon store.</param>
    /// <param name="templates">The template store.</param>
    /// <param name="inbox">The inbox, so a redelivered event schedules nothing twice.</param>
    /// <param name="expiry">Expires coupons.</param>
    /// <param name="reminders">Schedules and sends reminders.</param>
    /// <param name="time">The clock.</param>
    /// <param name="options">The options.</param>
    /// <param name="logger">The logger.</param>
    public ExpiryWorker(IMessageBus bus, ICouponStore coupons, ITemplateStore templates, IInboxStore inbox, CouponExpiry expiry, ExpiryReminders reminders, TimeProvider time, IOptions<CouponKitOptions> options, ILogger<ExpiryWorker>? logger = null)
    {
        _bus = bus ?? throw new ArgumentNullException(nameof(bus));
        _coupons = coupons ?? throw new ArgumentNullException(nameof(coupons));
        _templates = templates ?? throw new ArgumentNullException(nameof(templates));
        ArgumentNullException.ThrowIfNull(inbox);
        _expiry = expiry ?? throw new ArgumentNullException(nameof(expiry));
        _reminders = reminders ?? throw new ArgumentNullException(nameof(reminders));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Value;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _inbox = new InboxGuard(inbox, ReminderGroup, _logger);
    }

    /// <summary>The subscription of the reminder scheduler.</summary>
    internal static Subscription ReminderSubscription { get; } = new()
    {
        ConsumerGroup = ReminderGroup,
        Topic = CouponTopics.Coupon,
        Tags = [CouponTopics.Issued],
    };

    /// <summary>Expires due coupons and sends due reminders once.</summary>
    /// <param name="cancellationToken">Cancels the sweep.</param>
    /// <returns>The number of coupons expired and of reminders sent.</returns>
    public async Task<(int Expired, int RemindersSent)> SweepOnceAsync(CancellationToken cancellationToken)
    {
        var expired = 0;
        ExpiryResult result;
        do
        {
            result = await _expiry.ExpireDueAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            expired += result.Expired.Count;
        }
        while (result.MayHaveMore && !cancellationToken.IsCancellationRequested);

        var sent = await _reminders.SendDueAsync(cancellationToken).ConfigureAwait(false);
        return (expired, sent.Sent);
    }

    /// <summary>Schedules the reminder of an issued coupon (the handler of <see cref="CouponTopics.Issued"/>).</summary>
    /// <param name="incoming">The Issued event.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task; a fault makes the bus deliver the event again.</returns>
    public async Task HandleIssuedAsync(IncomingMessage incoming, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        var message = incoming.Message;
        await _inbox.RunOnceAsync(message, ct => ScheduleReminderAsync(message, ct), cancellationToken).ConfigureAwait(false);
    }

    private async Task ScheduleReminderAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var issued = CouponEvents.Read<CouponEvents.CouponIssued>(message);
        var coupon = await _coupons.FindAsync(issued.CouponId, cancellationToken).ConfigureAwait(false);
        var template = await _templates.FindAsync(issued.TemplateId, cancellationToken).ConfigureAwait(false);
        if (coupon is not null && template is not null)
        {
            await _reminders.ScheduleAsync(coupon, template, cancellationToken).ConfigureAwait(false); // unique per user, template and day
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var subscription = await _bus.SubscribeAsync(ReminderSubscription, HandleIssuedAsync, stoppingToken).ConfigureAwait(false);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SweepOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // A failed sweep is logged and tried again at the next interval.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                ExpiryWorkerLog.SweepFailed(_logger, ex);
            }

            try
            {
                await Task.Delay(_options.ExpirySweepInterval, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}

/// <summary>Log messages of the expiry worker (event ids 1130–1139).</summary>
internal static partial class ExpiryWorkerLog
{
    [LoggerMessage(1130, LogLevel.Warning, "The expiry sweep failed; it runs again at the next interval", EventName = "ExpirySweepFailed")]
    public static partial void SweepFailed(ILogger logger, Exception exception);
}
