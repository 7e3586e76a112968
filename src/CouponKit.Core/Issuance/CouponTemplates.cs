using System.Diagnostics.Metrics;
using System.Globalization;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Security;
using CouponKit.Telemetry;

namespace CouponKit.Issuance;

/// <summary>A safe change to a live template: only what does not alter coupons already issued.</summary>
public sealed class TemplateEdit
{
    /// <summary>Gets the new name, or <see langword="null"/> to keep it.</summary>
    public string? Name { get; init; }

    /// <summary>Gets the new total inventory (not below what was issued), or <see langword="null"/> to keep it.</summary>
    public int? TotalInventory { get; init; }

    /// <summary>Gets the new end of the claim window, or <see langword="null"/> to keep it.</summary>
    public DateTimeOffset? ClaimEndsAt { get; init; }

    /// <summary>Gets the new per-user limit, or <see langword="null"/> to keep it.</summary>
    public int? PerUserLimit { get; init; }
}

/// <summary>
/// The merchant's operations on coupon templates: create, activate, pause, resume, end and edit. Every change raises the
/// template's version and writes a <see cref="CouponTopics.TemplateChanged"/> event with it, atomically, and is written to the
/// audit trail (<see cref="IAuditLog"/>) with who, when, and the old and new values.
/// </summary>
/// <remarks>
/// <para>Merchants are tenants: every template has an owner (<see cref="CouponTemplate.OwnerId"/>). The overloads taking a
/// <see cref="MerchantActor"/> act for that actor's owner and refuse another owner's template with
/// <see cref="MerchantAccessDeniedException"/>, changing nothing (counted in <c>couponkit.security.refusals</c>). The
/// overloads without an actor act as <see cref="MerchantActor.Platform"/>: they see the platform's templates, which is what
/// templates created without an owner belong to, so single-shop hosts need not know about owners.</para>
/// </remarks>
public sealed class CouponTemplates
{
    private const string Subject = "template";

    private readonly ITemplateStore _store;
    private readonly TimeProvider _time;
    private readonly IAuditLog? _audit;
    private readonly CouponKitMetrics _metrics;

    /// <summary>Initializes a new instance of the <see cref="CouponTemplates"/> class.</summary>
    /// <param name="store">The template store.</param>
    /// <param name="time">The clock.</param>
    /// <param name="audit">The audit trail; <see langword="null"/> for none.</param>
    /// <param name="meterFactory">Creates the <c>CouponKit</c> meter; <see langword="null"/> for a process-wide one.</param>
    public CouponTemplates(ITemplateStore store, TimeProvider time, IAuditLog? audit = null, IMeterFactory? meterFactory = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _audit = audit;
        _metrics = CouponKitMetrics.For(meterFactory);
    }

    /// <summary>Creates a platform template in the <see cref="TemplateState.Draft"/> state.</summary>
    /// <param name="draft">The definition.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The template.</returns>
    /// <exception cref="InvalidTemplateException">The definition is not valid, or the id is taken.</exception>
    /// <exception cref="MerchantAccessDeniedException">The draft names a merchant as owner.</exception>
    public Task<CouponTemplate> CreateAsync(TemplateDraft draft, CancellationToken cancellationToken = default) =>
        CreateAsync(MerchantActor.Platform, draft, cancellationToken);

    /// <summary>Creates a template owned by the actor's owner, in the <see cref="TemplateState.Draft"/> state.</summary>
    /// <param name="actor">Who acts; the template belongs to <see cref="MerchantActor.OwnerId"/>.</param>
    /// <param name="draft">The definition; its <see cref="TemplateDraft.OwnerId"/> is the default or the actor's owner.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The template.</returns>
    /// <exception cref="InvalidTemplateException">The definition is not valid, or the id is taken.</exception>
    /// <exception cref="MerchantAccessDeniedException">The draft names another owner.</exception>
    public async Task<CouponTemplate> CreateAsync(MerchantActor actor, TemplateDraft draft, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(draft);
        if (!string.Equals(draft.OwnerId, CouponOwner.Platform, StringComparison.Ordinal) && !actor.Owns(draft.OwnerId))
        {
            throw Denied(draft.Id ?? "(new)", SecurityReasons.OperationTemplate);
        }

        var template = CouponTemplate.Create(draft.Id ?? NewId(), draft with { OwnerId = actor.OwnerId }, _time.GetUtcNow());
        await _store.AddAsync(template, [CouponEvents.TemplateChanged(template, "created")], cancellationToken).ConfigureAwait(false);
        await AuditAsync(actor, template, "created", [
            new AuditChange("state", null, template.State.ToString()),
            new AuditChange("name", null, template.Name),
            new AuditChange("totalInventory", null, Text(template.TotalInventory)),
            new AuditChange("perUserLimit", null, Text(template.PerUserLimit)),
        ]).ConfigureAwait(false);
        return template;
    }

