namespace CouponKit.Ports;

/// <summary>
/// Stores push jobs with their checkpoints, so that a push interrupted by a crash or a cancellation resumes where it stopped.
/// Updates are conditional on the version, so two runners of one job cannot both advance it.
/// </summary>
public interface IPushJobStore
{
    /// <summary>Finds a job.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The job, or <see langword="null"/>.</returns>
    Task<PushJob?> FindAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Adds a new job.</summary>
    /// <param name="job">The job, with <see cref="PushJob.Version"/> 1.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when added; <see langword="false"/> when a job with the same id exists (nothing is changed).</returns>
    Task<bool> TryAddAsync(PushJob job, CancellationToken cancellationToken);

    /// <summary>Replaces a job if its stored version is one less than <paramref name="job"/>'s <see cref="PushJob.Version"/>.</summary>
    /// <param name="job">The new version of the job.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when replaced; <see langword="false"/> when the stored version differs or the job is unknown.</returns>
    Task<bool> TryUpdateAsync(PushJob job, CancellationToken cancellationToken);
}

/// <summary>The state of a push job.</summary>
public enum PushJobState
{
    /// <summary>
    /// Started and not finished: running now, or interrupted (crash, cancelled token, template paused) and waiting for
    /// <c>PushIssuance.ResumeAsync</c>, which continues from the checkpoint.
    /// </summary>
    Running,

    /// <summary>Every user of the segment was handled. Final.</summary>
    Completed,

    /// <summary>The template's inventory ran out. Resuming continues only if the merchant raised the inventory.</summary>
    SoldOut,

    /// <summary>The merchant cancelled the job. Final; coupons already issued stay issued.</summary>
    Cancelled,
}

/// <summary>
/// A push of a template's coupons to a segment of users, with its checkpoint: every user up to and including
/// <see cref="LastUserId"/> (in ordinal order) has been handled and counted.
/// </summary>
public sealed record PushJob
{
    /// <summary>Gets the job id, chosen by the merchant's system; starting the same id again continues the same job.</summary>
    public required string JobId { get; init; }

    /// <summary>Gets the template pushed.</summary>
    public required string TemplateId { get; init; }

    /// <summary>Gets the segment pushed to.</summary>
    public required string Segment { get; init; }

    /// <summary>Gets how many users are read and issued between two checkpoints.</summary>
    public required int ChunkSize { get; init; }

    /// <summary>Gets the state.</summary>
    public required PushJobState State { get; init; }

    /// <summary>Gets the checkpoint: the last user handled, or <see langword="null"/> before the first chunk.</summary>
    public string? LastUserId { get; init; }

    /// <summary>
    /// Gets the last user of the chunk being worked on when the job was saved, if that chunk is not finished: users after
    /// <see cref="LastUserId"/> up to this one may already hold a coupon from this job (issued before an interruption), and
    /// are counted as issued, not skipped, when the job resumes. <see langword="null"/> between chunks.
    /// </summary>
    public string? InFlightThroughUserId { get; init; }

    /// <summary>Gets how many users got a coupon from this job.</summary>
    public long Issued { get; init; }

    /// <summary>Gets how many users were skipped because they already hold the template's coupon (or as many as it allows).</summary>
    public long Skipped { get; init; }

    /// <summary>Gets how many users could not be given a coupon (an id that is blank or too long, or a conflicting claim key).</summary>
    public long Failed { get; init; }

    /// <summary>Gets how many users were handled: <see cref="Issued"/> + <see cref="Skipped"/> + <see cref="Failed"/>.</summary>
    public long Processed => Issued + Skipped + Failed;

    /// <summary>Gets when the job was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the job was last saved.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Gets the version, raised by one at every save; the store updates only from the previous version.</summary>
    public required long Version { get; init; }
}
