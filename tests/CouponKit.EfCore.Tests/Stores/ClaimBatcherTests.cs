using CouponKit.EfCore.Stores;
using CouponKit.EfCore.Tests.Segments;
using CouponKit.Ports;

namespace CouponKit.EfCore.Tests.Stores;

/// <summary>
/// <see cref="ClaimBatcher"/>: claims that arrive while the writers are busy are written together, a claim key never twice in
/// one batch, a withdrawn claim never, and a failed batch fails each of its claims.
/// </summary>
public sealed class ClaimBatcherTests
{
    [Fact]
    public async Task IssueAsync_ClaimsArriveWhileTheWriterIsBusy_AreWrittenInOneBatchInArrivalOrder()
    {
        var writer = new RecordingWriter();
        var batcher = new ClaimBatcher(writer.WriteAsync, batchSize: 64, writers: 1);

        var first = batcher.IssueAsync(Command("k0"), default);
        await writer.Started.WaitAsync(TimeSpan.FromSeconds(30));
        var queued = Enumerable.Range(1, 5).Select(i => batcher.IssueAsync(Command($"k{i}"), default)).ToArray();
        writer.Release();
        await Task.WhenAll(queued.Append(first)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(new[] { new[] { "k0" }, new[] { "k1", "k2", "k3", "k4", "k5" } }, writer.Batches);
    }

    [Fact]
    public async Task IssueAsync_MoreThanTheBatchSize_CutsBatchesAtTheSize()
    {
        var writer = new RecordingWriter();
        var batcher = new ClaimBatcher(writer.WriteAsync, batchSize: 2, writers: 1);

        var first = batcher.IssueAsync(Command("k0"), default);
        await writer.Started.WaitAsync(TimeSpan.FromSeconds(30));
        var queued = Enumerable.Range(1, 5).Select(i => batcher.IssueAsync(Command($"k{i}"), default)).ToArray();
        writer.Release();
        await Task.WhenAll(queued.Append(first)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(new[] { 1, 2, 2, 1 }, writer.Batches.Select(b => b.Length));
    }

    [Fact]
    public async Task IssueAsync_SameKeyTwice_GoesIntoTwoBatches()
    {
        // The second use of a key must see the first one committed (a replay), so it is never in the same batch.
        var writer = new RecordingWriter();
        var batcher = new ClaimBatcher(writer.WriteAsync, batchSize: 64, writers: 1);

        var first = batcher.IssueAsync(Command("k0"), default);
        await writer.Started.WaitAsync(TimeSpan.FromSeconds(30));
        var queued = new[] { "k1", "k2", "k1", "k3" }.Select(k => batcher.IssueAsync(Command(k), default)).ToArray();
        writer.Release();
        await Task.WhenAll(queued.Append(first)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(new[] { new[] { "k0" }, new[] { "k1", "k2" }, new[] { "k1", "k3" } }, writer.Batches);
    }

    [Fact]
    public async Task IssueAsync_CancelledWhileQueued_IsWithdrawnAndNeverWritten()
    {
        var writer = new RecordingWriter();
        var batcher = new ClaimBatcher(writer.WriteAsync, batchSize: 64, writers: 1);
        using var cancel = new CancellationTokenSource();

        var first = batcher.IssueAsync(Command("k0"), default);
        await writer.Started.WaitAsync(TimeSpan.FromSeconds(30));
        var withdrawn = batcher.IssueAsync(Command("k1"), cancel.Token);
        var kept = batcher.IssueAsync(Command("k2"), default);
        await cancel.CancelAsync();
        writer.Release();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => withdrawn);
        await Task.WhenAll(first, kept).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(new[] { new[] { "k0" }, new[] { "k2" } }, writer.Batches);
    }

    [Fact]
    public async Task IssueAsync_TakenIntoABatch_CompletesWithItEvenWhenCancelled()
    {
        var writer = new RecordingWriter();
        var batcher = new ClaimBatcher(writer.WriteAsync, batchSize: 64, writers: 1);
        using var cancel = new CancellationTokenSource();

        var taken = batcher.IssueAsync(Command("k0"), cancel.Token);
        await writer.Started.WaitAsync(TimeSpan.FromSeconds(30));
        await cancel.CancelAsync();
        writer.Release();

        Assert.Equal(IssueStatus.Issued, (await taken.WaitAsync(TimeSpan.FromSeconds(30))).Status);
    }

    [Fact]
    public async Task IssueAsync_TheBatchThrows_FailsEveryClaimOfItAndTheNextBatchRuns()
    {
        var calls = 0;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var batcher = new ClaimBatcher(
            async batch =>
            {
                if (Interlocked.Increment(ref calls) == 1)
                {
                    await gate.Task;
                    throw new InvalidOperationException("the database is gone");
                }

                foreach (var claim in batch)
                {
                    claim.Complete(new IssueOutcome(IssueStatus.Issued, claim.Command.Coupon));
                }
            },
            batchSize: 64,
            writers: 1);

        var first = batcher.IssueAsync(Command("k0"), default);
        gate.SetResult();
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => first);
        var next = await batcher.IssueAsync(Command("k1"), default).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("the database is gone", failure.Message);
        Assert.Equal(IssueStatus.Issued, next.Status);
    }

    [Fact]
    public async Task IssueAsync_TheBatchLeavesAClaimOpen_FailsItInsteadOfHanging()
    {
        var batcher = new ClaimBatcher(_ => Task.CompletedTask, batchSize: 64, writers: 1);

        await Assert.ThrowsAsync<InvalidOperationException>(() => batcher.IssueAsync(Command("k0"), default).WaitAsync(TimeSpan.FromSeconds(30)));
    }

    private static IssueCommand Command(string key) => new(key, StockSegmentTests.Coupon("c-" + key, "t1", "u-" + key), 1, []);

    /// <summary>Records each batch's keys; holds the first batch until <see cref="Release"/>.</summary>
    private sealed class RecordingWriter
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<string[]> _batches = [];

        public Task Started => _started.Task;

        public IReadOnlyList<string[]> Batches
        {
            get
            {
                lock (_batches)
                {
                    return [.. _batches];
                }
            }
        }

        public void Release() => _release.TrySetResult();

        public async Task WriteAsync(IReadOnlyList<PendingClaim> batch)
        {
            lock (_batches)
            {
                _batches.Add(batch.Select(c => c.Command.ClaimKey).ToArray());
            }

            _started.TrySetResult();
            await _release.Task;
            foreach (var claim in batch)
            {
                claim.Complete(new IssueOutcome(IssueStatus.Issued, claim.Command.Coupon));
            }
        }
    }
}

