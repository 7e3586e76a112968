namespace CouponKit.Scheduling;

/// <summary>The state of a scheduled opening.</summary>
public enum ScheduleStatus
{
    /// <summary>Waiting for its time.</summary>
    Pending,

    /// <summary>It opened the template.</summary>
    Fired,

    /// <summary>Cancelled, replaced by a later schedule, or made stale by a change of the template.</summary>
    Cancelled,
}

/// <summary>When a template opens for claims: the current schedule of a template (a reschedule replaces it).</summary>
/// <param name="TemplateId">The template.</param>
/// <param name="ScheduleId">A unique id, carried by the delayed message; a message with another id is stale.</param>
/// <param name="TemplateVersion">The template's version when scheduled; a template changed since is not opened.</param>
/// <param name="At">When it opens.</param>
/// <param name="OwnerId">The template's owner.</param>
/// <param name="ActorId">Who scheduled it.</param>
/// <param name="Status">Its state.</param>
public sealed record IssuanceSchedule(string TemplateId, string ScheduleId, long TemplateVersion, DateTimeOffset At, string OwnerId, string ActorId, ScheduleStatus Status);

/// <summary>Keeps each template's current schedule.</summary>
public interface IIssuanceScheduleStore
{
    /// <summary>Makes a schedule the template's current one (replacing any earlier one).</summary>
    /// <param name="schedule">The schedule.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    Task SetAsync(IssuanceSchedule schedule, CancellationToken cancellationToken);

    /// <summary>Finds a template's current schedule.</summary>
    /// <param name="templateId">The template.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The schedule, or <see langword="null"/>.</returns>
    Task<IssuanceSchedule?> FindAsync(string templateId, CancellationToken cancellationToken);

    /// <summary>Moves the template's current schedule from Pending to a final status, if it is still the one named and pending.</summary>
    /// <param name="templateId">The template.</param>
    /// <param name="scheduleId">The schedule expected to be current.</param>
    /// <param name="status">The final status.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when it moved.</returns>
    Task<bool> TryCompleteAsync(string templateId, string scheduleId, ScheduleStatus status, CancellationToken cancellationToken);
}