    /// <summary>Finds a platform template.</summary>
    /// <param name="templateId">The template id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The template.</returns>
    /// <exception cref="TemplateNotFoundException">The template does not exist.</exception>
    /// <exception cref="MerchantAccessDeniedException">The template belongs to a merchant.</exception>
    public Task<CouponTemplate> GetAsync(string templateId, CancellationToken cancellationToken = default) =>
        GetAsync(MerchantActor.Platform, templateId, cancellationToken);

    /// <summary>Finds one of the actor's templates.</summary>
    /// <param name="actor">Who acts.</param>
    /// <param name="templateId">The template id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The template.</returns>
    /// <exception cref="TemplateNotFoundException">The template does not exist.</exception>
    /// <exception cref="MerchantAccessDeniedException">The template belongs to another owner.</exception>
    public async Task<CouponTemplate> GetAsync(MerchantActor actor, string templateId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        Guard.Identifier(templateId, nameof(templateId));
        var template = await _store.FindAsync(templateId, cancellationToken).ConfigureAwait(false) ?? throw new TemplateNotFoundException(templateId);
        if (!actor.Owns(template.OwnerId))
        {
            throw Denied(templateId, SecurityReasons.OperationTemplate);
        }

        return template;
    }

    /// <summary>Reads a platform template's inventory.</summary>
    /// <param name="templateId">The template id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The inventory.</returns>
    /// <exception cref="TemplateNotFoundException">The template does not exist.</exception>
    /// <exception cref="MerchantAccessDeniedException">The template belongs to a merchant.</exception>
    public Task<TemplateStock> GetStockAsync(string templateId, CancellationToken cancellationToken = default) =>
        GetStockAsync(MerchantActor.Platform, templateId, cancellationToken);

    /// <summary>Reads the inventory of one of the actor's templates.</summary>
    /// <param name="actor">Who acts.</param>
    /// <param name="templateId">The template id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The inventory.</returns>
    /// <exception cref="TemplateNotFoundException">The template does not exist.</exception>
    /// <exception cref="MerchantAccessDeniedException">The template belongs to another owner.</exception>
    public async Task<TemplateStock> GetStockAsync(MerchantActor actor, string templateId, CancellationToken cancellationToken = default)
    {
        await GetAsync(actor, templateId, cancellationToken).ConfigureAwait(false);
        return await _store.GetStockAsync(templateId, cancellationToken).ConfigureAwait(false) ?? throw new TemplateNotFoundException(templateId);
    }

    /// <summary>Opens a draft platform template for claims.</summary>
    /// <param name="templateId">The template id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new version.</returns>
    /// <exception cref="TemplateStateException">The template is not a draft.</exception>
    public Task<CouponTemplate> ActivateAsync(string templateId, CancellationToken cancellationToken = default) =>
        ActivateAsync(MerchantActor.Platform, templateId, cancellationToken);

    /// <summary>Opens one of the actor's draft templates for claims.</summary>
    /// <param name="actor">Who acts.</param>
    /// <param name="templateId">The template id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new version.</returns>
    /// <exception cref="TemplateStateException">The template is not a draft.</exception>
    /// <exception cref="MerchantAccessDeniedException">The template belongs to another owner.</exception>
    public Task<CouponTemplate> ActivateAsync(MerchantActor actor, string templateId, CancellationToken cancellationToken = default) =>
        MoveAsync(actor, templateId, TemplateState.Draft, TemplateState.Active, "activated", cancellationToken);

    /// <summary>Pauses claims of an active platform template.</summary>
    /// <param name="templateId">The template id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new version.</returns>
    /// <exception cref="TemplateStateException">The template is not active.</exception>
    public Task<CouponTemplate> PauseAsync(string templateId, CancellationToken cancellationToken = default) =>
        PauseAsync(MerchantActor.Platform, templateId, cancellationToken);

