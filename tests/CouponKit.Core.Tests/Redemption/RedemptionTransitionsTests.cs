using CouponKit.Redemption;

namespace CouponKit.Core.Tests.Redemption;

public class RedemptionTransitionsTests
{
    private static readonly (CouponState From, CouponTrigger Trigger, CouponState To)[] Documented =
    [
        (CouponState.Available, CouponTrigger.Lock, CouponState.Locked),
        (CouponState.Locked, CouponTrigger.Confirm, CouponState.Used),
        (CouponState.Locked, CouponTrigger.Release, CouponState.Available),
        (CouponState.Available, CouponTrigger.Expire, CouponState.Expired),
        (CouponState.Available, CouponTrigger.Revoke, CouponState.Revoked),
    ];

    [Fact]
    public void All_IsExactlyTheFiveDocumentedTransitions() =>
        Assert.Equal(Documented.OrderBy(t => t.ToString()), RedemptionTransitions.All.OrderBy(t => t.ToString()));

    [Fact]
    public void TryFire_DocumentedTransition_LeadsToItsState()
    {
        foreach (var (from, trigger, to) in Documented)
        {
            Assert.True(RedemptionTransitions.TryFire(from, trigger, out var next, out var reason), $"{from} {trigger}");
            Assert.Equal(to, next);
            Assert.Null(reason);
        }
    }

    [Fact]
    public void TryFire_EveryOtherStateAndTrigger_IsRefusedWithAReasonAndKeepsTheState()
    {
        var others = Enum.GetValues<CouponState>()
            .SelectMany(_ => Enum.GetValues<CouponTrigger>(), (state, trigger) => (state, trigger))
            .Where(pair => !Documented.Any(t => t.From == pair.state && t.Trigger == pair.trigger))
            .ToArray();

        Assert.Equal(20, others.Length);
        foreach (var (state, trigger) in others)
        {
            Assert.False(RedemptionTransitions.TryFire(state, trigger, out var next, out var reason), $"{state} {trigger}");
            Assert.Equal(state, next);
            Assert.Equal($"a coupon that is {state} cannot {trigger}", reason);
        }
    }

    [Fact]
    public void TryFire_FinalStates_AcceptNoTrigger()
    {
        foreach (var state in new[] { CouponState.Used, CouponState.Expired, CouponState.Revoked })
        {
            Assert.All(Enum.GetValues<CouponTrigger>(), trigger => Assert.False(RedemptionTransitions.TryFire(state, trigger, out _, out _)));
        }
    }

    [Fact]
    public void ToMermaid_DrawsEveryTransitionAndTheFinalStates() =>
        Assert.Equal(
            """
            stateDiagram-v2
                [*] --> Available: Claim
                Available --> Locked: Lock
                Locked --> Used: Confirm
                Locked --> Available: Release
                Available --> Expired: Expire
                Available --> Revoked: Revoke
                Used --> [*]
                Expired --> [*]
                Revoked --> [*]
            """,
            RedemptionTransitions.ToMermaid());
}
