using CouponKit.Ports;

namespace CouponKit.EfCore.Stores;

/// <summary>
/// Group commit of claims: <see cref="IssueAsync"/> queues a claim and returns its outcome once a writer has written it. Up to
/// <c>writers</c> writers run side by side; each takes what is queued (up to <c>batchSize</c> claims with distinct claim keys,
/// in arrival order) and hands it to the batch delegate, which must complete every claim of the batch. A writer starts when a
/// claim arrives and fewer writers run, and stops when the queue is empty: there is no background loop to stop, and no claim
/// waits for a batch to fill.
/// </summary>
internal sealed class ClaimBatcher
{
    private readonly Func<IReadOnlyList<PendingClaim>, Task> _write;
    private readonly int _batchSize;
    private readonly int _maxWriters;
    private readonly object _gate = new();
    private readonly Queue<PendingClaim> _queue = new();
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    private int _writers;

    /// <summary>Initializes a new instance of the <see cref="ClaimBatcher"/> class.</summary>
    /// <param name="write">Writes a batch; it completes each claim (result or exception). Claims it leaves open fail with its exception.</param>
    /// <param name="batchSize">The most claims per batch.</param>
    /// <param name="writers">The most batches written at once.</param>
    public ClaimBatcher(Func<IReadOnlyList<PendingClaim>, Task> write, int batchSize, int writers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(writers, 1);
        _write = write;
        _batchSize = batchSize;
        _maxWriters = writers;
    }

    /// <summary>Queues a claim; its outcome comes from the batch that writes it.</summary>
    /// <param name="command">The claim.</param>
    /// <param name="cancellationToken">Withdraws the claim while it is still queued; once a writer took it, it completes with its batch.</param>
    /// <returns>The claim's outcome.</returns>
    public Task<IssueOutcome> IssueAsync(IssueCommand command, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var claim = new PendingClaim(command);
        bool start;
        lock (_gate)
        {
            _queue.Enqueue(claim);
            start = _writers < _maxWriters;
            if (start)
            {
                _writers++;
            }
        }

        claim.WithdrawOn(cancellationToken);
        if (start)
        {
            _ = Task.Run(WriteLoopAsync, CancellationToken.None);
        }

        return claim.Outcome;
    }

    private async Task WriteLoopAsync()
    {
        while (TakeBatch() is { } batch)
        {
            try
            {
                await _write(batch).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Whatever the batch failed with is each claim's outcome; the writer goes on with the next batch.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                foreach (var claim in batch)
                {
                    claim.Fail(ex);
                }
            }

            foreach (var claim in batch)
            {
                claim.Fail(new InvalidOperationException("The claim batch completed without an outcome for this claim."));
            }
        }
    }

    /// <summary>
    /// Takes the next batch: queued claims in arrival order, skipping withdrawn ones, stopping before a claim key already in the
    /// batch (its second use must see the first one committed). <see langword="null"/> when nothing is queued: the writer stops.
    /// </summary>
    private List<PendingClaim>? TakeBatch()
    {
        lock (_gate)
        {
            List<PendingClaim>? batch = null;
            _keys.Clear();
            while (_queue.TryPeek(out var next) && (batch?.Count ?? 0) < _batchSize)
            {
                if (!_keys.Add(next.Command.ClaimKey))
                {
                    break;
                }

                _queue.Dequeue();
                if (next.TryTake())
                {
                    (batch ??= new List<PendingClaim>(Math.Min(_batchSize, _queue.Count + 1))).Add(next);
                }
            }

            if (batch is null)
            {
                _writers--;
            }

            return batch;
        }
    }
}

/// <summary>A claim waiting in, or taken into, a <see cref="ClaimBatcher"/> batch.</summary>
internal sealed class PendingClaim
{
    private const int Queued = 0;
    private const int Taken = 1;
    private const int Withdrawn = 2;

    private readonly TaskCompletionSource<IssueOutcome> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenRegistration _registration;
    private int _state;

    public PendingClaim(IssueCommand command)
    {
        Command = command;
    }

    /// <summary>Gets the claim.</summary>
    public IssueCommand Command { get; }

    /// <summary>Gets the claim's outcome, once its batch completes it.</summary>
    public Task<IssueOutcome> Outcome => _outcome.Task;

    /// <summary>Gets a value indicating whether the claim has its outcome.</summary>
    public bool IsCompleted => _outcome.Task.IsCompleted;

    /// <summary>Withdraws the claim when <paramref name="cancellationToken"/> is cancelled while it is queued.</summary>
    public void WithdrawOn(CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            _registration = cancellationToken.Register(static (state, token) => ((PendingClaim)state!).Withdraw(token), this);
        }
    }

    /// <summary>Takes the claim into a batch; <see langword="false"/> when it was withdrawn.</summary>
    public bool TryTake()
    {
        if (Interlocked.CompareExchange(ref _state, Taken, Queued) != Queued)
        {
            return false;
        }

        _registration.Dispose();
        return true;
    }

    public void Complete(IssueOutcome outcome) => _outcome.TrySetResult(outcome);

    public void Fail(Exception exception) => _outcome.TrySetException(exception);

    private void Withdraw(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, Withdrawn, Queued) == Queued)
        {
            _outcome.TrySetCanceled(cancellationToken);
        }
    }
}
