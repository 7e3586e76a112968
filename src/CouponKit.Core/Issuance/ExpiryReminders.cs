using System.ComponentModel.DataAnnotations;
using CouponKit.Ports;
using CouponKit.Redemption;
using Microsoft.Extensions.Options;

namespace CouponKit.Issuance;

/// <summary>Options of <see cref="ExpiryReminders"/>.</summary>
public sealed class ExpiryReminderOptions
{
    /// <summary>Gets or sets how long before a coupon's end its holder is reminded.</summary>
    /// <value>The default value is 1 day.</value>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00", ErrorMessage = "ReminderLead must be between 1 minute and 30 days.")]
    public TimeSpan ReminderLead { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Gets or sets the channels reminders are sent through.</summary>
    /// <value>The default value is <see cref="NotificationChannels.Inbox"/>.</value>
    public NotificationChannels Channels { get; set; } = NotificationChannels.Inbox;

    /// <summary>Gets or sets the most reminders handled by one <see cref="ExpiryReminders.SendDueAsync"/> call.</summary>
    /// <value>The default value is 500.</value>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 500;

    internal void Validate()
    {
        if (ReminderLead < TimeSpan.FromMinutes(1) || ReminderLead > TimeSpan.FromDays(30))
        {
            throw new OptionsValidationException(nameof(ExpiryReminderOptions), typeof(ExpiryReminderOptions), ["ReminderLead must be between 1 minute and 30 days."]);
        }

        if (Channels == NotificationChannels.None || (Channels & ~NotificationChannels.All) != 0)
        {
            throw new OptionsValidationException(nameof(ExpiryReminderOptions), typeof(ExpiryReminderOptions), ["Channels must name at least one known channel."]);
        }

        if (BatchSize is < 1 or > 10_000)
        {
            throw new OptionsValidationException(nameof(ExpiryReminderOptions), typeof(ExpiryReminderOptions), ["BatchSize must be between 1 and 10000."]);
        }
    }
}

/// <summary>What <see cref="ExpiryReminders.ScheduleAsync"/> did.</summary>
public enum ReminderScheduling
{
    /// <summary>A reminder row was added.</summary>
    Scheduled,

    /// <summary>The user already had a reminder for the template and the day; nothing was added.</summary>
    AlreadyScheduled,

    /// <summary>The reminder time has already passed (the coupon is about to end, or has ended); nothing was added.</summary>
    TooLate,

    /// <summary>The coupon is not available (locked, used or expired); nothing was added.</summary>
    NotAvailable,
}

/// <summary>What one <see cref="ExpiryReminders.SendDueAsync"/> run did with the due reminders.</summary>
/// <param name="Due">The due reminders taken.</param>
/// <param name="Sent">Sent and removed.</param>
/// <param name="Inactive">Removed without sending: the user is not active.</param>
/// <param name="Obsolete">Removed without sending: the user no longer holds an available coupon of the template ending that day, or it has ended.</param>
/// <param name="Failed">Not sent because the sender or the user service failed; kept for the next run.</param>
public sealed record ReminderRunResult(int Due, int Sent, int Inactive, int Obsolete, int Failed);

/// <summary>
/// Reminds users that their coupons are about to expire, through a notify table: <see cref="ScheduleAsync"/> adds a row per user,
/// template and day (scheduling the same reminder again adds nothing); <see cref="SendDueAsync"/>, run periodically, sends the
/// rows that are due to active users through <see cref="INotificationSender"/> and removes them. A row is removed without
/// sending when the user is not active, or no longer holds an available coupon of the template ending that day. A row whose
/// sending fails is kept for the next run, until its coupons end. Reminders are sent at least once.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The SemaphoreSlim never creates a wait handle; nothing to dispose.")]
public sealed class ExpiryReminders
{
    private readonly INotifyStore _store;
    private readonly INotificationSender _sender;
    private readonly IUserActivity _users;
    private readonly ICouponStore _coupons;
    private readonly TimeProvider _time;
    private readonly ExpiryReminderOptions _options;
    private readonly SemaphoreSlim _sending = new(1, 1);

    /// <summary>Initializes a new instance of the <see cref="ExpiryReminders"/> class.</summary>
    /// <param name="store">The notify table.</param>
    /// <param name="sender">The notification sender.</param>
    /// <param name="users">Tells which users are active.</param>
    /// <param name="coupons">The coupon store, to check that a reminder is still worth sending.</param>
    /// <param name="time">The clock.</param>
    /// <param name="options">The options.</param>
    /// <exception cref="OptionsValidationException">The options are not valid.</exception>
    public ExpiryReminders(INotifyStore store, INotificationSender sender, IUserActivity users, ICouponStore coupons, TimeProvider time, IOptions<ExpiryReminderOptions> options)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _sender = sender ?? throw new ArgumentNullException(nameof(sender));
        _users = users ?? throw new ArgumentNullException(nameof(users));
        _coupons = coupons ?? throw new ArgumentNullException(nameof(coupons));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Value;
        _options.Validate();
    }