/// <summary><see cref="ReadCoalescer{TValue}"/>: a caller never gets the answer of a read that started before it asked.</summary>
public sealed class ReadCoalescerTests
{
    [Fact]
    public async Task ReadAsync_WhileAReadRuns_WaitsForTheNextOneAndSharesIt()
    {
        var reads = 0;
        var firstRead = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var coalescer = new ReadCoalescer<int>(_ => Interlocked.Increment(ref reads) == 1 ? firstRead.Task : Task.FromResult(reads));

        var early = coalescer.ReadAsync("t1", default);
        var late1 = coalescer.ReadAsync("t1", default);
        var late2 = coalescer.ReadAsync("t1", default);
        var other = coalescer.ReadAsync("t2", default);
        firstRead.SetResult(1);

        Assert.Equal(1, await early);
        Assert.Equal((3, 3), (await late1, await late2)); // the third read (t2's was the second) answered both late callers
        Assert.Equal(2, await other);
        Assert.Equal(3, reads);
        Assert.Equal(4, await coalescer.ReadAsync("t1", default)); // idle again: a read of its own
    }

    [Fact]
    public async Task ReadAsync_TheReadFails_EveryWaitingCallerGetsTheFailureAndTheNextReadRuns()
    {
        var reads = 0;
        var coalescer = new ReadCoalescer<int>(_ => Interlocked.Increment(ref reads) == 1 ? Task.FromException<int>(new TimeoutException("slow")) : Task.FromResult(7));

        await Assert.ThrowsAsync<TimeoutException>(() => coalescer.ReadAsync("t1", default));
        Assert.Equal(7, await coalescer.ReadAsync("t1", default));
    }
}
