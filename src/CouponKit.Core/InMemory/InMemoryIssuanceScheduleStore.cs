using CouponKit.Scheduling;

namespace CouponKit.InMemory;

/// <summary>Issuance schedules in process memory; for tests, samples and single-process shops.</summary>
public sealed class InMemoryIssuanceScheduleStore : IIssuanceScheduleStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, IssuanceSchedule> _schedules = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task SetAsync(IssuanceSchedule schedule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        lock (_gate)
        {
            _schedules[schedule.TemplateId] = schedule;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IssuanceSchedule?> FindAsync(string templateId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_schedules.GetValueOrDefault(templateId));
        }
    }

    /// <inheritdoc />
    public Task<bool> TryCompleteAsync(string templateId, string scheduleId, ScheduleStatus status, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_schedules.TryGetValue(templateId, out var current) || current.ScheduleId != scheduleId || current.Status != ScheduleStatus.Pending)
            {
                return Task.FromResult(false);
            }

            _schedules[templateId] = current with { Status = status };
            return Task.FromResult(true);
        }
    }
}