    /// <summary>Pauses claims of one of the actor's active templates.</summary>
    /// <param name="actor">Who acts.</param>
    /// <param name="templateId">The template id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new version.</returns>
    /// <exception cref="TemplateStateException">The template is not active.</exception>
    /// <exception cref="MerchantAccessDeniedException">The template belongs to another owner.</exception>
    public Task<CouponTemplate> PauseAsync(MerchantActor actor, string templateId, CancellationToken cancellationToken = default) =>
        MoveAsync(actor, templateId, TemplateState.Active, TemplateState.Paused, "paused", cancellationToken);

    /// <summary>Resumes claims of a paused platform template.</summary>
    /// <param name="templateId">The template id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new version.</returns>
    /// <exception cref="TemplateStateException">The template is not paused.</exception>
    public Task<CouponTemplate> ResumeAsync(string templateId, CancellationToken cancellationToken = default) =>
        ResumeAsync(MerchantActor.Platform, templateId, cancellationToken);

    /// <summary>Resumes claims of one of the actor's paused templates.</summary>
    /// <param name="actor">Who acts.</param>
    /// <param name="templateId">The template id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new version.</returns>
    /// <exception cref="TemplateStateException">The template is not paused.</exception>
    /// <exception cref="MerchantAccessDeniedException">The template belongs to another owner.</exception>
    public Task<CouponTemplate> ResumeAsync(MerchantActor actor, string templateId, CancellationToken cancellationToken = default) =>
        MoveAsync(actor, templateId, TemplateState.Paused, TemplateState.Active, "resumed", cancellationToken);

    /// <summary>Ends a platform template for good; its issued coupons stay usable until they expire.</summary>
    /// <param name="templateId">The template id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new version.</returns>
    /// <exception cref="TemplateStateException">The template already ended.</exception>
    public Task<CouponTemplate> EndAsync(string templateId, CancellationToken cancellationToken = default) =>
        EndAsync(MerchantActor.Platform, templateId, cancellationToken);

    /// <summary>Ends one of the actor's templates for good; its issued coupons stay usable until they expire.</summary>
    /// <param name="actor">Who acts.</param>
    /// <param name="templateId">The template id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new version.</returns>
    /// <exception cref="TemplateStateException">The template already ended.</exception>
    /// <exception cref="MerchantAccessDeniedException">The template belongs to another owner.</exception>
    public Task<CouponTemplate> EndAsync(MerchantActor actor, string templateId, CancellationToken cancellationToken = default) =>
        MoveAsync(actor, templateId, null, TemplateState.Ended, "ended", cancellationToken);

    /// <summary>Makes a safe change to a platform template that has not ended.</summary>
    /// <param name="templateId">The template id.</param>
    /// <param name="edit">The change.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new version.</returns>
    /// <exception cref="InvalidTemplateException">The change is not valid (for example inventory below what was issued).</exception>
    /// <exception cref="TemplateStateException">The template ended.</exception>
    /// <exception cref="ConcurrencyConflictException">Someone else changed the template at the same time.</exception>
    public Task<CouponTemplate> EditAsync(string templateId, TemplateEdit edit, CancellationToken cancellationToken = default) =>
        EditAsync(MerchantActor.Platform, templateId, edit, cancellationToken);

