using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Redemption;

namespace CouponKit.Issuance;

/// <summary>
/// Push issuance: the merchant gives a template's coupon to every user of a segment (hundreds of thousands of users), in
/// chunks, with a checkpoint after each chunk so that a push interrupted by a crash resumes where it stopped.
/// </summary>
/// <remarks>
/// <para>
/// Each user's coupon is issued through the store's atomic issue (<see cref="ICouponStore.IssueAsync"/>, or one
/// <see cref="IBulkCouponStore.IssueBatchAsync"/> per chunk when the coupon store also implements <see cref="IBulkCouponStore"/>) with the claim key
/// <c>push:{templateId}:{userId}</c>: a user gets at most one pushed coupon of a template however often a push is resumed or
/// repeated, and the inventory is never exceeded. Users who already hold the coupon (from an earlier push) or as many of the
/// template's coupons as allowed are counted as skipped. When the inventory runs out the job stops as
/// <see cref="PushJobState.SoldOut"/>.
/// </para>
/// <para>
/// A push goes around <see cref="CouponClaims"/> on purpose: it is the merchant's decision, so the users' claim rate limits,
/// the claim window, the audience and the claim cost in points do not apply. The template must be
/// <see cref="TemplateState.Active"/>, allow <see cref="ClaimChannels.Push"/> and its coupons must not be expired; this is
/// checked at the start and before every chunk, so pausing or ending the template stops a running push (with an exception,
/// after the checkpoint; resume it when the template is active again).
/// </para>
/// <para>
/// A pushed coupon gets its template's benefit as a claimed one does: a lucky coupon's face value is drawn, red envelopes,
/// split shares and points credited on claim get their <c>BenefitCredit</c> command in the same transaction, and a split red
/// envelope's share index is assigned by the store (such templates are issued one by one, not in store batches, and need a
/// store whose <see cref="ICouponStore.AssignsIssueSequence"/> is <see langword="true"/>).
/// </para>
/// <para>
/// Before a chunk is worked on, the job records how far the chunk goes (<see cref="PushJob.InFlightThroughUserId"/>). If the
/// push is interrupted within the chunk, the resumed run finds the coupons issued before the interruption as replays of their
/// claim keys and counts them as issued, so the final counts are the same as those of an uninterrupted run.
/// </para>
/// <para>
/// A bulk store that writes chunks well side by side (<see cref="IBulkCouponStore.ConcurrentBatches"/> above 1, such as the EF
/// Core store on PostgreSQL) gets that many chunks at once, each in its own transaction, but only while the template's stock
/// covers them all, so the inventory still goes to the users in segment order. The checkpoint then moves over the chunks in
/// order; if one sells out anyway (a concurrent claim took the stock), it stops there, and the coupons a later chunk issued
/// meanwhile are counted when the job resumes, as replays within <see cref="PushJob.InFlightThroughUserId"/>.
/// </para>
/// </remarks>
public sealed class PushIssuance
{
    /// <summary>
    /// The default number of users per chunk: large enough that the per-chunk costs (a transaction with its commit, the reads,
    /// the stock update, two checkpoints) are spread over many coupons, small enough that a chunk's transaction stays short and
    /// a retried or interrupted chunk redoes little.
    /// </summary>
    public const int DefaultChunkSize = 5_000;

    /// <summary>The most users per chunk.</summary>
    public const int MaxChunkSize = 10_000;

    /// <summary>The most chunks a push writes side by side (<see cref="IBulkCouponStore.ConcurrentBatches"/>).</summary>
    private const int MaxChunksInFlight = 4;

    private readonly ITemplateStore _templates;
    private readonly ICouponStore _coupons;
    private readonly IUserSegmentSource _segments;
    private readonly IPushJobStore _jobs;
    private readonly TimeProvider _time;

