using CouponKit.Ports;

namespace CouponKit.InMemory;

/// <summary>The notify table in process memory, unique per user, template and date; for tests, samples and single-process shops.</summary>
public sealed class InMemoryNotifyStore : INotifyStore
{
    private readonly object _gate = new();
    private readonly Dictionary<(string UserId, string TemplateId, DateOnly Date), ExpiryReminder> _rows = new();

    /// <summary>Gets every row, earliest reminder first (for tests and diagnostics).</summary>
    public IReadOnlyList<ExpiryReminder> Rows
    {
        get
        {
            lock (_gate)
            {
                return _rows.Values.OrderBy(r => r.NotifyAt).ToArray();
            }
        }
    }

    /// <inheritdoc />
    public Task<bool> ScheduleAsync(ExpiryReminder reminder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reminder);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_rows.TryAdd(KeyOf(reminder), reminder));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ExpiryReminder>> ListDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            IReadOnlyList<ExpiryReminder> due = _rows.Values.Where(r => r.NotifyAt <= now).OrderBy(r => r.NotifyAt).Take(max).ToArray();
            return Task.FromResult(due);
        }
    }

    /// <inheritdoc />
    public Task<bool> RemoveAsync(ExpiryReminder reminder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reminder);
        lock (_gate)
        {
            return Task.FromResult(_rows.Remove(KeyOf(reminder)));
        }
    }

    private static (string, string, DateOnly) KeyOf(ExpiryReminder reminder) => (reminder.UserId, reminder.TemplateId, reminder.Date);
}
