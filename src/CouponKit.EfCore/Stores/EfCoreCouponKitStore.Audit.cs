using System.Text.Json;
using System.Text.Json.Serialization;
using CouponKit.EfCore.Model;
using CouponKit.Ports;
using Microsoft.EntityFrameworkCore;

namespace CouponKit.EfCore.Stores;

/// <content>
/// <see cref="IAuditLog"/>: the audit trail of merchant operations in one append-only table, each entry with its changed values
/// as JSON, read back per owner (and subject) oldest first.
/// </content>
internal sealed partial class EfCoreCouponKitStore<TContext> : IAuditLog
{
    /// <inheritdoc />
    public Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(entry.Changes);
        AuditWord(entry.OwnerId, nameof(entry.OwnerId), 128);
        AuditWord(entry.ActorId, nameof(entry.ActorId), 128);
        AuditWord(entry.SubjectId, nameof(entry.SubjectId), 128);
        AuditWord(entry.Action, nameof(entry.Action), CouponKitModelBuilderExtensions.MaxAuditWordLength);
        AuditWord(entry.SubjectKind, nameof(entry.SubjectKind), CouponKitModelBuilderExtensions.MaxAuditWordLength);
        var changes = JsonSerializer.Serialize(
            entry.Changes.Select(c => new AuditChangeJson(c.Field, c.OldValue, c.NewValue)).ToArray(),
            AuditJsonContext.Default.AuditChangeJsonArray);
        return WriteAsync(
            nameof(IAuditLog.AppendAsync),
            async (db, ct) =>
            {
                db.Set<AuditRow>().Add(new AuditRow
                {
                    OwnerId = entry.OwnerId,
                    ActorId = entry.ActorId,
                    Action = entry.Action,
                    SubjectKind = entry.SubjectKind,
                    SubjectId = entry.SubjectId,
                    At = entry.At,
                    Changes = changes,
                });
                return await db.SaveChangesAsync(ct).ConfigureAwait(false);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<AuditEntry>> ListAsync(string ownerId, string? subjectId, int max, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ownerId);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(max, 10_000);
        return ReadAsync<IReadOnlyList<AuditEntry>>(
            nameof(IAuditLog.ListAsync),
            async (db, ct) =>
            {
                var query = db.Set<AuditRow>().AsNoTracking().Where(a => a.OwnerId == ownerId);
                if (subjectId is not null)
                {
                    query = query.Where(a => a.SubjectId == subjectId);
                }

                var rows = await query.OrderBy(a => a.Id).Take(max).ToListAsync(ct).ConfigureAwait(false);
                return rows.Select(ToAuditEntry).ToArray();
            },
            cancellationToken);
    }

    private static AuditEntry ToAuditEntry(AuditRow row)
    {
        var changes = JsonSerializer.Deserialize(row.Changes, AuditJsonContext.Default.AuditChangeJsonArray)
            ?? throw new InvalidOperationException("An audit row's changes column holds JSON null.");
        return new AuditEntry(row.OwnerId, row.ActorId, row.Action, row.SubjectKind, row.SubjectId, row.At, changes.Select(c => new AuditChange(c.Field, c.Old, c.New)).ToArray());
    }

    /// <summary>Checks a value against its column before anything is written: a clear error instead of a database's.</summary>
    private static void AuditWord(string? value, string name, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > maxLength)
        {
            throw new ArgumentException($"The audit entry's {name} must be 1 to {maxLength} characters, not blank.", name);
        }
    }
}

/// <summary>One changed value as stored in the audit table's JSON column.</summary>
internal sealed record AuditChangeJson(
    [property: JsonPropertyName("field")] string Field,
    [property: JsonPropertyName("old")] string? Old,
    [property: JsonPropertyName("new")] string? New);

[JsonSerializable(typeof(AuditChangeJson[]))]
internal sealed partial class AuditJsonContext : JsonSerializerContext;
