namespace CouponKit.EfCore.Model;

/// <summary>A template: its definition as versioned JSON, its state, and its inventory counter.</summary>
internal sealed class TemplateRow
{
    public string Id { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    public string Definition { get; set; } = string.Empty;

    public int State { get; set; }

    public long Version { get; set; }

    public int TotalInventory { get; set; }

    /// <summary>
    /// The inventory not held by stock segments, decremented by one conditional statement per claim (<c>remaining &gt; 0</c>),
    /// never read-modify-write. Zero when the template's inventory is split over <see cref="StockSegments"/> rows.
    /// </summary>
    public int Remaining { get; set; }

    /// <summary>
    /// How many <see cref="StockSegmentRow"/>s hold the inventory: 0 when <see cref="Remaining"/> holds it all. Fixed when the
    /// template is added (<c>EfCoreCouponKitOptions.StockSegments</c>).
    /// </summary>
    public int StockSegments { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// One part of a hot template's remaining inventory: a claim decrements one segment with one conditional statement, so that
/// concurrent claims spread over several rows instead of queueing on the template's row. (template, segment) is the key.
/// </summary>
internal sealed class StockSegmentRow
{
    public string TemplateId { get; set; } = string.Empty;

    /// <summary>The segment number, 0 to the template's <see cref="TemplateRow.StockSegments"/> - 1.</summary>
    public int Segment { get; set; }

    public int Remaining { get; set; }
}

/// <summary>An issued coupon; (template, user, sequence) is unique, which enforces the per-user limit under concurrency.</summary>
internal sealed class CouponRow
{
    public string CouponId { get; set; } = string.Empty;

    public string TemplateId { get; set; } = string.Empty;

    public string UserId { get; set; } = string.Empty;

    /// <summary>The user's n-th coupon of the template, from 1.</summary>
    public int Sequence { get; set; }

    public int State { get; set; }

    public DateTimeOffset ValidFrom { get; set; }

    public DateTimeOffset ValidUntil { get; set; }

    public DateTimeOffset ClaimedAt { get; set; }

    public int Channel { get; set; }

    public string? OrderId { get; set; }

    public long Version { get; set; }

    /// <summary>
    /// The lucky draw of the coupon's face value as versioned JSON (<c>EfCoreCouponKitStore.DrawJson</c>: algorithm, seed,
    /// amount, currency, prize index), or <see langword="null"/> for other benefits.
    /// </summary>
    public string? Draw { get; set; }

    /// <summary>
    /// The coupon's place in its template's inventory, from 0, assigned in the same transaction as the stock decrement when the
    /// claim asked for it (split red envelopes); otherwise <see langword="null"/>. (template, issue sequence) is unique.
    /// </summary>
    public long? IssueSequence { get; set; }

    /// <summary>The verified identity key the shop supplied with the claim, or <see langword="null"/>.</summary>
    public string? IdentityKey { get; set; }

    /// <summary>
    /// The identity key's n-th coupon of the template, from 1, for templates limited per identity key; otherwise
    /// <see langword="null"/>. (template, identity key, identity sequence) is unique, which enforces the limit per identity under
    /// concurrency as (template, user, sequence) does per user.
    /// </summary>
    public int? IdentitySequence { get; set; }

    /// <summary>
    /// The claim key (idempotency key) the coupon was issued under: the request's key for a claim, <c>push:{template}:{user}</c>
    /// for a pushed coupon. Unique: a key names at most one coupon, so a retried claim or a resumed push finds the coupon it
    /// issued before. <see langword="null"/> only for a coupon stored before keys moved onto the coupon row whose claim record
    /// was not copied (the shipped migrations copy them).
    /// </summary>
    public string? ClaimKey { get; set; }
}

/// <summary>A TCC barrier row, unique per (order, coupon, phase).</summary>
internal sealed class OperationRow
{
    public long Id { get; set; }

    public string OrderId { get; set; } = string.Empty;

    public string CouponId { get; set; } = string.Empty;

    public int Phase { get; set; }

    public int Origin { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>The user who owns the order, as the step gave it (NULL in rows written before the column existed).</summary>
    public string? UserId { get; set; }
}

/// <summary>The columns of a message, shared by the outbox and the dead letters (not an entity of its own).</summary>
internal abstract class MessageRow
{
    public string MessageId { get; set; } = string.Empty;

    public string Topic { get; set; } = string.Empty;

    public string Tag { get; set; } = string.Empty;

    public string Key { get; set; } = string.Empty;

    public string Body { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? DeliverAt { get; set; }
}

/// <summary>An outbox message with its dispatch bookkeeping; <see cref="Sequence"/> keeps the write order.</summary>
internal sealed class OutboxRow : MessageRow
{
    public long Sequence { get; set; }

    /// <summary>
    /// For an envelope (a push chunk's messages in one row), the largest key it holds; its <see cref="MessageRow.Key"/> is the
    /// smallest. A later message whose key is within the range waits for the envelope. <see langword="null"/> for a plain message.
    /// </summary>
    public string? LastKey { get; set; }

    public int Status { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public DateTimeOffset LeasedUntil { get; set; }

    public string? LastError { get; set; }
}

/// <summary>A message a consumer group handled; (group, message id) is the primary key.</summary>
internal sealed class InboxRow
{
    public string ConsumerGroup { get; set; } = string.Empty;

    public string MessageId { get; set; } = string.Empty;

    public DateTimeOffset RecordedAt { get; set; }
}

/// <summary>A message that failed every delivery attempt in a consumer group.</summary>
internal sealed class DeadLetterRow : MessageRow
{
    public long Id { get; set; }

    public string ConsumerGroup { get; set; } = string.Empty;

    public int Attempts { get; set; }

    public string LastError { get; set; } = string.Empty;

    public DateTimeOffset DeadAt { get; set; }
}

/// <summary>The discount a coupon gave an order, as quoted; (order, coupon) is the primary key.</summary>
internal sealed class DiscountRow
{
    public string OrderId { get; set; } = string.Empty;

    public string CouponId { get; set; } = string.Empty;

    public decimal Amount { get; set; }

    public string Currency { get; set; } = string.Empty;
}

/// <summary>A template's current issuance schedule (the template is the key: a reschedule replaces the row).</summary>
internal sealed class IssuanceScheduleRow
{
    public string TemplateId { get; set; } = string.Empty;

    public string ScheduleId { get; set; } = string.Empty;

    public long TemplateVersion { get; set; }

    public DateTimeOffset At { get; set; }

    public string OwnerId { get; set; } = string.Empty;

    public string ActorId { get; set; } = string.Empty;

    public int Status { get; set; }
}

/// <summary>One audited action on a dead letter; <see cref="Id"/> gives the append order.</summary>
internal sealed class DeadLetterAuditRow
{
    public long Id { get; set; }

    public int Action { get; set; }

    public string MessageId { get; set; } = string.Empty;

    public string ConsumerGroup { get; set; } = string.Empty;

    public string Topic { get; set; } = string.Empty;

    public string Tag { get; set; } = string.Empty;

    public string Actor { get; set; } = string.Empty;

    public string? Reason { get; set; }

    public DateTimeOffset At { get; set; }
}
