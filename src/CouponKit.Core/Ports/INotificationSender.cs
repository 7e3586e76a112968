namespace CouponKit.Ports;

/// <summary>Sends reminders to users through the shop's SMS, e-mail or inbox services.</summary>
public interface INotificationSender
{
    /// <summary>
    /// Sends a reminder through its <see cref="ExpiryReminder.Channels"/>. Throws when it could not be sent; the reminder is then
    /// kept and tried again at the next run. A reminder may be sent again if the run stops between sending and removing it:
    /// de-duplicate on <see cref="ExpiryReminder.Key"/> when that matters.
    /// </summary>
    /// <param name="reminder">The reminder.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the reminder is handed to the channels.</returns>
    Task SendAsync(ExpiryReminder reminder, CancellationToken cancellationToken);
}
