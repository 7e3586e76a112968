using CouponKit.InMemory;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Redemption;

namespace CouponKit.Core.Tests.Push;

/// <summary>
/// A push with a store that writes chunks side by side (<see cref="IBulkCouponStore.ConcurrentBatches"/>): chunks go in flight
/// together only while the stock covers them all, the checkpoint moves over them in order, and a chunk that sells out because a
/// concurrent claim took the stock stops the checkpoint there; the later chunk's coupons are counted when the job resumes.
/// </summary>
public sealed class PushIssuanceChunksInFlightTests
{
    [Fact]
    public async Task StartAsync_StockCoversTwoChunks_WritesThemSideBySideWithTheCountsOfAChunkAtATimeRun()
    {
        var shop = new PushHarness().WithUsers(10_500);
        var store = new SideBySideStore(shop.Store, window: 2);
        var push = new PushIssuance(shop.Store, store, shop.Segments, shop.Jobs, shop.Time);
        var template = await shop.ActiveTemplateAsync(inventory: 20_000);
        var progress = new ProgressLog();

        var job = await push.StartAsync(PushHarness.Request(template.Id), progress);

        Assert.Equal((PushJobState.Completed, 10_500L, 0L, 0L, PushHarness.UserId(10_500), (string?)null), (job.State, job.Issued, job.Skipped, job.Failed, job.LastUserId, job.InFlightThroughUserId));
        Assert.Equal(2, store.MostInFlight);
        Assert.Equal(10_500, await shop.IssuedCountAsync(template.Id));
        foreach (var user in PushHarness.Users(10_500))
        {
            Assert.Single(await shop.Store.ListByUserAsync(user, CancellationToken.None));
        }

        // Checkpoints after every pair of chunks, never decreasing: 2,000, 4,000, ... then the last half chunk.
        Assert.Equal([2_000L, 4_000L, 6_000L, 8_000L, 10_000L, 10_500L, 10_500L], progress.Reports.Select(r => r.Issued));
    }

    [Fact]
    public async Task StartAsync_StockCoversOneChunkOnly_GoesChunkAfterChunkAndSellsOutInSegmentOrder()
    {
        var shop = new PushHarness().WithUsers(5_000);
        var store = new SideBySideStore(shop.Store, window: 2);
        var push = new PushIssuance(shop.Store, store, shop.Segments, shop.Jobs, shop.Time);
        var template = await shop.ActiveTemplateAsync(inventory: 2_500);

        var job = await push.StartAsync(PushHarness.Request(template.Id));

        // 2,500 covers the first two chunks (side by side), not the next two: the third goes alone and sells out at its 500th user.
        Assert.Equal((PushJobState.SoldOut, 2_500L, PushHarness.UserId(2_500)), (job.State, job.Issued, job.LastUserId));
        Assert.Equal(2_500, await shop.IssuedCountAsync(template.Id));
        Assert.Single(await shop.Store.ListByUserAsync(PushHarness.UserId(2_500), CancellationToken.None));
        Assert.Empty(await shop.Store.ListByUserAsync(PushHarness.UserId(2_501), CancellationToken.None));
    }

