namespace CouponKit.EfCore.Model;

/// <summary>One entry of the audit trail of merchant operations; appended, never changed.</summary>
internal sealed class AuditRow
{
    public long Id { get; set; }

    public string OwnerId { get; set; } = string.Empty;

    public string ActorId { get; set; } = string.Empty;

    public string Action { get; set; } = string.Empty;

    public string SubjectKind { get; set; } = string.Empty;

    public string SubjectId { get; set; } = string.Empty;

    public DateTimeOffset At { get; set; }

    /// <summary>The changed values, JSON: <c>[{"field":..,"old":..,"new":..}]</c>.</summary>
    public string Changes { get; set; } = "[]";
}

/// <summary>The misses and lock-out of one throttled key (a user, a client IP).</summary>
internal sealed class AttemptThrottleRow
{
    public string Key { get; set; } = string.Empty;

    public int Misses { get; set; }

    public DateTimeOffset LastMiss { get; set; }

    public DateTimeOffset? LockedUntil { get; set; }
}
