namespace CouponKit.Ports;

/// <summary>
/// The audit trail of merchant operations: who changed what, when, with the old and new values (for example a template's
/// inventory 100000 → 10). Entries are appended, never changed; each belongs to the owner (merchant or platform) whose resource
/// changed, and is read back only for that owner.
/// </summary>
public interface IAuditLog
{
    /// <summary>Appends an entry.</summary>
    /// <param name="entry">The entry.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken);

    /// <summary>Lists an owner's entries, oldest first.</summary>
    /// <param name="ownerId">The owner.</param>
    /// <param name="subjectId">Only the entries about this subject (a template id), or <see langword="null"/> for all.</param>
    /// <param name="max">The most entries returned: 1 to 10,000 (the oldest first).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entries.</returns>
    Task<IReadOnlyList<AuditEntry>> ListAsync(string ownerId, string? subjectId, int max, CancellationToken cancellationToken);
}

/// <summary>One audited change.</summary>
/// <param name="OwnerId">The owner whose resource changed (a merchant id, or the platform).</param>
/// <param name="ActorId">Who acted (a staff member, an API key).</param>
/// <param name="Action">What was done, in words (<c>created</c>, <c>edited</c>, <c>paused</c>, <c>promo codes created</c>, ...).</param>
/// <param name="SubjectKind">The kind of resource (<c>template</c>).</param>
/// <param name="SubjectId">The resource's id.</param>
/// <param name="At">When, by the injected clock.</param>
/// <param name="Changes">The values that changed, each old and new.</param>
public sealed record AuditEntry(string OwnerId, string ActorId, string Action, string SubjectKind, string SubjectId, DateTimeOffset At, IReadOnlyList<AuditChange> Changes);

/// <summary>One value that changed.</summary>
/// <param name="Field">The field (for example <c>totalInventory</c>).</param>
/// <param name="OldValue">The value before, invariant-formatted; <see langword="null"/> when there was none.</param>
/// <param name="NewValue">The value after, invariant-formatted; <see langword="null"/> when there is none.</param>
public sealed record AuditChange(string Field, string? OldValue, string? NewValue);
