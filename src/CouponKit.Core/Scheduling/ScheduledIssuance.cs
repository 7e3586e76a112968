using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Security;
using Microsoft.Extensions.Hosting;

namespace CouponKit.Scheduling;

/// <summary>
/// Opens a draft or paused template for claims at a set time ("claims open at 10:00"), carried by a delayed message on the bus,
/// not by a polling loop. Each schedule has an id and records the template's version; a template has one current schedule, so
/// rescheduling or cancelling replaces it. When a delayed message arrives it opens the template only if its schedule is still
/// the current, pending one and the template is still at the recorded version: a stale message (rescheduled, cancelled, the
/// template edited since) or a duplicate is acknowledged and ignored. A schedule rescheduled twice fires once, at the last time.
/// </summary>
public sealed class ScheduledIssuance : IHostedService
{
    /// <summary>The tag of the delayed opening message (topic <see cref="CouponTopics.Coupon"/>).</summary>
    public const string OpeningTag = "ScheduledOpening";

    /// <summary>The consumer group of scheduled openings.</summary>
    public const string OpeningGroup = "couponkit-scheduled-opening";

    private readonly CouponTemplates _templates;
    private readonly ITemplateStore _store;
    private readonly IIssuanceScheduleStore _schedules;
    private readonly IMessageBus _bus;
    private readonly TimeProvider _time;
    private readonly DelayedSchedule _delayed = new();

    /// <summary>Initializes a new instance of the <see cref="ScheduledIssuance"/> class.</summary>
    /// <param name="templates">The merchant operations on templates.</param>
    /// <param name="store">The template store.</param>
    /// <param name="schedules">The schedule store.</param>
    /// <param name="bus">The bus that carries the delayed messages.</param>
    /// <param name="time">The clock.</param>
    public ScheduledIssuance(CouponTemplates templates, ITemplateStore store, IIssuanceScheduleStore schedules, IMessageBus bus, TimeProvider time)
    {
        _templates = templates ?? throw new ArgumentNullException(nameof(templates));
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _schedules = schedules ?? throw new ArgumentNullException(nameof(schedules));
        _bus = bus ?? throw new ArgumentNullException(nameof(bus));
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <summary>Gets the subscription of the delayed openings.</summary>
    public static Subscription Subscription { get; } = new()
    {
        ConsumerGroup = OpeningGroup,
        Topic = CouponTopics.Coupon,
        Tags = [OpeningTag],
    };

    /// <summary>Schedules (or reschedules) the opening of a draft or paused template.</summary>
    /// <param name="actor">Who schedules it; must own the template.</param>
    /// <param name="templateId">The template.</param>
    /// <param name="when">When: a delay level, a delay, or an exact time.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The schedule.</returns>
    /// <exception cref="ScheduleInPastException">The time is in the past; nothing changes.</exception>
    /// <exception cref="TemplateNotFoundException">The template does not exist.</exception>
    /// <exception cref="TemplateStateException">The template is neither a draft nor paused.</exception>
    public async Task<IssuanceSchedule> ScheduleOpeningAsync(MerchantActor actor, string templateId, Delivery when, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var at = DelayLevels.Resolve(when, _time.GetUtcNow());
        var template = await _templates.GetAsync(actor, templateId, cancellationToken).ConfigureAwait(false);
        if (template.State is not (TemplateState.Draft or TemplateState.Paused))
        {
            throw new TemplateStateException(templateId, template.State, "scheduled to open");
        }

        var schedule = new IssuanceSchedule(template.Id, Guid.NewGuid().ToString("N"), template.Version, at, template.OwnerId, actor.ActorId, ScheduleStatus.Pending);
        var body = System.Text.Json.JsonSerializer.Serialize(new Opening(schedule.TemplateId, schedule.ScheduleId, schedule.TemplateVersion));
        var message = new OutboxMessage($"schedule:{schedule.ScheduleId}", CouponTopics.Coupon, OpeningTag, template.Id, body, _time.GetUtcNow(), at);
        return await DelayedSchedule.ScheduleAsync(_schedules, _bus, schedule, message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Cancels a template's pending opening; its delayed message, when it arrives, is ignored.</summary>
    /// <param name="actor">Who cancels; must own the template.</param>
    /// <param name="templateId">The template.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when a pending schedule was cancelled.</returns>
    public async Task<bool> CancelAsync(MerchantActor actor, string templateId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await _templates.GetAsync(actor, templateId, cancellationToken).ConfigureAwait(false);
        var current = await _schedules.FindAsync(templateId, cancellationToken).ConfigureAwait(false);
        return current is { Status: ScheduleStatus.Pending }
            && await _schedules.TryCompleteAsync(templateId, current.ScheduleId, ScheduleStatus.Cancelled, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => _delayed.StartAsync(_bus, Subscription, HandleAsync);

    /// <summary>Stops the subscription; running handlers finish first.</summary>
    /// <param name="cancellationToken">Not used: stopping waits for running handlers.</param>
    /// <returns>A task.</returns>
    public Task StopAsync(CancellationToken cancellationToken) => _delayed.StopAsync();

    /// <summary>Handles a delayed opening: opens the template if the schedule is current and the template unchanged.</summary>
    /// <param name="incoming">The message.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    internal async Task HandleAsync(IncomingMessage incoming, CancellationToken cancellationToken)
    {
        var opening = CouponEvents.Read<Opening>(incoming.Message);
        var schedule = await _schedules.FindAsync(opening.TemplateId, cancellationToken).ConfigureAwait(false);
        if (!DelayedSchedule.IsCurrentAndPending(schedule, opening.ScheduleId))
        {
            return; // rescheduled, cancelled, or already fired: a stale or duplicate message
        }

        var template = await _store.FindAsync(opening.TemplateId, cancellationToken).ConfigureAwait(false);
        if (template is null || template.Version != schedule.TemplateVersion || template.State is not (TemplateState.Draft or TemplateState.Paused))
        {
            await _schedules.TryCompleteAsync(schedule.TemplateId, schedule.ScheduleId, ScheduleStatus.Cancelled, cancellationToken).ConfigureAwait(false);
            return; // the template changed since it was scheduled: the merchant reschedules
        }

        var actor = new MerchantActor(schedule.OwnerId, schedule.ActorId);
        try
        {
            _ = template.State == TemplateState.Draft
                ? await _templates.ActivateAsync(actor, template.Id, cancellationToken).ConfigureAwait(false)
                : await _templates.ResumeAsync(actor, template.Id, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ConcurrencyConflictException or TemplateStateException)
        {
            // Changed at the same moment (or opened by a duplicate delivery): not opened by this message.
        }

        await _schedules.TryCompleteAsync(schedule.TemplateId, schedule.ScheduleId, ScheduleStatus.Fired, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The body of a delayed opening.</summary>
    /// <param name="TemplateId">The template.</param>
    /// <param name="ScheduleId">The schedule.</param>
    /// <param name="TemplateVersion">The template's version when scheduled.</param>
    internal sealed record Opening(string TemplateId, string ScheduleId, long TemplateVersion);
}
