using CouponKit.EfCore.Model;
using CouponKit.Messaging.DeadLetters;
using CouponKit.Scheduling;
using Microsoft.EntityFrameworkCore;

namespace CouponKit.EfCore.Stores;

/// <content>
/// <see cref="IIssuanceScheduleStore"/> (table <c>issuance_schedules</c>, one row per template) and <see cref="IDeadLetterAuditLog"/>
/// (table <c>dead_letter_audit</c>, append-only, ordered by its identity column).
/// </content>
internal sealed partial class EfCoreCouponKitStore<TContext> : IIssuanceScheduleStore, IDeadLetterAuditLog
{
    /// <inheritdoc />
    public Task SetAsync(IssuanceSchedule schedule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schedule);

        // Read, then insert or overwrite, in one transaction; two first schedules racing meet the primary key, and the loser runs
        // again and overwrites: the last writer's schedule is current, as with the in-memory store.
        return WriteAsync(
            nameof(IIssuanceScheduleStore.SetAsync),
            async (db, ct) =>
            {
                var schedules = db.Set<IssuanceScheduleRow>();
                var row = await schedules.FirstOrDefaultAsync(s => s.TemplateId == schedule.TemplateId, ct).ConfigureAwait(false);
                if (row is null)
                {
                    row = new IssuanceScheduleRow { TemplateId = schedule.TemplateId };
                    schedules.Add(row);
                }

                row.ScheduleId = schedule.ScheduleId;
                row.TemplateVersion = schedule.TemplateVersion;
                row.At = schedule.At;
                row.OwnerId = schedule.OwnerId;
                row.ActorId = schedule.ActorId;
                row.Status = (int)schedule.Status;
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    Task<IssuanceSchedule?> IIssuanceScheduleStore.FindAsync(string templateId, CancellationToken cancellationToken) =>
        ReadAsync(
            nameof(IIssuanceScheduleStore.FindAsync),
            async (db, ct) =>
            {
                var row = await db.Set<IssuanceScheduleRow>().AsNoTracking().FirstOrDefaultAsync(s => s.TemplateId == templateId, ct).ConfigureAwait(false);
                return row is null ? null : new IssuanceSchedule(row.TemplateId, row.ScheduleId, row.TemplateVersion, row.At, row.OwnerId, row.ActorId, (ScheduleStatus)row.Status);
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<bool> TryCompleteAsync(string templateId, string scheduleId, ScheduleStatus status, CancellationToken cancellationToken)
    {
        // One conditional statement: only the named schedule, only while pending, so a fired or replaced schedule is never moved.
        var pending = (int)ScheduleStatus.Pending;
        var final = (int)status;
        return StatementAsync(
            nameof(IIssuanceScheduleStore.TryCompleteAsync),
            async (db, ct) => await db.Set<IssuanceScheduleRow>()
                .Where(s => s.TemplateId == templateId && s.ScheduleId == scheduleId && s.Status == pending)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, final), ct)
                .ConfigureAwait(false) == 1,
            cancellationToken);
    }

    /// <inheritdoc />
    public Task AppendAsync(DeadLetterAuditRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return WriteAsync(
            nameof(IDeadLetterAuditLog.AppendAsync),
            async (db, ct) =>
            {
                db.Set<DeadLetterAuditRow>().Add(new DeadLetterAuditRow
                {
                    Action = (int)record.Action,
                    MessageId = record.MessageId,
                    ConsumerGroup = record.ConsumerGroup,
                    Topic = record.Topic,
                    Tag = record.Tag,
                    Actor = record.Actor,
                    Reason = record.Reason,
                    At = record.At,
                });
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    Task<IReadOnlyList<DeadLetterAuditRecord>> IDeadLetterAuditLog.ListAsync(int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        return ReadAsync<IReadOnlyList<DeadLetterAuditRecord>>(
            nameof(IDeadLetterAuditLog.ListAsync),
            async (db, ct) =>
            {
                var rows = await db.Set<DeadLetterAuditRow>().AsNoTracking().OrderByDescending(r => r.Id).Take(max).ToListAsync(ct).ConfigureAwait(false);
                return rows.AsEnumerable().Reverse()
                    .Select(r => new DeadLetterAuditRecord((DeadLetterAction)r.Action, r.MessageId, r.ConsumerGroup, r.Topic, r.Tag, r.Actor, r.Reason, r.At))
                    .ToArray();
            },
            cancellationToken);
    }
}
