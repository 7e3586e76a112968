using System.Diagnostics.CodeAnalysis;
using CouponKit.Messaging;
using CouponKit.Ports;

namespace CouponKit.Scheduling;

/// <summary>
/// What <see cref="ScheduledIssuance"/> and <see cref="ScheduledPushIssuance"/> share: a schedule recorded as the current one of
/// its key and carried by a delayed message, the check that an arriving message is still the current, pending schedule, and the
/// subscription of the hosted service that handles the messages.
/// </summary>
internal sealed class DelayedSchedule
{
    private IAsyncDisposable? _subscription;

    /// <summary>
    /// Records <paramref name="schedule"/> as its key's current schedule and publishes its delayed message; if the message cannot
    /// be published, the schedule is cancelled (nothing would fire it) and the error is thrown.
    /// </summary>
    public static async Task<IssuanceSchedule> ScheduleAsync(IIssuanceScheduleStore schedules, IMessageBus bus, IssuanceSchedule schedule, OutboxMessage message, CancellationToken cancellationToken)
    {
        await schedules.SetAsync(schedule, cancellationToken).ConfigureAwait(false);
        try
        {
            await bus.PublishAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await schedules.TryCompleteAsync(schedule.TemplateId, schedule.ScheduleId, ScheduleStatus.Cancelled, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        return schedule;
    }

    /// <summary>
    /// Whether a delayed message of schedule <paramref name="scheduleId"/> should act: its key's current schedule is that one and
    /// still pending (not rescheduled, cancelled or fired: a stale or duplicate message is acknowledged and ignored).
    /// </summary>
    public static bool IsCurrentAndPending([NotNullWhen(true)] IssuanceSchedule? current, string scheduleId) =>
        current is { Status: ScheduleStatus.Pending } && current.ScheduleId == scheduleId;

    /// <summary>Subscribes the handler once (a second start keeps the first subscription).</summary>
    public async Task StartAsync(IMessageBus bus, Subscription subscription, Func<IncomingMessage, CancellationToken, Task> handler)
    {
        _subscription ??= await bus.SubscribeAsync(subscription, handler, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Stops the subscription; running handlers finish first.</summary>
    public async Task StopAsync()
    {
        var subscription = Interlocked.Exchange(ref _subscription, null);
        if (subscription is not null)
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
        }
    }
}