    /// <summary>Initializes a new instance of the <see cref="PushIssuance"/> class.</summary>
    /// <param name="templates">The template store.</param>
    /// <param name="coupons">The coupon store, which issues atomically.</param>
    /// <param name="segments">The source of the segments' users.</param>
    /// <param name="jobs">The job store, with the checkpoints.</param>
    /// <param name="time">The clock.</param>
    public PushIssuance(ITemplateStore templates, ICouponStore coupons, IUserSegmentSource segments, IPushJobStore jobs, TimeProvider time)
    {
        _templates = templates ?? throw new ArgumentNullException(nameof(templates));
        _coupons = coupons ?? throw new ArgumentNullException(nameof(coupons));
        _segments = segments ?? throw new ArgumentNullException(nameof(segments));
        _jobs = jobs ?? throw new ArgumentNullException(nameof(jobs));
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <summary>
    /// Starts a push and runs it to the end of the segment, to sold out, or until it is interrupted. Starting a job id that
    /// exists continues that job (as <see cref="ResumeAsync"/> does, with the chunk size it was created with), so a retried
    /// start issues nothing twice.
    /// </summary>
    /// <param name="request">The push.</param>
    /// <param name="progress">Receives the counts after every chunk, never decreasing; optional.</param>
    /// <param name="cancellationToken">
    /// Interrupts the push; the job stays <see cref="PushJobState.Running"/> and <see cref="ResumeAsync"/> continues it.
    /// </param>
    /// <returns>The job when the run stopped: <see cref="PushJobState.Completed"/>, <see cref="PushJobState.SoldOut"/> or <see cref="PushJobState.Cancelled"/>.</returns>
    /// <exception cref="ArgumentException">The request is malformed (blank or too long ids, chunk size out of range).</exception>
    /// <exception cref="IdempotencyKeyConflictException">The job id is taken by a push of another template or segment.</exception>
    /// <exception cref="TemplateNotFoundException">The template does not exist.</exception>
    /// <exception cref="TemplateStateException">The template is not active.</exception>
    /// <exception cref="InvalidTemplateException">The template does not issue through <see cref="ClaimChannels.Push"/>, or its coupons have expired.</exception>
    /// <exception cref="Benefits.BenefitNotSupportedException">The template is a split red envelope and the coupon store does not assign issue sequences.</exception>
    /// <exception cref="ConcurrencyConflictException">Another runner is advancing the same job.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<PushJob> StartAsync(PushJobRequest request, IProgress<PushProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        Validate(request);
        var job = await _jobs.FindAsync(request.JobId, cancellationToken).ConfigureAwait(false);
        if (job is null)
        {
            await LoadPushableAsync(request.TemplateId, cancellationToken).ConfigureAwait(false);
            var now = _time.GetUtcNow();
            var created = new PushJob
            {
                JobId = request.JobId,
                TemplateId = request.TemplateId,
                Segment = request.Segment,
                ChunkSize = request.ChunkSize,
                State = PushJobState.Running,
                CreatedAt = now,
                UpdatedAt = now,
                Version = 1,
            };
            job = await _jobs.TryAddAsync(created, cancellationToken).ConfigureAwait(false)
                ? created
                : await _jobs.FindAsync(request.JobId, cancellationToken).ConfigureAwait(false) ?? throw new ConcurrencyConflictException($"Push job '{request.JobId}'");
        }

        if (!string.Equals(job.TemplateId, request.TemplateId, StringComparison.Ordinal) || !string.Equals(job.Segment, request.Segment, StringComparison.Ordinal))
        {
            throw new IdempotencyKeyConflictException(request.JobId);
        }

        return await RunAsync(job, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Continues a push from its checkpoint: a <see cref="PushJobState.Running"/> job (after a crash, a cancelled token or a
    /// paused template), or a <see cref="PushJobState.SoldOut"/> job after the merchant raised the inventory. A completed or
    /// cancelled job is returned as it is.
    /// </summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="progress">Receives the counts after every chunk, never decreasing; optional.</param>
    /// <param name="cancellationToken">Interrupts the push; the job stays resumable.</param>
    /// <returns>The job when the run stopped.</returns>
    /// <exception cref="ArgumentException">The job id is blank or too long.</exception>
    /// <exception cref="PushJobNotFoundException">No job has this id.</exception>
    /// <exception cref="TemplateStateException">The template is not active.</exception>
    /// <exception cref="InvalidTemplateException">The template does not issue through <see cref="ClaimChannels.Push"/>, or its coupons have expired.</exception>
    /// <exception cref="Benefits.BenefitNotSupportedException">The template is a split red envelope and the coupon store does not assign issue sequences.</exception>
    /// <exception cref="ConcurrencyConflictException">Another runner is advancing the same job.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<PushJob> ResumeAsync(string jobId, IProgress<PushProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var job = await GetAsync(jobId, cancellationToken).ConfigureAwait(false);
        return await RunAsync(job, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a job, for example to show its progress from another process.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The job as last saved.</returns>
    /// <exception cref="ArgumentException">The job id is blank or too long.</exception>
    /// <exception cref="PushJobNotFoundException">No job has this id.</exception>
    public async Task<PushJob> GetAsync(string jobId, CancellationToken cancellationToken = default)
    {
        Guard.Identifier(jobId, nameof(jobId));
        return await _jobs.FindAsync(jobId, cancellationToken).ConfigureAwait(false) ?? throw new PushJobNotFoundException(jobId);
    }

    /// <summary>
    /// Cancels a job for good. A run in progress stops at its next checkpoint; coupons already issued stay issued. A completed
    /// or cancelled job is returned as it is.
    /// </summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The job.</returns>
    /// <exception cref="ArgumentException">The job id is blank or too long.</exception>
    /// <exception cref="PushJobNotFoundException">No job has this id.</exception>
    public async Task<PushJob> CancelAsync(string jobId, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var job = await GetAsync(jobId, cancellationToken).ConfigureAwait(false);
            if (job.State is PushJobState.Completed or PushJobState.Cancelled)
            {
                return job;
            }

            var cancelled = job with { State = PushJobState.Cancelled, UpdatedAt = _time.GetUtcNow(), Version = job.Version + 1 };
            if (await _jobs.TryUpdateAsync(cancelled, cancellationToken).ConfigureAwait(false))
            {
                return cancelled;
            }
        }
    }

    /// <summary>The claim key of a user's pushed coupon: <c>push:{templateId}:{userId}</c>, or a hash of both when that is too long.</summary>
    internal static string ClaimKeyOf(string templateId, string userId)
    {
        var key = "push:" + templateId + ":" + userId;
        if (key.Length <= CouponClaims.MaxIdempotencyKeyLength)
        {
            return key;
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(templateId + "\n" + userId));
        return "push:" + Convert.ToHexString(hash);
    }

    internal static void Validate(PushJobRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Guard.Identifier(request.JobId, nameof(request.JobId));
        Guard.Identifier(request.TemplateId, nameof(request.TemplateId));
        Guard.Identifier(request.Segment, nameof(request.Segment));
        if (request.ChunkSize is < 1 or > MaxChunkSize)
        {
            throw new ArgumentException($"The chunk size must be 1 to {MaxChunkSize}, got {request.ChunkSize}.", nameof(request));
        }
    }

    private static bool IsValidUserId(string userId) => !string.IsNullOrWhiteSpace(userId) && userId.Length <= Guard.MaxIdentifierLength;

    private static bool IsAtOrBefore(string userId, string? bound) => bound is not null && string.CompareOrdinal(userId, bound) <= 0;

    /// <summary>Returns <paramref name="bound"/> if it lies after the checkpoint <paramref name="lastUserId"/>, else <see langword="null"/>.</summary>
    private static string? BeyondCheckpoint(string? bound, string? lastUserId) =>
        bound is not null && (lastUserId is null || string.CompareOrdinal(bound, lastUserId) > 0) ? bound : null;

    private static void CheckOrder(IReadOnlyList<string> users, string? after, string segment)
    {
        var previous = after;
        foreach (var user in users)
        {
            if (user is null || (previous is not null && string.CompareOrdinal(user, previous) <= 0))
            {
                throw new InvalidOperationException($"The segment source returned the users of segment '{segment}' out of order; it must return distinct ids in ascending ordinal order after the given id.");
            }

            previous = user;
        }
    }

    private static PushProgress ProgressOf(PushJob job) => new(job.JobId, job.State, job.Issued, job.Skipped, job.Failed, job.LastUserId);

    private async Task<CouponTemplate> LoadPushableAsync(string templateId, CancellationToken cancellationToken)
    {
        var template = await _templates.FindAsync(templateId, cancellationToken).ConfigureAwait(false)
            ?? throw new TemplateNotFoundException(templateId);
        if (template.State != TemplateState.Active)
        {
            throw new TemplateStateException(templateId, template.State, "pushed");
        }

        if ((template.Channels & ClaimChannels.Push) == 0)
        {
            throw new InvalidTemplateException(templateId, "channels", "the template does not issue through Push, so it cannot be pushed.");
        }

        if (!template.Validity.IsRelative && _time.GetUtcNow() >= template.Validity.Until)
        {
            throw new InvalidTemplateException(templateId, "validity", string.Create(CultureInfo.InvariantCulture, $"its coupons expired at {template.Validity.Until:O}, so pushing them would hand out dead coupons."));
        }

        Benefits.BenefitIssuance.EnsureSupported(template, _coupons);
        return template;
    }

    private async Task<PushJob> RunAsync(PushJob job, IProgress<PushProgress>? progress, CancellationToken cancellationToken)
    {
        if (job.State is PushJobState.Completed or PushJobState.Cancelled)
        {
            progress?.Report(ProgressOf(job));
            return job;
        }

        var window = _coupons is IBulkCouponStore bulk ? Math.Clamp(bulk.ConcurrentBatches, 1, MaxChunksInFlight) : 1;
        while (true)
        {
            var template = await LoadPushableAsync(job.TemplateId, cancellationToken).ConfigureAwait(false);
            var users = await _segments.ReadAsync(job.Segment, job.LastUserId, job.ChunkSize, cancellationToken).ConfigureAwait(false);
            CheckOrder(users, job.LastUserId, job.Segment);
            if (users.Count == 0)
            {
                job = await SaveAsync(job with { State = PushJobState.Completed, InFlightThroughUserId = null }, cancellationToken).ConfigureAwait(false);
                progress?.Report(ProgressOf(job));
                return job;
            }

            // More chunks in flight, each in its own transaction, while the stock covers them all: then none sells out and the
            // inventory goes to the users in segment order as it does chunk after chunk.
            var chunks = new List<IReadOnlyList<string>> { users };
            if (window > 1 && users.Count == job.ChunkSize)
            {
                var stock = await _templates.GetStockAsync(template.Id, cancellationToken).ConfigureAwait(false);
                var covered = users.Count;
                while (chunks.Count < window && chunks[^1].Count == job.ChunkSize && stock is not null && stock.Remaining >= covered + job.ChunkSize)
                {
                    var more = await _segments.ReadAsync(job.Segment, chunks[^1][^1], job.ChunkSize, cancellationToken).ConfigureAwait(false);
                    CheckOrder(more, chunks[^1][^1], job.Segment);
                    if (more.Count == 0)
                    {
                        break;
                    }

                    chunks.Add(more);
                    covered += more.Count;
                }
            }

            // Users up to here may hold a coupon from a run of this job that was interrupted within its chunks.
            var ownThrough = job.InFlightThroughUserId;
            var last = chunks[^1][^1];
            var inFlight = IsAtOrBefore(last, ownThrough) ? ownThrough : last;
            job = await SaveAsync(job with { State = PushJobState.Running, InFlightThroughUserId = inFlight }, cancellationToken).ConfigureAwait(false);
            if (job.State == PushJobState.Cancelled)
            {
                progress?.Report(ProgressOf(job));
                return job;
            }

            var outcomes = chunks.Count == 1
                ? [await IssueChunkAsync(template, users, job.LastUserId, ownThrough, cancellationToken).ConfigureAwait(false)]
                : await Task.WhenAll(chunks.Select((chunk, i) => IssueChunkAsync(template, chunk, i == 0 ? job.LastUserId : chunks[i - 1][^1], ownThrough, cancellationToken))).ConfigureAwait(false);

            // The checkpoint moves over the chunks in order up to the first that sold out (a concurrent claim took the stock the
            // check above saw). Coupons a later chunk issued meanwhile stay covered by InFlightThroughUserId: a resume finds them
            // as replays and counts them then, so the counts end as a run chunk after chunk would have them.
            var next = job;
            var bound = ownThrough;
            for (var i = 0; i < outcomes.Length; i++)
            {
                var chunk = outcomes[i];
                next = next with
                {
                    State = chunk.SoldOut ? PushJobState.SoldOut : PushJobState.Running,
                    LastUserId = chunk.LastUserId,
                    Issued = next.Issued + chunk.Issued,
                    Skipped = next.Skipped + chunk.Skipped,
                    Failed = next.Failed + chunk.Failed,
                };
                if (chunk.SoldOut)
                {
                    bound = i < outcomes.Length - 1 ? inFlight : ownThrough;
                    break;
                }
            }

            job = await SaveAsync(next with { InFlightThroughUserId = BeyondCheckpoint(bound, next.LastUserId) }, cancellationToken).ConfigureAwait(false);
            progress?.Report(ProgressOf(job));
            if (job.State != PushJobState.Running)
            {
                return job;
            }
        }
    }

    private async Task<ChunkOutcome> IssueChunkAsync(CouponTemplate template, IReadOnlyList<string> users, string? lastUserId, string? ownThrough, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var (from, until) = template.Validity.WindowFor(now);
        var commands = new IssueCommand?[users.Count];
        var sequenced = Benefits.BenefitIssuance.NeedsSequence(template);
        for (var i = 0; i < users.Count; i++)
        {
            var user = users[i];
            if (IsValidUserId(user))
            {
                var key = ClaimKeyOf(template.Id, user);
                // The benefit step of a claim: the lucky draw, the credit command written with the coupon, the share's sequence.
                var coupon = Benefits.BenefitIssuance.Prepare(template, new IssuedCoupon(SortableCouponIds.New(now), template.Id, user, CouponState.Available, from, until, now, ClaimChannels.Push, null, 1));
                var events = Benefits.BenefitIssuance.Events(template, coupon, CouponEvents.Issued(coupon, key));
                commands[i] = new IssueCommand(key, coupon, template.PerUserLimit, events) { AssignSequence = sequenced };
            }
        }

        // A store that issues in bulk writes the whole chunk in one transaction, with the outcomes one-by-one issuance would give.
        // Split red envelopes go one by one: a batch need not assign issue sequences (IBulkCouponStore may refuse them).
        IReadOnlyList<IssueOutcome>? bulk = null;
        if (_coupons is IBulkCouponStore bulkStore && !sequenced)
        {
            var valid = commands.OfType<IssueCommand>().ToArray();
            bulk = valid.Length == 0 ? [] : await bulkStore.IssueBatchAsync(valid, cancellationToken).ConfigureAwait(false);
            if (bulk.Count != valid.Length)
            {
                throw new InvalidOperationException($"The bulk coupon store answered {bulk.Count} outcomes for {valid.Length} commands.");
            }
        }

        var outcome = new ChunkOutcome { LastUserId = lastUserId };
        var next = 0;
        for (var i = 0; i < users.Count; i++)
        {
            var user = users[i];
            if (commands[i] is not { } command)
            {
                outcome.Failed++;
                outcome.LastUserId = user;
                continue;
            }

            var issue = bulk is not null ? bulk[next++] : await _coupons.IssueAsync(command, cancellationToken).ConfigureAwait(false);
            switch (issue.Status)
            {
                case IssueStatus.Issued:
                    outcome.Issued++;
                    break;
                case IssueStatus.Replayed when IsAtOrBefore(user, ownThrough):
                    outcome.Issued++; // issued by this job before an interruption, after its last checkpoint
                    break;
                case IssueStatus.Replayed:
                case IssueStatus.LimitReached:
                    outcome.Skipped++;
                    break;
                case IssueStatus.KeyConflict:
                    outcome.Failed++;
                    break;
                case IssueStatus.SoldOut:
                    outcome.SoldOut = true;
                    return outcome; // this user got nothing: a resume after the inventory is raised starts with them
                default:
                    throw new InvalidOperationException($"The coupon store answered an unknown issue status {issue.Status}.");
            }

            outcome.LastUserId = user;
        }

        return outcome;
    }

    /// <summary>
    /// Saves the next version of a job. If the merchant cancelled it meanwhile, saves this run's progress with the
    /// <see cref="PushJobState.Cancelled"/> state and returns that; if anything else changed it, another runner is at work.
    /// </summary>
    private async Task<PushJob> SaveAsync(PushJob next, CancellationToken cancellationToken)
    {
        next = next with { UpdatedAt = _time.GetUtcNow(), Version = next.Version + 1 };
        if (await _jobs.TryUpdateAsync(next, cancellationToken).ConfigureAwait(false))
        {
            return next;
        }

        var stored = await _jobs.FindAsync(next.JobId, cancellationToken).ConfigureAwait(false);
        if (stored is { State: PushJobState.Cancelled })
        {
            var cancelled = next with { State = PushJobState.Cancelled, Version = stored.Version + 1 };
            return await _jobs.TryUpdateAsync(cancelled, cancellationToken).ConfigureAwait(false) ? cancelled : stored;
        }

        throw new ConcurrencyConflictException($"Push job '{next.JobId}'");
    }

    private sealed class ChunkOutcome
    {
        public string? LastUserId { get; set; }

        public long Issued { get; set; }

        public long Skipped { get; set; }

        public long Failed { get; set; }

        public bool SoldOut { get; set; }
    }
}

/// <summary>A merchant's request to push a template's coupon to a segment of users.</summary>
public sealed class PushJobRequest
{
    /// <summary>Gets the job id, chosen by the caller: starting it again continues the same job and issues nothing twice.</summary>
    public required string JobId { get; init; }

    /// <summary>Gets the template to push; it must be active and allow <see cref="ClaimChannels.Push"/>.</summary>
    public required string TemplateId { get; init; }

    /// <summary>Gets the segment whose users get the coupon.</summary>
    public required string Segment { get; init; }

    /// <summary>Gets how many users are handled between two checkpoints: 1 to <see cref="PushIssuance.MaxChunkSize"/>.</summary>
    /// <value>The default value is <see cref="PushIssuance.DefaultChunkSize"/> (5,000).</value>
    public int ChunkSize { get; init; } = PushIssuance.DefaultChunkSize;
}

/// <summary>The progress of a push job, reported after every chunk. The counts never decrease, across resumes too.</summary>
/// <param name="JobId">The job.</param>
/// <param name="State">Its state.</param>
/// <param name="Issued">How many users got a coupon.</param>
/// <param name="Skipped">How many users already held the coupon, or as many as the template allows.</param>
/// <param name="Failed">How many users could not be given one.</param>
/// <param name="LastUserId">The checkpoint: the last user handled.</param>
public sealed record PushProgress(string JobId, PushJobState State, long Issued, long Skipped, long Failed, string? LastUserId)
{
    /// <summary>Gets how many users were handled.</summary>
    public long Processed => Issued + Skipped + Failed;
}

/// <summary>Thrown when a push job id is unknown.</summary>
public sealed class PushJobNotFoundException : CouponKitException
{
    /// <summary>Initializes a new instance of the <see cref="PushJobNotFoundException"/> class.</summary>
    /// <param name="jobId">The job id that was given.</param>
    public PushJobNotFoundException(string jobId)
        : base("push_job_not_found", $"No push job '{jobId}' exists.")
    {
        JobId = jobId;
    }

    /// <summary>Gets the job id that was given.</summary>
    public string JobId { get; }
}
