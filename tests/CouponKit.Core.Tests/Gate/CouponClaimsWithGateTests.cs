using CouponKit.Core.Tests.Issuance;
using CouponKit.InMemory;
using CouponKit.Issuance;
using CouponKit.Ports;
using Microsoft.Extensions.Options;

namespace CouponKit.Core.Tests.Gate;

public sealed class CouponClaimsWithGateTests
{
    [Fact]
    public async Task Claim_GateSoldOut_RejectsWithoutTouchingTheStore()
    {
        var kit = new TestKit();
        var gate = new InMemoryClaimGate();
        var claims = Claims(kit, gate);
        await kit.Templates.CreateAsync(TestKit.Draft("t1"));
        await kit.Templates.ActivateAsync("t1");
        await gate.WarmUpAsync("t1", 0, new Dictionary<string, int>(), default);

        var result = await claims.ClaimAsync(new ClaimRequest { TemplateId = "t1", User = new UserProfile("u1"), IdempotencyKey = "k1" });

        Assert.Equal(ClaimRejection.SoldOut, result.Rejection);
        Assert.Empty(kit.Store.Coupons);
    }

    [Fact]
    public async Task Claim_GateReservesButStoreRefuses_ReservationIsReleased()
    {
        var kit = new TestKit();
        var gate = new InMemoryClaimGate();
        var claims = Claims(kit, gate);
        await kit.Templates.CreateAsync(TestKit.Draft("t1"));
        await kit.Templates.ActivateAsync("t1");
        var first = await claims.ClaimAsync(new ClaimRequest { TemplateId = "t1", User = new UserProfile("u1"), IdempotencyKey = "k1" });
        Assert.True(first.IsIssued);

        // A gate warmed without knowing u1 already holds one: it reserves, the store refuses, the unit goes back.
        await gate.WarmUpAsync("t1", 5, new Dictionary<string, int>(), default);
        var second = await claims.ClaimAsync(new ClaimRequest { TemplateId = "t1", User = new UserProfile("u1"), IdempotencyKey = "k2" });

        Assert.Equal(ClaimRejection.LimitReached, second.Rejection);
        Assert.Equal(new ClaimGateDecision(ClaimGateStatus.Reserved, 4), await gate.TryReserveAsync(new ClaimGateRequest("t1", "u2", 1, "k3"), default));
    }

    private static CouponClaims Claims(TestKit kit, IClaimGate gate) =>
        new(kit.Store, kit.Store, kit.Limiter, kit.Points, kit.Bus, kit.Time, Options.Create(kit.Options), claimGate: gate);
}

public sealed class CouponClaimsGateFailureTests
{
    [Fact]
    public async Task Claim_StoreFailsAndGateReleaseFails_TheStoreFailureSurfaces()
    {
        var kit = new TestKit();
        await kit.Templates.CreateAsync(TestKit.Draft("t1"));
        await kit.Templates.ActivateAsync("t1");
        var gate = new ReleaseFailingGate();
        var claims = new CouponClaims(kit.Store, new FailingCouponStore(kit.Store), kit.Limiter, kit.Points, kit.Bus, kit.Time, Options.Create(kit.Options), claimGate: gate);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => claims.ClaimAsync(new ClaimRequest { TemplateId = "t1", User = new UserProfile("u1"), IdempotencyKey = "k1" }));

        Assert.Equal("store down", ex.Message);
        Assert.Equal(1, gate.Releases);
        Assert.Empty(kit.Store.Coupons);
    }

    private sealed class ReleaseFailingGate : IClaimGate
    {
        public int Releases { get; private set; }

        public Task WarmUpAsync(string templateId, int remaining, IReadOnlyDictionary<string, int> holders, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<ClaimGateDecision> TryReserveAsync(ClaimGateRequest request, CancellationToken cancellationToken) => Task.FromResult(new ClaimGateDecision(ClaimGateStatus.Reserved, 0));

        public Task ReleaseAsync(ClaimGateRequest request, CancellationToken cancellationToken)
        {
            Releases++;
            throw new TimeoutException("gate down");
        }
    }

    private sealed class FailingCouponStore(ICouponStore inner) : ICouponStore
    {
        public Task<IssueOutcome> IssueAsync(IssueCommand command, CancellationToken cancellationToken) => throw new InvalidOperationException("store down");

        public Task<IssuedCoupon?> FindByClaimKeyAsync(string claimKey, CancellationToken cancellationToken) => inner.FindByClaimKeyAsync(claimKey, cancellationToken);

        public Task<IssuedCoupon?> FindAsync(string couponId, CancellationToken cancellationToken) => inner.FindAsync(couponId, cancellationToken);

        public Task<IReadOnlyList<IssuedCoupon>> ListByUserAsync(string userId, CancellationToken cancellationToken) => inner.ListByUserAsync(userId, cancellationToken);
    }
}
