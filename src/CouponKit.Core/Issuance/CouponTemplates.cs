using CouponKit.Messaging;
using CouponKit.Ports;

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
/// template's version and writes a <see cref="CouponTopics.TemplateChanged"/> event with it, atomically.
/// </summary>
public sealed class CouponTemplates
{
    private readonly ITemplateStore _store;
    private readonly TimeProvider _time;

    /// <summary>Initializes a new instance of the <see cref="CouponTemplates"/> class.</summary>
    /// <param name="store">The template store.</param>
    /// <param name="time">The clock.</param>
    public CouponTemplates(ITemplateStore store, TimeProvider time)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <summary>Creates a template in the <see cref="TemplateState.Draft"/> state.</summary>
    /// <param name="draft">The definition.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The template.</returns>
    /// <exception cref="InvalidTemplateException">The definition is not valid, or the id is taken.</exception>
    public async Task<CouponTemplate> CreateAsync(TemplateDraft draft, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var template = CouponTemplate.Create(draft.Id ?? NewId(), draft, _time.GetUtcNow());
        await _store.AddAsync(template, [CouponEvents.TemplateChanged(template, "created")], cancellationToken).ConfigureAwait(false);
        return template;
    }

    /// <summary>Finds a template.</summary>
    /// <param name="templateId">The template id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The template.</returns>
    /// <exception cref="TemplateNotFoundException">The template does not exist.</exception>
    public async Task<CouponTemplate> GetAsync(string templateId, CancellationToken cancellationToken = default)
    {
        Guard.Identifier(templateId, nameof(templateId));
        return await _store.FindAsync(templateId, cancellationToken).ConfigureAwait(false) ?? throw new TemplateNotFoundException(templateId);
    }

    /// <summary>Reads a template's inventory.</summary>
    /// <param name="templateId">The template id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The inventory.</returns>
    /// <exception cref="TemplateNotFoundException">The template does not exist.</exception>
    public async Task<TemplateStock> GetStockAsync(string templateId, CancellationToken cancellationToken = default)
    {
        Guard.Identifier(templateId, nameof(templateId));
        return await _store.GetStockAsync(templateId, cancellationToken).ConfigureAwait(false) ?? throw new TemplateNotFoundException(templateId);
    }

    /// <summary>Opens a draft template for claims.</summary>
    /// <param name="templateId">The template id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new version.</returns>
    /// <exception cref="TemplateStateException">The template is not a draft.</exception>
    public Task<CouponTemplate> ActivateAsync(string templateId, CancellationToken cancellationToken = default) =>
        MoveAsync(templateId, TemplateState.Draft, TemplateState.Active, "activated", cancellationToken);

    /// <summary>Pauses claims of an active template.</summary>
    /// <param name="templateId">The template id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new version.</returns>
    /// <exception cref="TemplateStateException">The template is not active.</exception>
    public Task<CouponTemplate> PauseAsync(string templateId, CancellationToken cancellationToken = default) =>
        MoveAsync(templateId, TemplateState.Active, TemplateState.Paused, "paused", cancellationToken);

    /// <summary>Resumes claims of a paused template.</summary>
    /// <param name="templateId">The template id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new version.</returns>
    /// <exception cref="TemplateStateException">The template is not paused.</exception>
    public Task<CouponTemplate> ResumeAsync(string templateId, CancellationToken cancellationToken = default) =>
        MoveAsync(templateId, TemplateState.Paused, TemplateState.Active, "resumed", cancellationToken);

    /// <summary>Ends a template for good; its issued coupons stay usable until they expire.</summary>
    /// <param name="templateId">The template id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new version.</returns>
    /// <exception cref="TemplateStateException">The template already ended.</exception>
    public Task<CouponTemplate> EndAsync(string templateId, CancellationToken cancellationToken = default) =>
        MoveAsync(templateId, null, TemplateState.Ended, "ended", cancellationToken);

    /// <summary>Makes a safe change to a template that has not ended.</summary>
    /// <param name="templateId">The template id.</param>
    /// <param name="edit">The change.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new version.</returns>
    /// <exception cref="InvalidTemplateException">The change is not valid (for example inventory below what was issued).</exception>
    /// <exception cref="TemplateStateException">The template ended.</exception>
    /// <exception cref="ConcurrencyConflictException">Someone else changed the template at the same time.</exception>
    public async Task<CouponTemplate> EditAsync(string templateId, TemplateEdit edit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(edit);
        var current = await GetAsync(templateId, cancellationToken).ConfigureAwait(false);
        if (current.State == TemplateState.Ended)
        {
            throw new TemplateStateException(templateId, current.State, "edited");
        }

        var draft = current.ToDraft();
        var changes = new List<string>();
        if (edit.Name is { } name && name != current.Name)
        {
            draft = draft with { Name = name };
            changes.Add("name");
        }

        if (edit.TotalInventory is { } total && total != current.TotalInventory)
        {
            draft = draft with { TotalInventory = total };
            changes.Add($"inventory {current.TotalInventory} -> {total}");
        }

        if (edit.ClaimEndsAt is { } end && end != current.ClaimEndsAt)
        {
            draft = draft with { ClaimEndsAt = end };
            changes.Add("claim end");
        }

        if (edit.PerUserLimit is { } limit && limit != current.PerUserLimit)
        {
            draft = draft with { PerUserLimit = limit };
            changes.Add($"per-user limit {current.PerUserLimit} -> {limit}");
        }

        if (changes.Count == 0)
        {
            return current;
        }

        var next = current.With(draft, current.State, _time.GetUtcNow());
        await _store.UpdateAsync(next, current.Version, [CouponEvents.TemplateChanged(next, string.Join(", ", changes))], cancellationToken).ConfigureAwait(false);
        return next;
    }

    private static string NewId() => Guid.NewGuid().ToString("N");

    private async Task<CouponTemplate> MoveAsync(string templateId, TemplateState? from, TemplateState to, string change, CancellationToken cancellationToken)
    {
        var current = await GetAsync(templateId, cancellationToken).ConfigureAwait(false);
        if ((from is { } expected && current.State != expected) || current.State == TemplateState.Ended)
        {
            throw new TemplateStateException(templateId, current.State, change);
        }

        var next = current.With(current.ToDraft(), to, _time.GetUtcNow());
        await _store.UpdateAsync(next, current.Version, [CouponEvents.TemplateChanged(next, change)], cancellationToken).ConfigureAwait(false);
        return next;
    }
}
