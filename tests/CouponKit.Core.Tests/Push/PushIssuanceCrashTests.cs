using CouponKit.Issuance;
using CouponKit.Ports;

namespace CouponKit.Core.Tests.Push;

/// <summary>A push to a 100,000-user segment interrupted within a chunk, then resumed.</summary>
public class PushIssuanceCrashTests
{
    private const int Users = 100_000;

    [Fact]
    public async Task ResumeAsync_AfterACrashWithinChunk38_SameResultAsAnUninterruptedRunAndNoDuplicate()
    {
        const int inventory = 150_000;

        // What the uninterrupted run ends with (PushIssuanceScaleTests.StartAsync_100kUsersInChunksOf1000_...).
        var uninterrupted = (PushJobState.Completed, (long)Users, 0L, 0L, PushHarness.UserId(Users));
        var shop = new PushHarness().WithUsers(Users);
        var template = await shop.ActiveTemplateAsync(inventory);
        using var crash = new CancellationTokenSource();
        var crashing = new PushIssuance(shop.Store, new CrashingCouponStore(shop.Store, crashAfterIssues: (37 * 1_000) + 500, crash), shop.Segments, shop.Jobs, shop.Time);
        var progress = new ProgressLog();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => crashing.StartAsync(PushHarness.Request(template.Id), progress, crash.Token));
        var checkpoint = await shop.Jobs.FindAsync("job-1", CancellationToken.None);
        Assert.Equal(PushJobState.Running, checkpoint!.State);
        Assert.Equal(37_000, checkpoint.Issued);
        Assert.Equal(PushHarness.UserId(37_000), checkpoint.LastUserId);
        Assert.Equal(PushHarness.UserId(38_000), checkpoint.InFlightThroughUserId);
        Assert.Equal(37_500, await shop.IssuedCountAsync(template.Id)); // 500 issued past the checkpoint

        var job = await shop.Sut.ResumeAsync("job-1", progress);

        Assert.Equal(uninterrupted, (job.State, job.Issued, job.Skipped, job.Failed, job.LastUserId));
        Assert.Equal(job.Issued, await shop.IssuedCountAsync(template.Id));
        var coupons = shop.Store.Coupons;
        Assert.Equal(coupons.Count, coupons.Select(c => c.UserId).Distinct(StringComparer.Ordinal).Count());
        progress.AssertMonotonic();
    }
}