    /// <summary>Makes a safe change to one of the actor's templates that has not ended; the audit trail keeps the old and new values.</summary>
    /// <param name="actor">Who acts.</param>
    /// <param name="templateId">The template id.</param>
    /// <param name="edit">The change.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new version.</returns>
    /// <exception cref="InvalidTemplateException">The change is not valid (for example inventory below what was issued).</exception>
    /// <exception cref="TemplateStateException">The template ended.</exception>
    /// <exception cref="ConcurrencyConflictException">Someone else changed the template at the same time.</exception>
    /// <exception cref="MerchantAccessDeniedException">The template belongs to another owner.</exception>
    public async Task<CouponTemplate> EditAsync(MerchantActor actor, string templateId, TemplateEdit edit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(edit);
        var current = await GetAsync(actor, templateId, cancellationToken).ConfigureAwait(false);
        if (current.State == TemplateState.Ended)
        {
            throw new TemplateStateException(templateId, current.State, "edited");
        }

        var draft = current.ToDraft();
        var changes = new List<string>();
        var audited = new List<AuditChange>();
        if (edit.Name is { } name && name != current.Name)
        {
            draft = draft with { Name = name };
            changes.Add("name");
            audited.Add(new AuditChange("name", current.Name, name));
        }

        if (edit.TotalInventory is { } total && total != current.TotalInventory)
        {
            draft = draft with { TotalInventory = total };
            changes.Add($"inventory {current.TotalInventory} -> {total}");
            audited.Add(new AuditChange("totalInventory", Text(current.TotalInventory), Text(total)));
        }

        if (edit.ClaimEndsAt is { } end && end != current.ClaimEndsAt)
        {
            draft = draft with { ClaimEndsAt = end };
            changes.Add("claim end");
            audited.Add(new AuditChange("claimEndsAt", current.ClaimEndsAt?.ToString("O", CultureInfo.InvariantCulture), end.ToString("O", CultureInfo.InvariantCulture)));
        }

        if (edit.PerUserLimit is { } limit && limit != current.PerUserLimit)
        {
            draft = draft with { PerUserLimit = limit };
            changes.Add($"per-user limit {current.PerUserLimit} -> {limit}");
            audited.Add(new AuditChange("perUserLimit", Text(current.PerUserLimit), Text(limit)));
        }

        if (changes.Count == 0)
        {
            return current;
        }

        var next = current.With(draft, current.State, _time.GetUtcNow());
        await _store.UpdateAsync(next, current.Version, [CouponEvents.TemplateChanged(next, string.Join(", ", changes))], cancellationToken).ConfigureAwait(false);
        await AuditAsync(actor, next, "edited", audited).ConfigureAwait(false);
        return next;
    }

    /// <summary>Checks that the actor owns a template, for the other merchant services (promo codes, statistics).</summary>
    /// <param name="store">The template store.</param>
    /// <param name="actor">Who acts.</param>
    /// <param name="templateId">The template id.</param>
    /// <param name="operation">The operation, for the metric (<see cref="SecurityReasons"/>).</param>
    /// <param name="metrics">The metrics.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The template.</returns>
    internal static async Task<CouponTemplate> RequireOwnedAsync(ITemplateStore store, MerchantActor actor, string templateId, string operation, CouponKitMetrics metrics, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var template = await store.FindAsync(templateId, cancellationToken).ConfigureAwait(false) ?? throw new TemplateNotFoundException(templateId);
        if (!actor.Owns(template.OwnerId))
        {
            metrics.SecurityRefusal(SecurityReasons.OtherMerchant, operation);
            throw new MerchantAccessDeniedException("template", templateId);
        }

        return template;
    }

    private static string NewId() => Guid.NewGuid().ToString("N");

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private MerchantAccessDeniedException Denied(string templateId, string operation)
    {
        _metrics.SecurityRefusal(SecurityReasons.OtherMerchant, operation);
        return new MerchantAccessDeniedException("template", templateId);
    }

    private Task AuditAsync(MerchantActor actor, CouponTemplate template, string action, IReadOnlyList<AuditChange> changes) =>
        _audit is null
            ? Task.CompletedTask
            : _audit.AppendAsync(new AuditEntry(template.OwnerId, actor.ActorId, action, Subject, template.Id, _time.GetUtcNow(), changes), CancellationToken.None);

    private async Task<CouponTemplate> MoveAsync(MerchantActor actor, string templateId, TemplateState? from, TemplateState to, string change, CancellationToken cancellationToken)
    {
        var current = await GetAsync(actor, templateId, cancellationToken).ConfigureAwait(false);
        if ((from is { } expected && current.State != expected) || current.State == TemplateState.Ended)
        {
            throw new TemplateStateException(templateId, current.State, change);
        }

        var next = current.With(current.ToDraft(), to, _time.GetUtcNow());
        await _store.UpdateAsync(next, current.Version, [CouponEvents.TemplateChanged(next, change)], cancellationToken).ConfigureAwait(false);
        await AuditAsync(actor, next, change, [new AuditChange("state", current.State.ToString(), next.State.ToString())]).ConfigureAwait(false);
        return next;
    }
}
