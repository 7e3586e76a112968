using CouponKit.Ports;
using CouponKit.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CouponKit.Messaging.DeadLetters;

/// <summary>The <see cref="IDeadLetterAdmin"/> over the dead-letter store, the bus and the audit log.</summary>
internal sealed class DeadLetterAdmin(IDeadLetterStore store, IMessageBus bus, IDeadLetterAuditLog audit, TimeProvider time, ILogger<DeadLetterAdmin>? logger = null) : IDeadLetterAdmin
{
    public const int MaxList = 10_000;

    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    public Task<IReadOnlyList<DeadLetter>> ListAsync(int max = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(max, MaxList);
        return store.ListAsync(max, cancellationToken);
    }

    public async Task<DeadLetter?> InspectAsync(string messageId, string consumerGroup, string actor, CancellationToken cancellationToken = default)
    {
        Check(messageId, consumerGroup, actor);
        var letter = await FindAsync(messageId, consumerGroup, cancellationToken).ConfigureAwait(false);
        if (letter is not null)
        {
            await AuditAsync(DeadLetterAction.Inspected, letter, actor, null, cancellationToken).ConfigureAwait(false);
        }

        return letter;
    }

    public async Task<bool> ReplayAsync(string messageId, string consumerGroup, string actor, CancellationToken cancellationToken = default)
    {
        Check(messageId, consumerGroup, actor);
        var letter = await FindAsync(messageId, consumerGroup, cancellationToken).ConfigureAwait(false);
        return letter is not null && await ReplayAsync(letter, actor, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> ReplayAllAsync(string actor, CancellationToken cancellationToken = default)
    {
        Guard.Identifier(actor, nameof(actor));
        var letters = await store.ListAsync(MaxList, cancellationToken).ConfigureAwait(false);
        var replayed = 0;
        foreach (var letter in letters)
        {
            if (await ReplayAsync(letter, actor, cancellationToken).ConfigureAwait(false))
            {
                replayed++;
            }
        }

        return replayed;
    }

    public async Task<bool> DiscardAsync(string messageId, string consumerGroup, string actor, string reason, CancellationToken cancellationToken = default)
    {
        Check(messageId, consumerGroup, actor);
        if (string.IsNullOrWhiteSpace(reason) || reason.Length > 500)
        {
            throw new ArgumentException("The reason must be 1 to 500 characters and not blank.", nameof(reason));
        }

        var letter = await FindAsync(messageId, consumerGroup, cancellationToken).ConfigureAwait(false);
        if (letter is null || !await store.RemoveAsync(messageId, consumerGroup, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await AuditAsync(DeadLetterAction.Discarded, letter, actor, reason, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static void Check(string messageId, string consumerGroup, string actor)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        ArgumentException.ThrowIfNullOrWhiteSpace(consumerGroup);
        Guard.Identifier(actor, nameof(actor));
    }

    /// <summary>
    /// Removes the letter first, then publishes: if it fails again and dead-letters anew, the new letter is not removed by
    /// this replay. If publishing fails, the letter is put back and the error is thrown.
    /// </summary>
    private async Task<bool> ReplayAsync(DeadLetter letter, string actor, CancellationToken cancellationToken)
    {
        if (!await store.RemoveAsync(letter.Message.MessageId, letter.ConsumerGroup, cancellationToken).ConfigureAwait(false))
        {
            return false; // replayed or discarded by someone else meanwhile
        }

        try
        {
            await bus.PublishAsync(letter.Message with { DeliverAt = null }, CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            await store.AddAsync(letter, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        await AuditAsync(DeadLetterAction.Replayed, letter, actor, null, CancellationToken.None).ConfigureAwait(false);
        return true;
    }

    private async Task<DeadLetter?> FindAsync(string messageId, string consumerGroup, CancellationToken cancellationToken)
    {
        var letters = await store.ListAsync(MaxList, cancellationToken).ConfigureAwait(false);
        return letters.FirstOrDefault(l => string.Equals(l.Message.MessageId, messageId, StringComparison.Ordinal) && string.Equals(l.ConsumerGroup, consumerGroup, StringComparison.Ordinal));
    }

    private async Task AuditAsync(DeadLetterAction action, DeadLetter letter, string actor, string? reason, CancellationToken cancellationToken)
    {
        var record = new DeadLetterAuditRecord(action, letter.Message.MessageId, letter.ConsumerGroup, letter.Message.Topic, letter.Message.Tag, actor, reason, time.GetUtcNow());
        await audit.AppendAsync(record, cancellationToken).ConfigureAwait(false);
        Log.DeadLetterAdministered(_logger, letter.Message.MessageId, letter.ConsumerGroup, action.ToString(), actor);
    }
}
