using CouponKit.Messaging.DeadLetters;

namespace CouponKit.InMemory;

/// <summary>The dead-letter audit trail in process memory; for tests, samples and single-process shops.</summary>
public sealed class InMemoryDeadLetterAuditLog : IDeadLetterAuditLog
{
    private readonly object _gate = new();
    private readonly List<DeadLetterAuditRecord> _records = [];

    /// <inheritdoc />
    public Task AppendAsync(DeadLetterAuditRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_gate)
        {
            _records.Add(record);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<DeadLetterAuditRecord>> ListAsync(int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<DeadLetterAuditRecord>>(_records.Skip(Math.Max(_records.Count - max, 0)).ToArray());
        }
    }
}
