using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Security;
using CouponKit.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CouponKit.Scheduling;

/// <summary>
/// Runs a push issuance at a set time ("give the 100 welcome coupons to new users at 10:00"), carried by a delayed message on the
/// bus, not by a polling loop. It reuses the schedules of <see cref="ScheduledIssuance"/>: each push job has one current schedule
/// (kept in the <see cref="IIssuanceScheduleStore"/> under the key <c>push:{jobId}</c>), with a unique schedule id that its
/// delayed message carries; rescheduling or cancelling replaces it. When a delayed message arrives it starts the push only if
/// its schedule is still the current, pending one: a stale message (rescheduled, cancelled) or a duplicate is acknowledged and
/// ignored, so a push rescheduled twice runs once, at the last time. The push itself is idempotent by job id
/// (<see cref="PushIssuance.StartAsync"/>), so a redelivery after a crash resumes it and issues nothing twice.
/// </summary>
public sealed class ScheduledPushIssuance : IHostedService
{
    /// <summary>The tag of the delayed push message (topic <see cref="CouponTopics.Coupon"/>).</summary>
    public const string PushTag = "ScheduledPush";

    /// <summary>The consumer group of scheduled pushes.</summary>
    public const string PushGroup = "couponkit-scheduled-push";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly CouponTemplates _templates;
    private readonly PushIssuance _push;
    private readonly IPushJobStore _jobs;
    private readonly IIssuanceScheduleStore _schedules;
    private readonly IMessageBus _bus;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly DelayedSchedule _delayed = new();

