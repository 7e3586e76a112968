using CouponKit.EfCore.Model;
using CouponKit.EfCore.Serialization;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Redemption;
using Microsoft.EntityFrameworkCore;

namespace CouponKit.EfCore.Stores;

/// <content>Row mapping and the outbox writer shared by every operation.</content>
internal sealed partial class EfCoreCouponKitStore<TContext>
{
    private static CouponTemplate ToTemplate(TemplateRow row)
    {
        var draft = TemplateDefinition.Deserialize(row.Id, row.Definition) with { TotalInventory = row.TotalInventory };
        return CouponTemplate.Restore(row.Id, draft, (TemplateState)row.State, row.Version, row.CreatedAt, row.UpdatedAt);
    }

    private static IssuedCoupon ToCoupon(CouponRow row) =>
        new(row.CouponId, row.TemplateId, row.UserId, (CouponState)row.State, row.ValidFrom, row.ValidUntil, row.ClaimedAt, (ClaimChannels)row.Channel, row.OrderId, row.Version)
        {
            Draw = FromDrawJson(row.Draw),
            IssueSequence = row.IssueSequence,
            IdentityKey = row.IdentityKey,
        };

    private static OperationRecord ToRecord(OperationRow row) =>
        new(row.OrderId, row.CouponId, (TccPhase)row.Phase, (TccPhase)row.Origin, row.At) { UserId = row.UserId };

    private static OutboxMessage ToMessage(OutboxRow row) =>
        new(row.MessageId, row.Topic, row.Tag, row.Key, row.Body, row.CreatedAt, row.DeliverAt);

    private static OutboxEntry ToEntry(OutboxRow row) => new(ToMessage(row), row.Attempts, (OutboxStatus)row.Status);

    /// <summary>Adds the messages to the outbox of the context's transaction; a message id already stored is written once.</summary>
    private static Task EnqueueAsync(TContext context, IReadOnlyList<OutboxMessage> messages, CancellationToken cancellationToken) =>
        EnqueueRowsAsync(context, messages.Select(m => (m, OutboxEnvelope.LastKeyOf(m))).ToList(), cancellationToken);

    /// <summary>
    /// Adds the events of a batch's issued coupons to the outbox of the context's transaction, packed by <see cref="PackEvents"/>.
    /// </summary>
    private static Task EnqueueBatchEventsAsync(TContext context, IReadOnlyList<IssueCommand> run, List<(int Index, int Sequence)> issued, CancellationToken cancellationToken) =>
        EnqueueRowsAsync(context, PackEvents(run, issued), cancellationToken);

    /// <summary>
    /// The outbox rows of a batch's issued coupons: one envelope holding all their events, in order, with its key range (the
    /// dispatcher publishes each of them as its own message); or one row per event when there is only one, or when an event is
    /// keyed by something other than a coupon of the batch. Only messages of the coupons created in this transaction go into an
    /// envelope, so no message written before it shares a key with it (see <see cref="OutboxEnvelope"/>).
    /// </summary>
    private static List<(OutboxMessage Message, string? LastKey)> PackEvents(IReadOnlyList<IssueCommand> run, List<(int Index, int Sequence)> issued)
    {
        var events = EventsOf(run, issued, out var envelope);
        if (envelope)
        {
            var packed = OutboxEnvelope.Wrap(events);
            return [(packed.Envelope, packed.LastKey)];
        }

        return [.. events.Select(m => (m, OutboxEnvelope.LastKeyOf(m)))];
    }

