using CouponKit.InMemory;
using CouponKit.Issuance;
using CouponKit.Ports;
using Microsoft.Extensions.Time.Testing;

namespace CouponKit.Core.Tests.Push;

/// <summary>Push issuance wired on in-memory ports and a fake clock.</summary>
internal sealed class PushHarness
{
    public const string Segment = "all-users";

    public PushHarness()
    {
        Templates = new CouponTemplates(Store, Time);
        Sut = new PushIssuance(Store, Store, Segments, Jobs, Time);
    }

    public FakeTimeProvider Time { get; } = new(Shop.Now);

    public InMemoryCouponKitStore Store { get; } = new();

    public InMemoryUserSegmentSource Segments { get; } = new();

    public InMemoryPushJobStore Jobs { get; } = new();

    public CouponTemplates Templates { get; }

    public PushIssuance Sut { get; }

    /// <summary>User ids <c>u000001</c>, <c>u000002</c>, ...: ordinal order is numeric order.</summary>
    public static string UserId(int n) => $"u{n:D6}";

    public static IEnumerable<string> Users(int count) => Enumerable.Range(1, count).Select(UserId);

    public PushHarness WithUsers(int count)
    {
        Segments.Add(Segment, Users(count));
        return this;
    }

    public async Task<CouponTemplate> ActiveTemplateAsync(int inventory, ClaimChannels channels = ClaimChannels.All, bool activate = true)
    {
        var template = await Templates.CreateAsync(new TemplateDraft
        {
            Name = "Welcome back: 10 off 100",
            Rule = Shop.Rebate(100, 10),
            TotalInventory = inventory,
            Validity = CouponValidity.ForDaysAfterClaim(14),
            Channels = channels,
        });
        return activate ? await Templates.ActivateAsync(template.Id) : template;
    }

    public async Task<CouponTemplate> ActiveAsync(global::CouponKit.Benefits.Benefit benefit, int inventory)
    {
        var template = await Templates.CreateAsync(new TemplateDraft
        {
            Name = "Pushed benefit",
            Rule = Shop.Rebate(100, 10),
            TotalInventory = inventory,
            Validity = CouponValidity.ForDaysAfterClaim(14),
            Benefit = benefit,
        });
        return await Templates.ActivateAsync(template.Id);
    }

    public static PushJobRequest Request(string templateId, string jobId = "job-1", int chunkSize = 1_000) =>
        new() { JobId = jobId, TemplateId = templateId, Segment = Segment, ChunkSize = chunkSize };

    public async Task<int> IssuedCountAsync(string templateId) => (await Store.GetStockAsync(templateId, CancellationToken.None))!.Issued;
}

/// <summary>Records progress reports synchronously (unlike <see cref="Progress{T}"/>, which posts them).</summary>
internal sealed class ProgressLog(Action<PushProgress>? onReport = null) : IProgress<PushProgress>
{
    public List<PushProgress> Reports { get; } = [];

    public void Report(PushProgress value)
    {
        Reports.Add(value);
        onReport?.Invoke(value);
    }

    public void AssertMonotonic()
    {
        for (var i = 1; i < Reports.Count; i++)
        {
            var (before, after) = (Reports[i - 1], Reports[i]);
            Assert.True(after.Issued >= before.Issued && after.Skipped >= before.Skipped && after.Failed >= before.Failed, $"report {i} went back: {before} -> {after}");
            Assert.True(before.LastUserId is null || string.CompareOrdinal(after.LastUserId, before.LastUserId) >= 0, $"report {i} checkpoint went back");
        }
    }
}

/// <summary>Simulates a crash: cancels the run's token once a number of issues have gone through.</summary>
internal sealed class CrashingCouponStore(ICouponStore inner, int crashAfterIssues, CancellationTokenSource crash) : ICouponStore
{
    private int _issues;

    public async Task<IssueOutcome> IssueAsync(IssueCommand command, CancellationToken cancellationToken)
    {
        if (++_issues > crashAfterIssues)
        {
            crash.Cancel();
        }

        return await inner.IssueAsync(command, cancellationToken);
    }

    public Task<IssuedCoupon?> FindByClaimKeyAsync(string claimKey, CancellationToken cancellationToken) => inner.FindByClaimKeyAsync(claimKey, cancellationToken);

    public Task<IssuedCoupon?> FindAsync(string couponId, CancellationToken cancellationToken) => inner.FindAsync(couponId, cancellationToken);

    public Task<IReadOnlyList<IssuedCoupon>> ListByUserAsync(string userId, CancellationToken cancellationToken) => inner.ListByUserAsync(userId, cancellationToken);
}