    [Fact]
    public async Task StartAsync_AConcurrentClaimSellsOutTheFirstChunkWhileTheSecondIssued_StopsThereAndTheResumeCountsTheSecond()
    {
        // Invariant: whatever order chunks in flight take the stock in, the job never counts a coupon twice, each user of the
        // segment ends with one coupon, and the final counts are those of a run chunk after chunk.
        var shop = new PushHarness().WithUsers(4_000);
        var template = await shop.ActiveTemplateAsync(inventory: 3_000);
        var store = new SideBySideStore(shop.Store, window: 2)
        {
            // The first chunk waits for the second to be written, then other shoppers' claims take 1,500 of the 2,000 left.
            BeforeBatch = async (first, otherDone) =>
            {
                if (first == PushHarness.UserId(1))
                {
                    await otherDone;
                    var now = shop.Time.GetUtcNow();
                    var claims = Enumerable.Range(1, 1_500)
                        .Select(i => new IssueCommand(
                            $"claim:other-{i}",
                            new IssuedCoupon($"other-{i}", template.Id, $"other-{i:D5}", CouponState.Available, now, now.AddDays(14), now, ClaimChannels.Grab, null, 1),
                            template.PerUserLimit,
                            Array.Empty<OutboxMessage>()))
                        .ToArray();
                    Assert.All(await shop.Store.IssueBatchAsync(claims, CancellationToken.None), o => Assert.Equal(IssueStatus.Issued, o.Status));
                }
            },
        };
        var push = new PushIssuance(shop.Store, store, shop.Segments, shop.Jobs, shop.Time);

        var soldOut = await push.StartAsync(PushHarness.Request(template.Id));

        // The checkpoint stops at the first chunk's last served user; the second chunk's 1,000 coupons are in flight, not counted.
        Assert.Equal((PushJobState.SoldOut, 500L, PushHarness.UserId(500), PushHarness.UserId(2_000)), (soldOut.State, soldOut.Issued, soldOut.LastUserId, soldOut.InFlightThroughUserId));
        Assert.Equal(3_000, await shop.IssuedCountAsync(template.Id));

        await shop.Templates.EditAsync(template.Id, new TemplateEdit { TotalInventory = 10_000 });
        var resumed = await push.ResumeAsync(soldOut.JobId);

        Assert.Equal((PushJobState.Completed, 4_000L, 0L, 0L), (resumed.State, resumed.Issued, resumed.Skipped, resumed.Failed));
        Assert.Equal(5_500, await shop.IssuedCountAsync(template.Id));
        foreach (var user in PushHarness.Users(4_000))
        {
            Assert.Single(await shop.Store.ListByUserAsync(user, CancellationToken.None));
        }
    }

    /// <summary>The in-memory store, saying it writes <c>window</c> chunks side by side, and yielding so that they overlap.</summary>
    private sealed class SideBySideStore(InMemoryCouponKitStore inner, int window) : ICouponStore, IBulkCouponStore
    {
        private readonly TaskCompletionSource _firstOtherDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _inFlight;
        private int _most;

        /// <summary>Gets or sets a hook run before a batch, with its first user and a task that completes when another batch is written.</summary>
        public Func<string, Task, Task>? BeforeBatch { get; init; }

        public int MostInFlight => Volatile.Read(ref _most);

        public int ConcurrentBatches => window;

        public async Task<IReadOnlyList<IssueOutcome>> IssueBatchAsync(IReadOnlyList<IssueCommand> commands, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref _inFlight);
            int most;
            while (now > (most = Volatile.Read(ref _most)) && Interlocked.CompareExchange(ref _most, now, most) != most)
            {
            }

            try
            {
                await Task.Delay(5, cancellationToken);
                var first = commands[0].Coupon.UserId;
                if (BeforeBatch is { } hook)
                {
                    await hook(first, _firstOtherDone.Task);
                }

                var outcomes = await inner.IssueBatchAsync(commands, cancellationToken);
                if (first != PushHarness.UserId(1))
                {
                    _firstOtherDone.TrySetResult();
                }

                return outcomes;
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }

        public Task<IssueOutcome> IssueAsync(IssueCommand command, CancellationToken cancellationToken) => inner.IssueAsync(command, cancellationToken);

        public Task<IssuedCoupon?> FindByClaimKeyAsync(string claimKey, CancellationToken cancellationToken) => inner.FindByClaimKeyAsync(claimKey, cancellationToken);

        public Task<IssuedCoupon?> FindAsync(string couponId, CancellationToken cancellationToken) => ((ICouponStore)inner).FindAsync(couponId, cancellationToken);

        public Task<IReadOnlyList<IssuedCoupon>> ListByUserAsync(string userId, CancellationToken cancellationToken) => inner.ListByUserAsync(userId, cancellationToken);
    }
}
