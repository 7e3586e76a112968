using CouponKit.EfCore.Model;
using CouponKit.Messaging;
using CouponKit.Ports;
using Microsoft.EntityFrameworkCore;

namespace CouponKit.EfCore.Stores;

/// <content><see cref="IOutboxStore"/>, <see cref="IInboxStore"/> and <see cref="IDeadLetterStore"/>.</content>
internal sealed partial class EfCoreCouponKitStore<TContext> : IOutboxStore, IInboxStore, IDeadLetterStore
{
    /// <inheritdoc />
    /// <remarks>
    /// On PostgreSQL one statement leases the batch: <c>UPDATE ... FROM (SELECT ... FOR UPDATE SKIP LOCKED)</c>, so that several
    /// dispatchers (app instances) lease disjoint batches side by side instead of waiting for each other's row locks. Elsewhere
    /// (SQLite serialises writers anyway) the due rows are read, then leased one by one with a conditional update.
    /// Either way a message is leased only while it is the oldest pending message of its key: the next one of an aggregate waits
    /// until it is published or dead, which keeps the order per key with any number of dispatchers. A pending envelope (a push
    /// chunk's messages in one row) holds back every later message whose key is within its key range (SQLite compares keys
    /// byte by byte, PostgreSQL with <c>COLLATE "C"</c>: the order of <c>OutboxEnvelope.CompareKeys</c>).
    /// </remarks>
    public Task<IReadOnlyList<OutboxEntry>> LeaseDueAsync(DateTimeOffset now, int max, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (max <= 0)
        {
            return Task.FromResult<IReadOnlyList<OutboxEntry>>([]);
        }

        var pending = (int)OutboxStatus.Pending;
        var until = now + lease;
        if (IsPostgresStore())
        {
            return StatementAsync<IReadOnlyList<OutboxEntry>>(
                nameof(IOutboxStore.LeaseDueAsync),
                async (db, ct) =>
                {
                    var rows = await db.Set<OutboxRow>()
                        .FromSqlRaw(PostgresSql(db).LeaseDue, until.UtcTicks, pending, now.UtcTicks, max)
                        .AsNoTracking()
                        .ToListAsync(ct)
                        .ConfigureAwait(false);
                    return rows.OrderBy(r => r.Sequence).Select(ToEntry).ToArray();
                },
                cancellationToken);
        }

        return WriteAsync<IReadOnlyList<OutboxEntry>>(
            nameof(IOutboxStore.LeaseDueAsync),
            async (db, ct) =>
            {
                var outbox = db.Set<OutboxRow>();

                // Due, not leased, and the oldest pending message of its key: later messages of an aggregate wait for it.
                var due = await outbox.AsNoTracking()
                    .Where(o => o.Status == pending && o.NextAttemptAt <= now && o.LeasedUntil <= now)
                    .Where(o => !outbox.Any(e => e.Key == o.Key && e.Status == pending && e.Sequence < o.Sequence))
                    // The pending status as a literal, not a parameter: it matches the filter of the partial index of pending envelopes.
                    .Where(o => !outbox.Any(e => e.LastKey != null && e.Status == (int)OutboxStatus.Pending && e.Sequence < o.Sequence
                        && string.Compare(e.Key, o.Key) <= 0 && string.Compare(o.Key, e.LastKey) <= 0))
                    .OrderBy(o => o.Sequence)
                    .Take(max)
                    .ToListAsync(ct)
                    .ConfigureAwait(false);
                var leased = new List<OutboxEntry>(due.Count);
                foreach (var row in due)
                {
                    // Conditional: a concurrent dispatcher that leased the row first wins; this one skips it.
                    var taken = await outbox
                        .Where(o => o.Sequence == row.Sequence && o.Status == pending && o.LeasedUntil <= now)
                        .ExecuteUpdateAsync(s => s.SetProperty(o => o.LeasedUntil, until).SetProperty(o => o.Attempts, o => o.Attempts + 1), ct)
                        .ConfigureAwait(false);
                    if (taken == 1)
                    {
                        row.Attempts++;
                        leased.Add(ToEntry(row));
                    }
                }

                return leased;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task MarkPublishedAsync(string messageId, CancellationToken cancellationToken)
    {
        var published = (int)OutboxStatus.Published;
        return StatementAsync(
            nameof(IOutboxStore.MarkPublishedAsync),
            (db, ct) => db.Set<OutboxRow>().Where(o => o.MessageId == messageId).ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, published), ct),
            cancellationToken);
    }

    /// <inheritdoc />
    public Task MarkFailedAsync(string messageId, DateTimeOffset? nextAttemptAt, string failure, CancellationToken cancellationToken)
    {
        var rows = (IQueryable<OutboxRow> set) => set.Where(o => o.MessageId == messageId);
        var free = DateTimeOffset.MinValue;
        return StatementAsync(
            nameof(IOutboxStore.MarkFailedAsync),
            (db, ct) =>
            {
                if (nextAttemptAt is { } next)
                {
                    return rows(db.Set<OutboxRow>()).ExecuteUpdateAsync(
                        s => s.SetProperty(o => o.LastError, failure).SetProperty(o => o.LeasedUntil, free).SetProperty(o => o.NextAttemptAt, next),
                        ct);
                }

                var dead = (int)OutboxStatus.Dead;
                return rows(db.Set<OutboxRow>()).ExecuteUpdateAsync(
                    s => s.SetProperty(o => o.LastError, failure).SetProperty(o => o.LeasedUntil, free).SetProperty(o => o.Status, dead),
                    ct);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> TryRecordAsync(string consumerGroup, string messageId, CancellationToken cancellationToken) =>
        WriteAsync(
            nameof(IInboxStore.TryRecordAsync),
            async (db, ct) =>
            {
                // The primary key (group, message id) settles a race: the loser's insert fails, and its next attempt reads the row.
                if (await db.Set<InboxRow>().AnyAsync(i => i.ConsumerGroup == consumerGroup && i.MessageId == messageId, ct).ConfigureAwait(false))
                {
                    return false;
                }

                db.Set<InboxRow>().Add(new InboxRow { ConsumerGroup = consumerGroup, MessageId = messageId, RecordedAt = _time.GetUtcNow() });
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<bool> ContainsAsync(string consumerGroup, string messageId, CancellationToken cancellationToken) =>
        ReadAsync(
            nameof(IInboxStore.ContainsAsync),
            (db, ct) => db.Set<InboxRow>().AnyAsync(i => i.ConsumerGroup == consumerGroup && i.MessageId == messageId, ct),
            cancellationToken);

    /// <inheritdoc />
    public Task AddAsync(DeadLetter letter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(letter);
        return WriteAsync(
            "AddDeadLetterAsync",
            async (db, ct) =>
            {
                db.Set<DeadLetterRow>().Add(new DeadLetterRow
                {
                    MessageId = letter.Message.MessageId,
                    ConsumerGroup = letter.ConsumerGroup,
                    Topic = letter.Message.Topic,
                    Tag = letter.Message.Tag,
                    Key = letter.Message.Key,
                    Body = letter.Message.Body,
                    CreatedAt = letter.Message.CreatedAt,
                    DeliverAt = letter.Message.DeliverAt,
                    Attempts = letter.Attempts,
                    LastError = letter.LastError,
                    DeadAt = letter.DeadAt,
                });
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<DeadLetter>> ListAsync(int max, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<DeadLetter>>(
            nameof(IDeadLetterStore.ListAsync),
            async (db, ct) =>
            {
                var rows = await db.Set<DeadLetterRow>().AsNoTracking().OrderBy(d => d.Id).Take(Math.Max(max, 0)).ToListAsync(ct).ConfigureAwait(false);
                return rows.Select(d => new DeadLetter(
                    new OutboxMessage(d.MessageId, d.Topic, d.Tag, d.Key, d.Body, d.CreatedAt, d.DeliverAt),
                    d.ConsumerGroup,
                    d.Attempts,
                    d.LastError,
                    d.DeadAt)).ToArray();
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<bool> RemoveAsync(string messageId, string consumerGroup, CancellationToken cancellationToken) =>
        WriteAsync(
            nameof(IDeadLetterStore.RemoveAsync),
            async (db, ct) => await db.Set<DeadLetterRow>()
                .Where(d => d.MessageId == messageId && d.ConsumerGroup == consumerGroup)
                .ExecuteDeleteAsync(ct)
                .ConfigureAwait(false) > 0,
            cancellationToken);
}