    /// <summary>
    /// Schedules the reminder for a coupon: <see cref="ExpiryReminderOptions.ReminderLead"/> before its end, in a row unique per
    /// user, template and the UTC date of the end. Call it when a coupon is issued (for example from a consumer of
    /// <see cref="Messaging.CouponTopics.Issued"/>).
    /// </summary>
    /// <param name="coupon">The coupon.</param>
    /// <param name="template">The coupon's template.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether a reminder was scheduled, and if not why.</returns>
    /// <exception cref="ArgumentException">The coupon is not of the template.</exception>
    public async Task<ReminderScheduling> ScheduleAsync(IssuedCoupon coupon, CouponTemplate template, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(coupon);
        ArgumentNullException.ThrowIfNull(template);
        if (!string.Equals(coupon.TemplateId, template.Id, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Coupon '{coupon.CouponId}' is of template '{coupon.TemplateId}', not '{template.Id}'.", nameof(template));
        }

        if (coupon.State != CouponState.Available)
        {
            return ReminderScheduling.NotAvailable;
        }

        var notifyAt = coupon.ValidUntil - _options.ReminderLead;
        if (notifyAt <= _time.GetUtcNow())
        {
            return ReminderScheduling.TooLate;
        }

        var reminder = new ExpiryReminder(coupon.UserId, template.Id, DayOf(coupon.ValidUntil), notifyAt, coupon.ValidUntil, template.Name, _options.Channels);
        return await _store.ScheduleAsync(reminder, cancellationToken).ConfigureAwait(false) ? ReminderScheduling.Scheduled : ReminderScheduling.AlreadyScheduled;
    }

    /// <summary>
    /// Sends up to <see cref="ExpiryReminderOptions.BatchSize"/> due reminders and removes their rows. Running it again sends
    /// nothing twice (unless a run stopped between sending and removing). Runs in one process take turns, so two callers
    /// (the <see cref="Messaging.ExpiryWorker"/> and a manual sweep) never send the same row twice; several processes sending
    /// from one notify table are at least once (senders can de-duplicate on <see cref="ExpiryReminder.Key"/>).
    /// </summary>
    /// <param name="cancellationToken">Cancels the run; reminders not handled yet stay for the next run.</param>
    /// <returns>What was done.</returns>
    public async Task<ReminderRunResult> SendDueAsync(CancellationToken cancellationToken = default)
    {
        await _sending.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await SendDueCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sending.Release();
        }
    }

    private async Task<ReminderRunResult> SendDueCoreAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var due = await _store.ListDueAsync(now, _options.BatchSize, cancellationToken).ConfigureAwait(false);
        int sent = 0, inactive = 0, obsolete = 0, failed = 0;
        foreach (var reminder in due)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (now >= reminder.ExpiresAt || !await StillHoldsAsync(reminder, now, cancellationToken).ConfigureAwait(false))
                {
                    obsolete++;
                }
                else if (!await _users.IsActiveAsync(reminder.UserId, cancellationToken).ConfigureAwait(false))
                {
                    inactive++;
                }
                else
                {
                    await _sender.SendAsync(reminder, cancellationToken).ConfigureAwait(false);
                    sent++;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // One failing reminder must not stop the others; it stays in the table for the next run.
            catch (Exception)
#pragma warning restore CA1031
            {
                failed++;
                continue;
            }

            await _store.RemoveAsync(reminder, cancellationToken).ConfigureAwait(false);
        }

        return new ReminderRunResult(due.Count, sent, inactive, obsolete, failed);
    }

    private static DateOnly DayOf(DateTimeOffset moment) => DateOnly.FromDateTime(moment.UtcDateTime);

    private async Task<bool> StillHoldsAsync(ExpiryReminder reminder, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var held = await _coupons.ListByUserAsync(reminder.UserId, cancellationToken).ConfigureAwait(false);
        return held.Any(c => c.State == CouponState.Available
            && string.Equals(c.TemplateId, reminder.TemplateId, StringComparison.Ordinal)
            && c.ValidUntil > now
            && DayOf(c.ValidUntil) == reminder.Date);
    }
}
