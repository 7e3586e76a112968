using CouponKit.Ports;

namespace CouponKit.InMemory;

/// <summary>The audit trail in process memory; for tests, samples and single-process shops. Nothing survives a restart.</summary>
public sealed class InMemoryAuditLog : IAuditLog
{
    private readonly object _gate = new();
    private readonly List<AuditEntry> _entries = [];

    /// <summary>Gets every entry, oldest first (for tests and diagnostics).</summary>
    public IReadOnlyList<AuditEntry> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries];
            }
        }
    }

    /// <inheritdoc />
    public Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            _entries.Add(entry);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<AuditEntry>> ListAsync(string ownerId, string? subjectId, int max, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ownerId);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(max, 10_000);
        lock (_gate)
        {
            IReadOnlyList<AuditEntry> list = _entries
                .Where(e => string.Equals(e.OwnerId, ownerId, StringComparison.Ordinal) && (subjectId is null || string.Equals(e.SubjectId, subjectId, StringComparison.Ordinal)))
                .Take(max)
                .ToArray();
            return Task.FromResult(list);
        }
    }
}