    /// <summary>Initializes a new instance of the <see cref="ScheduledPushIssuance"/> class.</summary>
    /// <param name="templates">The merchant operations on templates (ownership checks).</param>
    /// <param name="push">The push issuance that runs the job.</param>
    /// <param name="jobs">The push jobs.</param>
    /// <param name="schedules">The schedule store.</param>
    /// <param name="bus">The bus that carries the delayed messages.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">The logger.</param>
    public ScheduledPushIssuance(CouponTemplates templates, PushIssuance push, IPushJobStore jobs, IIssuanceScheduleStore schedules, IMessageBus bus, TimeProvider time, ILogger<ScheduledPushIssuance>? logger = null)
    {
        _templates = templates ?? throw new ArgumentNullException(nameof(templates));
        _push = push ?? throw new ArgumentNullException(nameof(push));
        _jobs = jobs ?? throw new ArgumentNullException(nameof(jobs));
        _schedules = schedules ?? throw new ArgumentNullException(nameof(schedules));
        _bus = bus ?? throw new ArgumentNullException(nameof(bus));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Gets the subscription of the delayed pushes.</summary>
    public static Subscription Subscription { get; } = new()
    {
        ConsumerGroup = PushGroup,
        Topic = CouponTopics.Coupon,
        Tags = [PushTag],
    };

    /// <summary>
    /// Schedules (or reschedules) a push. The template need not be active yet (it may be scheduled to open at the same time), but
    /// it must exist, belong to the actor and allow <see cref="ClaimChannels.Push"/>; the job id must not have started.
    /// </summary>
    /// <param name="actor">Who schedules it; must own the template.</param>
    /// <param name="request">The push to run.</param>
    /// <param name="when">When: a delay level, a delay, or an exact time.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The schedule (its <see cref="IssuanceSchedule.TemplateId"/> is the key <c>push:{jobId}</c>).</returns>
    /// <exception cref="ArgumentException">The request is malformed (blank or too long ids, chunk size out of range).</exception>
    /// <exception cref="ScheduleInPastException">The time is in the past; nothing changes.</exception>
    /// <exception cref="TemplateNotFoundException">The template does not exist.</exception>
    /// <exception cref="MerchantAccessDeniedException">The template belongs to another owner.</exception>
    /// <exception cref="InvalidTemplateException">The template does not issue through <see cref="ClaimChannels.Push"/>.</exception>
    /// <exception cref="IdempotencyKeyConflictException">A push job with this id has already started.</exception>
    public async Task<IssuanceSchedule> SchedulePushAsync(MerchantActor actor, PushJobRequest request, Delivery when, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        PushIssuance.Validate(request);
        var at = DelayLevels.Resolve(when, _time.GetUtcNow());
        var template = await _templates.GetAsync(actor, request.TemplateId, cancellationToken).ConfigureAwait(false);
        if ((template.Channels & ClaimChannels.Push) == 0)
        {
            throw new InvalidTemplateException(template.Id, "channels", "the template does not issue through Push, so a push cannot be scheduled.");
        }

        if (await _jobs.FindAsync(request.JobId, cancellationToken).ConfigureAwait(false) is not null)
        {
            throw new IdempotencyKeyConflictException(request.JobId);
        }

        var schedule = new IssuanceSchedule(ScheduleKeyOf(request.JobId), Guid.NewGuid().ToString("N"), template.Version, at, template.OwnerId, actor.ActorId, ScheduleStatus.Pending);
        var body = JsonSerializer.Serialize(new Fire(request.JobId, schedule.ScheduleId, request.TemplateId, request.Segment, request.ChunkSize), Json);
        var message = new OutboxMessage($"push-schedule:{schedule.ScheduleId}", CouponTopics.Coupon, PushTag, request.JobId, body, _time.GetUtcNow(), at);
        return await DelayedSchedule.ScheduleAsync(_schedules, _bus, schedule, message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Finds a push job's current schedule.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The schedule, or <see langword="null"/>.</returns>
    public Task<IssuanceSchedule?> FindAsync(string jobId, CancellationToken cancellationToken = default)
    {
        Guard.Identifier(jobId, nameof(jobId));
        return _schedules.FindAsync(ScheduleKeyOf(jobId), cancellationToken);
    }

    /// <summary>Cancels a push job's pending schedule; its delayed message, when it arrives, is ignored.</summary>
    /// <param name="actor">Who cancels; must own the template.</param>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when a pending schedule was cancelled.</returns>
    /// <exception cref="MerchantAccessDeniedException">The schedule belongs to another owner.</exception>
    public async Task<bool> CancelAsync(MerchantActor actor, string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var current = await FindAsync(jobId, cancellationToken).ConfigureAwait(false);
        if (current is not { Status: ScheduleStatus.Pending })
        {
            return false;
        }

        if (!actor.Owns(current.OwnerId))
        {
            throw new MerchantAccessDeniedException("push schedule", jobId);
        }

        return await _schedules.TryCompleteAsync(current.TemplateId, current.ScheduleId, ScheduleStatus.Cancelled, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => _delayed.StartAsync(_bus, Subscription, HandleAsync);

    /// <summary>Stops the subscription; running handlers finish first.</summary>
    /// <param name="cancellationToken">Not used: stopping waits for running handlers.</param>
    /// <returns>A task.</returns>
    public Task StopAsync(CancellationToken cancellationToken) => _delayed.StopAsync();

    /// <summary>The schedule key of a push job: <c>push:{jobId}</c>, or a hash when that is longer than an identifier.</summary>
    internal static string ScheduleKeyOf(string jobId)
    {
        var key = "push:" + jobId;
        return key.Length <= Guard.MaxIdentifierLength
            ? key
            : "push:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(jobId))).ToLowerInvariant();
    }

    /// <summary>Handles a delayed push: runs the job if its schedule is the current, pending one.</summary>
    /// <param name="incoming">The message.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task; a fault (a crash of the push) makes the bus deliver it again, which resumes the job.</returns>
    internal async Task HandleAsync(IncomingMessage incoming, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        var fire = CouponEvents.Read<Fire>(incoming.Message);
        var key = ScheduleKeyOf(fire.JobId);
        var schedule = await _schedules.FindAsync(key, cancellationToken).ConfigureAwait(false);
        if (!DelayedSchedule.IsCurrentAndPending(schedule, fire.ScheduleId))
        {
            return; // rescheduled, cancelled, or already fired: a stale or duplicate message
        }

        var request = new PushJobRequest { JobId = fire.JobId, TemplateId = fire.TemplateId, Segment = fire.Segment, ChunkSize = fire.ChunkSize };
        PushJob job;
        try
        {
            job = await _push.StartAsync(request, null, cancellationToken).ConfigureAwait(false);
        }
        catch (ConcurrencyConflictException)
        {
            return; // a duplicate delivery runs the same job right now; it completes the schedule
        }
        catch (CouponKitException ex) when (ex is TemplateNotFoundException or TemplateStateException or InvalidTemplateException or IdempotencyKeyConflictException or Benefits.BenefitNotSupportedException)
        {
            // The template is not pushable at the scheduled time (paused, ended, not opened): the merchant decides again.
            Log.ScheduledPushRefused(_logger, ex, fire.JobId, fire.TemplateId, ex.ErrorCode);
            await _schedules.TryCompleteAsync(key, schedule.ScheduleId, ScheduleStatus.Cancelled, cancellationToken).ConfigureAwait(false);
            return;
        }

        await _schedules.TryCompleteAsync(key, schedule.ScheduleId, ScheduleStatus.Fired, cancellationToken).ConfigureAwait(false);
        Log.ScheduledPushFired(_logger, job.JobId, job.TemplateId, job.State.ToString(), job.Issued);
    }

    /// <summary>The body of a delayed push.</summary>
    /// <param name="JobId">The push job.</param>
    /// <param name="ScheduleId">The schedule it belongs to.</param>
    /// <param name="TemplateId">The template.</param>
    /// <param name="Segment">The segment.</param>
    /// <param name="ChunkSize">The chunk size.</param>
    internal sealed record Fire(string JobId, string ScheduleId, string TemplateId, string Segment, int ChunkSize);
}
