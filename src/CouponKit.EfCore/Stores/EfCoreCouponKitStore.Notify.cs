using CouponKit.EfCore.Model;
using CouponKit.Ports;
using Microsoft.EntityFrameworkCore;

namespace CouponKit.EfCore.Stores;

/// <content><see cref="INotifyStore"/>: the notify table of expiry reminders, unique per user, template and date.</content>
internal sealed partial class EfCoreCouponKitStore<TContext> : INotifyStore
{
    /// <inheritdoc />
    public Task<bool> ScheduleAsync(ExpiryReminder reminder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reminder);
        return WriteAsync(
            nameof(INotifyStore.ScheduleAsync),
            async (db, ct) =>
            {
                // The key (user, template, date) settles a race: the loser's insert fails, and its retry reads the row and keeps it.
                var rows = db.Set<NotifyRow>();
                if (await rows.AnyAsync(n => n.UserId == reminder.UserId && n.TemplateId == reminder.TemplateId && n.Date == reminder.Date, ct).ConfigureAwait(false))
                {
                    return false;
                }

                rows.Add(new NotifyRow
                {
                    UserId = reminder.UserId,
                    TemplateId = reminder.TemplateId,
                    Date = reminder.Date,
                    NotifyAt = reminder.NotifyAt,
                    ExpiresAt = reminder.ExpiresAt,
                    TemplateName = reminder.TemplateName,
                    Channels = (int)reminder.Channels,
                });
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ExpiryReminder>> ListDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        if (max <= 0)
        {
            return Task.FromResult<IReadOnlyList<ExpiryReminder>>([]);
        }

        return ReadAsync<IReadOnlyList<ExpiryReminder>>(
            nameof(INotifyStore.ListDueAsync),
            async (db, ct) =>
            {
                var rows = await db.Set<NotifyRow>().AsNoTracking()
                    .Where(n => n.NotifyAt <= now)
                    .OrderBy(n => n.NotifyAt)
                    .ThenBy(n => n.UserId)
                    .ThenBy(n => n.TemplateId)
                    .ThenBy(n => n.Date)
                    .Take(max)
                    .ToListAsync(ct)
                    .ConfigureAwait(false);
                return rows.Select(n => new ExpiryReminder(n.UserId, n.TemplateId, n.Date, n.NotifyAt, n.ExpiresAt, n.TemplateName, (NotificationChannels)n.Channels)).ToArray();
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> RemoveAsync(ExpiryReminder reminder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reminder);
        return WriteAsync(
            nameof(INotifyStore.RemoveAsync),
            async (db, ct) => await db.Set<NotifyRow>()
                .Where(n => n.UserId == reminder.UserId && n.TemplateId == reminder.TemplateId && n.Date == reminder.Date)
                .ExecuteDeleteAsync(ct)
                .ConfigureAwait(false) > 0,
            cancellationToken);
    }
}
