using CouponKit.Ports;

namespace CouponKit.InMemory;

/// <summary>A notification sender that only records what it is asked to send; for tests and samples.</summary>
public sealed class InMemoryNotificationSender : INotificationSender
{
    private readonly object _gate = new();
    private readonly List<ExpiryReminder> _sent = [];

    /// <summary>Gets the reminders sent, in order (for tests and diagnostics).</summary>
    public IReadOnlyList<ExpiryReminder> Sent
    {
        get
        {
            lock (_gate)
            {
                return _sent.ToArray();
            }
        }
    }

    /// <inheritdoc />
    public Task SendAsync(ExpiryReminder reminder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reminder);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            _sent.Add(reminder);
        }

        return Task.CompletedTask;
    }
}