    /// <summary>
    /// The same rows as <see cref="PackEvents"/> for a writer that streams them (PostgreSQL's COPY): an envelope's body as UTF-8
    /// in a pooled buffer, never as one string of megabytes. Dispose the result after the rows are written.
    /// </summary>
    private static ChunkEvents PackEventsUtf8(IReadOnlyList<IssueCommand> run, List<(int Index, int Sequence)> issued)
    {
        var events = EventsOf(run, issued, out var envelope);
        if (!envelope)
        {
            return new ChunkEvents(events, null, null);
        }

        var body = new PooledByteBuffer(events.Count * 192);
        try
        {
            return new ChunkEvents([], OutboxEnvelope.Write(events, body), body);
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    /// <summary>The events of the issued coupons in order, and whether they go into one envelope (see <see cref="PackEvents"/>).</summary>
    private static List<OutboxMessage> EventsOf(IReadOnlyList<IssueCommand> run, List<(int Index, int Sequence)> issued, out bool envelope)
    {
        var events = new List<OutboxMessage>(issued.Count);
        var ownKeys = true; // every event keyed by its own coupon (a push's): no set of the batch's coupons needed
        foreach (var (index, _) in issued)
        {
            var command = run[index];
            foreach (var m in command.Events)
            {
                ownKeys &= string.Equals(m.Key, command.Coupon.CouponId, StringComparison.Ordinal);
                events.Add(m);
            }
        }

        if (ownKeys || events.Count <= 1)
        {
            envelope = events.Count > 1;
            return events;
        }

        var coupons = new HashSet<string>(issued.Select(i => run[i.Index].Coupon.CouponId), StringComparer.Ordinal);
        envelope = events.TrueForAll(m => coupons.Contains(m.Key));
        return events;
    }

    /// <summary>A chunk's outbox rows for a COPY: its messages one per row, or one envelope (its header and UTF-8 body).</summary>
    private sealed class ChunkEvents(List<OutboxMessage> messages, OutboxEnvelope.Header? envelope, PooledByteBuffer? body) : IDisposable
    {
        /// <summary>Gets the messages written one per row (none when there is an envelope).</summary>
        public List<OutboxMessage> Messages { get; } = messages;

        /// <summary>Gets the envelope holding every message, or <see langword="null"/>.</summary>
        public OutboxEnvelope.Header? Envelope { get; } = envelope;

        /// <summary>Gets the envelope's body as UTF-8.</summary>
        public ReadOnlyMemory<byte> Body => body?.WrittenMemory ?? ReadOnlyMemory<byte>.Empty;

        /// <summary>Gets the number of outbox rows.</summary>
        public int Rows => Envelope is null ? Messages.Count : 1;

        public void Dispose() => body?.Dispose();
    }

    private static async Task EnqueueRowsAsync(TContext context, IReadOnlyList<(OutboxMessage Message, string? LastKey)> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }

        var ids = rows.Select(r => r.Message.MessageId).Distinct(StringComparer.Ordinal).ToList();
        var stored = await context.Set<OutboxRow>().Where(o => ids.Contains(o.MessageId)).Select(o => o.MessageId).ToListAsync(cancellationToken).ConfigureAwait(false);
        var seen = new HashSet<string>(stored, StringComparer.Ordinal);
        foreach (var (message, lastKey) in rows)
        {
            if (!seen.Add(message.MessageId))
            {
                continue; // the same fact written twice is one message
            }

            AddOutboxRow(context, message, lastKey);
        }
    }

    /// <summary>Adds one pending outbox row to the context (saved with its transaction).</summary>
    /// <param name="context">The context.</param>
    /// <param name="message">The message.</param>
    /// <param name="lastKey">For an envelope, the largest key it holds; else <see langword="null"/>.</param>
    private static void AddOutboxRow(TContext context, OutboxMessage message, string? lastKey) =>
        context.Set<OutboxRow>().Add(new OutboxRow
        {
            MessageId = message.MessageId,
            Topic = message.Topic,
            Tag = message.Tag,
            Key = message.Key,
            LastKey = lastKey,
            Body = message.Body,
            CreatedAt = message.CreatedAt,
            DeliverAt = message.DeliverAt,
            Status = (int)OutboxStatus.Pending,
            Attempts = 0,
            NextAttemptAt = message.CreatedAt,
            LeasedUntil = DateTimeOffset.MinValue,
        });

    /// <summary>
    /// Writes a planned coupon change if the stored version is the one before it; otherwise a concurrent writer got there first
    /// and the whole operation is planned again from fresh reads.
    /// </summary>
    private static async Task WriteCouponAsync(TContext context, IssuedCoupon update, CancellationToken cancellationToken)
    {
        var previous = update.Version - 1;
        var state = (int)update.State;
        var affected = await context.Set<CouponRow>()
            .Where(c => c.CouponId == update.CouponId && c.Version == previous)
            .ExecuteUpdateAsync(
                s => s.SetProperty(c => c.State, state)
                    .SetProperty(c => c.OrderId, update.OrderId)
                    .SetProperty(c => c.Version, update.Version),
                cancellationToken)
            .ConfigureAwait(false);
        if (affected != 1)
        {
            throw new StaleReadException($"Coupon '{update.CouponId}'");
        }
    }
}

/// <summary>A conditional write found another version than the one read: the operation is run again from fresh reads.</summary>
internal sealed class StaleReadException(string what) : Exception($"{what} was changed by a concurrent operation.")
{
    public string What { get; } = what;
}
