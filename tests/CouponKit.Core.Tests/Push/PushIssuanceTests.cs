using CouponKit.Issuance;
using CouponKit.Ports;
using CouponKit.Redemption;

namespace CouponKit.Core.Tests.Push;

public class PushIssuanceTests
{
    [Fact]
    public async Task ResumeAsync_AfterCancellingAfter37Chunks_FinishesWithoutDuplicates()
    {
        var shop = new PushHarness().WithUsers(10_000);
        var template = await shop.ActiveTemplateAsync(inventory: 10_000);
        using var stop = new CancellationTokenSource();
        var progress = new ProgressLog(p =>
        {
            if (p.Processed == 37 * 100)
            {
                stop.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => shop.Sut.StartAsync(PushHarness.Request(template.Id, chunkSize: 100), progress, stop.Token));
        var checkpoint = await shop.Sut.GetAsync("job-1");
        Assert.Equal((PushJobState.Running, 3_700L, PushHarness.UserId(3_700)), (checkpoint.State, checkpoint.Issued, checkpoint.LastUserId));

        var job = await shop.Sut.ResumeAsync("job-1", progress);

        Assert.Equal((PushJobState.Completed, 10_000L, 0L, 0L), (job.State, job.Issued, job.Skipped, job.Failed));
        Assert.Equal(10_000, shop.Store.Coupons.Select(c => c.UserId).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(10_000, await shop.IssuedCountAsync(template.Id));
        progress.AssertMonotonic();
    }

    [Fact]
    public async Task StartAsync_SameJobTwice_IssuesNothingTheSecondTime()
    {
        var shop = new PushHarness().WithUsers(5_000);
        var template = await shop.ActiveTemplateAsync(inventory: 100_000);
        var first = await shop.Sut.StartAsync(PushHarness.Request(template.Id));
        var outbox = shop.Store.OutboxEntries.Count;

        var second = await shop.Sut.StartAsync(PushHarness.Request(template.Id));

        Assert.Equal(first, second);
        Assert.Equal(5_000, await shop.IssuedCountAsync(template.Id));
        Assert.Equal(outbox, shop.Store.OutboxEntries.Count);
    }

    [Fact]
    public async Task StartAsync_AnotherJobToTheSameUsers_SkipsThemAll()
    {
        var shop = new PushHarness().WithUsers(5_000);
        var template = await shop.ActiveTemplateAsync(inventory: 100_000);
        await shop.Sut.StartAsync(PushHarness.Request(template.Id, jobId: "job-1"));
        shop.Segments.Add(PushHarness.Segment, [PushHarness.UserId(5_001)]);

        var again = await shop.Sut.StartAsync(PushHarness.Request(template.Id, jobId: "job-2"));

        Assert.Equal(PushJobState.Completed, again.State);
        Assert.Equal((1L, 5_000L, 0L), (again.Issued, again.Skipped, again.Failed));
        Assert.Equal(5_001, await shop.IssuedCountAsync(template.Id));
    }

    [Fact]
    public async Task StartAsync_UsersAtTheirLimitOrWithBadIds_SkippedOrFailed()
    {
        var shop = new PushHarness().WithUsers(3_000);
        shop.Segments.Add(PushHarness.Segment, [" ", new string('x', 200)]);
        var template = await shop.ActiveTemplateAsync(inventory: 10_000);
        for (var n = 1; n <= 10; n++)
        {
            var user = PushHarness.UserId(n);
            var grabbed = new IssuedCoupon($"grab-{n}", template.Id, user, CouponState.Available, Shop.Now, Shop.Now.AddDays(1), Shop.Now, ClaimChannels.Grab, null, 1);
            await shop.Store.IssueAsync(new IssueCommand($"grab:{user}", grabbed, 1, []), CancellationToken.None);
        }

        var job = await shop.Sut.StartAsync(PushHarness.Request(template.Id, chunkSize: 700));

        Assert.Equal((2_990L, 10L, 2L), (job.Issued, job.Skipped, job.Failed));
        Assert.Equal(3_000, await shop.IssuedCountAsync(template.Id));
    }

    [Fact]
    public async Task ResumeAsync_SoldOutJobAfterInventoryRaised_ContinuesToTheEnd()
    {
        var shop = new PushHarness().WithUsers(5_000);
        var template = await shop.ActiveTemplateAsync(inventory: 2_000);
        var soldOut = await shop.Sut.StartAsync(PushHarness.Request(template.Id));
        Assert.Equal(PushJobState.SoldOut, soldOut.State);
        Assert.Equal(PushJobState.SoldOut, (await shop.Sut.ResumeAsync("job-1")).State);

        await shop.Templates.EditAsync(template.Id, new TemplateEdit { TotalInventory = 10_000 });
        var job = await shop.Sut.ResumeAsync("job-1");

        Assert.Equal(PushJobState.Completed, job.State);
        Assert.Equal((5_000L, 0L), (job.Issued, job.Skipped));
        Assert.Equal(5_000, await shop.IssuedCountAsync(template.Id));
    }

    [Fact]
    public async Task StartAsync_TemplatePausedMidway_StopsAtTheCheckpointAndResumesLater()
    {
        var shop = new PushHarness().WithUsers(10_000);
        var template = await shop.ActiveTemplateAsync(inventory: 10_000);
        var progress = new ProgressLog(p =>
        {
            if (p.Issued == 3_000)
            {
                shop.Templates.PauseAsync(template.Id).GetAwaiter().GetResult();
            }
        });

        await Assert.ThrowsAsync<TemplateStateException>(() => shop.Sut.StartAsync(PushHarness.Request(template.Id), progress));
        var stopped = await shop.Sut.GetAsync("job-1");
        Assert.Equal((PushJobState.Running, 3_000L), (stopped.State, stopped.Issued));
        Assert.Equal(3_000, await shop.IssuedCountAsync(template.Id));

        await shop.Templates.ResumeAsync(template.Id);
        var job = await shop.Sut.ResumeAsync("job-1", progress);

        Assert.Equal((PushJobState.Completed, 10_000L), (job.State, job.Issued));
        progress.AssertMonotonic();
    }

    [Fact]
    public async Task CancelAsync_DuringARun_StopsAtTheNextCheckpointForGood()
    {
        var shop = new PushHarness().WithUsers(10_000);
        var template = await shop.ActiveTemplateAsync(inventory: 10_000);
        var progress = new ProgressLog(p =>
        {
            if (p.Issued == 4_000)
            {
                shop.Sut.CancelAsync("job-1").GetAwaiter().GetResult();
            }
        });

        var job = await shop.Sut.StartAsync(PushHarness.Request(template.Id), progress);
        var resumed = await shop.Sut.ResumeAsync("job-1");

        Assert.Equal((PushJobState.Cancelled, 4_000L), (job.State, job.Issued));
        Assert.Equal(job, resumed);
        Assert.Equal(4_000, await shop.IssuedCountAsync(template.Id));
    }

    [Fact]
    public async Task StartAsync_TemplateNotPushable_Throws()
    {
        var shop = new PushHarness().WithUsers(10);
        var draft = await shop.ActiveTemplateAsync(inventory: 10, activate: false);
        var grabOnly = await shop.ActiveTemplateAsync(inventory: 10, channels: ClaimChannels.Grab);

        await Assert.ThrowsAsync<TemplateStateException>(() => shop.Sut.StartAsync(PushHarness.Request(draft.Id, jobId: "a")));
        var channel = await Assert.ThrowsAsync<InvalidTemplateException>(() => shop.Sut.StartAsync(PushHarness.Request(grabOnly.Id, jobId: "b")));
        Assert.Equal("channels", channel.Field);
        await Assert.ThrowsAsync<TemplateNotFoundException>(() => shop.Sut.StartAsync(PushHarness.Request("nope", jobId: "c")));
        Assert.Null(await shop.Jobs.FindAsync("a", CancellationToken.None));
        Assert.Empty(shop.Store.Coupons);
    }

    [Fact]
    public async Task StartAsync_JobIdOfAnotherPush_ThrowsConflict()
    {
        var shop = new PushHarness().WithUsers(10);
        var first = await shop.ActiveTemplateAsync(inventory: 10);
        var second = await shop.ActiveTemplateAsync(inventory: 10);
        await shop.Sut.StartAsync(PushHarness.Request(first.Id));

        await Assert.ThrowsAsync<IdempotencyKeyConflictException>(() => shop.Sut.StartAsync(PushHarness.Request(second.Id)));
        await Assert.ThrowsAsync<PushJobNotFoundException>(() => shop.Sut.ResumeAsync("missing"));
        await Assert.ThrowsAsync<ArgumentException>(() => shop.Sut.StartAsync(PushHarness.Request(first.Id, jobId: "x", chunkSize: 0)));
    }

    [Fact]
    public void ClaimKeyOf_LongIds_StaysWithinTheKeyLength()
    {
        Assert.Equal("push:t1:u1", PushIssuance.ClaimKeyOf("t1", "u1"));
        var key = PushIssuance.ClaimKeyOf(new string('t', 128), new string('u', 128));
        Assert.True(key.Length <= CouponClaims.MaxIdempotencyKeyLength);
        Assert.NotEqual(key, PushIssuance.ClaimKeyOf(new string('t', 128), new string('u', 127) + "v"));
    }
}
