namespace CouponKit.Ports;

/// <summary>
/// The notify table: reminders that a user's coupons of a template expire on a date. One row per user, template and date
/// (unique): scheduling the same reminder twice leaves one row. A row is removed once it is sent, or found not worth sending.
/// </summary>
public interface INotifyStore
{
    /// <summary>Adds a reminder unless a row with the same user, template and date exists (the existing row is kept as it is).</summary>
    /// <param name="reminder">The reminder.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when the row was added; <see langword="false"/> when it already existed.</returns>
    Task<bool> ScheduleAsync(ExpiryReminder reminder, CancellationToken cancellationToken);

    /// <summary>Lists reminders that are due (<see cref="ExpiryReminder.NotifyAt"/> at or before <paramref name="now"/>), earliest first.</summary>
    /// <param name="now">The current time.</param>
    /// <param name="max">The most to return.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The due reminders.</returns>
    Task<IReadOnlyList<ExpiryReminder>> ListDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken);

    /// <summary>Removes the row with the reminder's user, template and date.</summary>
    /// <param name="reminder">The reminder.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when a row was removed; <see langword="false"/> when there was none.</returns>
    Task<bool> RemoveAsync(ExpiryReminder reminder, CancellationToken cancellationToken);
}

/// <summary>The ways a reminder reaches a user.</summary>
[Flags]
public enum NotificationChannels
{
    /// <summary>No channel.</summary>
    None = 0,

    /// <summary>A text message.</summary>
    Sms = 1,

    /// <summary>An e-mail.</summary>
    Email = 2,

    /// <summary>The in-app inbox (site messages).</summary>
    Inbox = 4,

    /// <summary>Every channel.</summary>
    All = Sms | Email | Inbox,
}

/// <summary>
/// A row of the notify table: remind a user that their coupons of a template expire on a date. The user, template and
/// <see cref="Date"/> are the row's unique key.
/// </summary>
/// <param name="UserId">The user.</param>
/// <param name="TemplateId">The template.</param>
/// <param name="Date">The day the coupons expire: the UTC date of their end.</param>
/// <param name="NotifyAt">When to send the reminder.</param>
/// <param name="ExpiresAt">The moment the coupons expire (exclusive end of validity); a reminder not sent by then is dropped.</param>
/// <param name="TemplateName">The template's name, for the message.</param>
/// <param name="Channels">The channels to send through.</param>
public sealed record ExpiryReminder(
    string UserId,
    string TemplateId,
    DateOnly Date,
    DateTimeOffset NotifyAt,
    DateTimeOffset ExpiresAt,
    string TemplateName,
    NotificationChannels Channels)
{
    /// <summary>Gets the row's unique key as text (<c>user:template:yyyy-MM-dd</c>); senders may de-duplicate on it.</summary>
    public string Key => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{UserId}:{TemplateId}:{Date:yyyy-MM-dd}");
}
