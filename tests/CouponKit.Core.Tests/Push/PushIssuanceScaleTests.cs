using CouponKit.Issuance;
using CouponKit.Ports;

namespace CouponKit.Core.Tests.Push;

/// <summary>Pushes to a 100,000-user segment (a class of its own so that it runs in parallel with the crash tests).</summary>
public class PushIssuanceScaleTests
{
    private const int Users = 100_000;

    [Fact]
    public async Task StartAsync_100kUsersInChunksOf1000_IssuesOneCouponToEveryUser()
    {
        var shop = new PushHarness().WithUsers(Users);
        var template = await shop.ActiveTemplateAsync(inventory: 150_000);
        var progress = new ProgressLog();

        var job = await shop.Sut.StartAsync(PushHarness.Request(template.Id), progress);

        Assert.Equal(PushJobState.Completed, job.State);
        Assert.Equal((Users, 0L, 0L), (job.Issued, job.Skipped, job.Failed));
        Assert.Equal(PushHarness.UserId(Users), job.LastUserId);
        Assert.Null(job.InFlightThroughUserId);
        Assert.Equal(Users, await shop.IssuedCountAsync(template.Id));
        var coupons = shop.Store.Coupons;
        Assert.Equal(Users, coupons.Select(c => c.UserId).Distinct(StringComparer.Ordinal).Count());
        Assert.All(coupons, c => Assert.Equal(ClaimChannels.Push, c.Channel));

        Assert.Equal(Users / 1_000 + 1, progress.Reports.Count); // one per chunk, and the completion
        progress.AssertMonotonic();
        Assert.Equal(1_000, progress.Reports[0].Issued);
        Assert.Equal(job.Issued, progress.Reports[^1].Issued);
        Assert.Equal(PushJobState.Completed, progress.Reports[^1].State);
        Assert.Equal(job, await shop.Jobs.FindAsync("job-1", CancellationToken.None));
    }

    [Fact]
    public async Task StartAsync_Inventory50kFor100kUsers_IssuesExactly50kAndStopsSoldOut()
    {
        var shop = new PushHarness().WithUsers(Users);
        var template = await shop.ActiveTemplateAsync(inventory: 50_000);
        var progress = new ProgressLog();

        var job = await shop.Sut.StartAsync(PushHarness.Request(template.Id), progress);

        Assert.Equal(PushJobState.SoldOut, job.State);
        Assert.Equal(50_000, job.Issued);
        Assert.Equal(50_000, await shop.IssuedCountAsync(template.Id));
        Assert.Equal(50_000, shop.Store.Coupons.Count);
        Assert.Equal(PushHarness.UserId(50_000), job.LastUserId);
        Assert.Equal(PushJobState.SoldOut, progress.Reports[^1].State);
        progress.AssertMonotonic();
    }
}
