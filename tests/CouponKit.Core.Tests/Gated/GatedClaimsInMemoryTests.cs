using CouponKit.Caching;
using CouponKit.InMemory;
using CouponKit.Issuance;
using CouponKit.Issuance.Gated;
using CouponKit.Core.Tests.Issuance;
using CouponKit.Ports;
using Microsoft.Extensions.DependencyInjection;

namespace CouponKit.Core.Tests.Gated;

/// <summary>The gated claim flow on the in-memory ports (the reference for the Redis adapter's tests).</summary>
public sealed class GatedClaimsInMemoryTests
{
    [Fact]
    public async Task Submit_ThroughTheGate_IsPendingThenIssued_AndTheGateHoldsTheRest()
    {
        await using var services = new ServiceCollection().AddCouponKit().Services
            .AddSingleton<IClaimGate, InMemoryClaimGate>().BuildServiceProvider();
        var templates = services.GetRequiredService<CouponTemplates>();
        var gate = services.GetRequiredService<IClaimGate>();
        await templates.CreateAsync(TestKit.Draft("t1") with { TotalInventory = 2 });
        await templates.ActivateAsync("t1");
        await gate.WarmUpAsync("t1", 2, new Dictionary<string, int>(), default);
        await using var consumer = await services.GetRequiredService<GatedIssueConsumer>().SubscribeAsync();
        var claims = services.GetRequiredService<GatedClaims>();

        var first = await claims.SubmitAsync(new ClaimRequest { TemplateId = "t1", User = new UserProfile("a"), IdempotencyKey = "k1" });
        await services.GetRequiredService<InMemoryMessageBus>().WhenIdleAsync();
        var polled = await claims.GetStatusAsync("k1");

        Assert.Equal(GatedClaimStatus.Pending, first.Status);
        Assert.Equal(GatedClaimStatus.Issued, polled.Status);
        Assert.Equal(new ClaimGateDecision(ClaimGateStatus.Reserved, 0), await gate.TryReserveAsync(new("t1", "b", 1, "k2"), default));
        Assert.Equal(PendingClaimState.Issued, (await services.GetRequiredService<IPendingClaimStore>().FindAsync("k1", default))!.State);
    }

    [Fact]
    public async Task PendingStore_SettlesOnceAndListsOnlyPending()
    {
        var store = new InMemoryPendingClaimStore();
        await store.AddAsync(new PendingClaim("k1", "t", "u", 1, ClaimChannels.Grab, DateTimeOffset.UnixEpoch), default);
        await store.AddAsync(new PendingClaim("k2", "t", "v", 1, ClaimChannels.Grab, DateTimeOffset.UnixEpoch), default);

        Assert.True(await store.TrySettleAsync("k1", PendingClaimState.Rejected, ClaimRejection.SoldOut, default));
        Assert.False(await store.TrySettleAsync("k1", PendingClaimState.Issued, null, default));
        Assert.False(await store.TrySettleAsync("unknown", PendingClaimState.Issued, null, default));
        Assert.Equal(["k2"], (await store.ListPendingAsync("t", default)).Select(c => c.ClaimKey));
        Assert.Equal(ClaimRejection.SoldOut, (await store.FindAsync("k1", default))!.Rejection);
    }

    [Fact]
    public async Task TemplateCache_DefaultPassesThroughToTheStore()
    {
        await using var services = new ServiceCollection().AddCouponKit().Services.BuildServiceProvider();
        var templates = services.GetRequiredService<CouponTemplates>();
        await templates.CreateAsync(TestKit.Draft("t1"));

        var read = await services.GetRequiredService<CachedTemplateReader>().GetAsync("t1");

        Assert.Equal(1, read.Version);
        Assert.Null(await services.GetRequiredService<ITemplateCache>().GetAsync("t1", default));
    }
}
