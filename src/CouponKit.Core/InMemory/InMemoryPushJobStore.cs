using CouponKit.Ports;

namespace CouponKit.InMemory;

/// <summary>Push jobs in process memory; for tests and samples. Nothing survives a restart.</summary>
public sealed class InMemoryPushJobStore : IPushJobStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, PushJob> _jobs = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task<PushJob?> FindAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        lock (_gate)
        {
            return Task.FromResult(_jobs.GetValueOrDefault(jobId));
        }
    }

    /// <inheritdoc />
    public Task<bool> TryAddAsync(PushJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_jobs.TryAdd(job.JobId, job));
        }
    }

    /// <inheritdoc />
    public Task<bool> TryUpdateAsync(PushJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_jobs.TryGetValue(job.JobId, out var stored) || stored.Version != job.Version - 1)
            {
                return Task.FromResult(false);
            }

            _jobs[job.JobId] = job;
            return Task.FromResult(true);
        }
    }
}
