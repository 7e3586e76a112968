using CouponKit.Core.Tests.Issuance;
using CouponKit.Issuance;
using CouponKit.Redemption;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CouponKit.Core.Tests.Security;

/// <summary>Issue 11, ownership as a property: another user's steps, whatever they are, change nothing of a user's.</summary>
public class OwnershipProperties
{
    private static readonly string[] Orders = ["o0", "o1", "o2"];

    // Alice runs random TCC steps (lock a random set of her coupons on one of three orders, confirm, cancel with or without
    // ids); Bob, interleaved at random, attacks: he locks Alice's coupons or his own on Alice's orders, confirms and cancels
    // Alice's orders (with and without Alice's coupon ids), and cancels a fresh order of his naming Alice's coupon. Every one of
    // Bob's steps is refused, and Alice's run ends exactly as the same run without Bob: every answer she got (status and
    // refusal), her coupons (state, order, version) and her orders' records. Bob attacks only orders Alice has locked: a Cancel
    // before any Try writes a barrier for an order id nobody owns yet (documented; hosts make order ids unguessable).
    [Property(MaxTest = 150)]
    public Property ForeignSteps_AreRefusedAndChangeNothingOfTheOwners() =>
        Prop.ForAll(Scenario.ToArbitrary(), steps =>
        {
            var alone = Run(steps.Where(s => !s.ByBob).ToArray());
            var attacked = Run(steps);
            Assert.All(attacked.BobAnswers, a => Assert.Equal(RedemptionStatus.Refused, a.Status));
            Assert.Equal(alone.AliceAnswers, attacked.AliceAnswers);
            Assert.Equal(alone.Coupons, attacked.Coupons);
            Assert.Equal(alone.Records, attacked.Records);
            return true;
        });

    private static Gen<Step[]> Scenario { get; } =
        from count in Gen.Choose(1, 25)
        from steps in Gen.ArrayOf(
            from byBob in Gen.Elements(false, false, true)
            from kind in Gen.Choose(0, 5)
            from order in Gen.Choose(0, Orders.Length - 1)
            from mask in Gen.Choose(1, 15)
            select new Step(byBob, kind, order, mask),
            count)
        select steps;

    private static Outcome Run(IReadOnlyList<Step> steps)
    {
        var kit = new TestKit(new CouponKitOptions { ClaimsPerUser = 1_000 });
        kit.ActiveAsync(TestKit.Draft("t1") with { PerUserLimit = 10 }).GetAwaiter().GetResult();
        var alices = Enumerable.Range(0, 4).Select(_ => kit.IssueAsync("t1", "alice").GetAwaiter().GetResult().CouponId).ToArray();
        var bobs = Enumerable.Range(0, 2).Select(_ => kit.IssueAsync("t1", "bob").GetAwaiter().GetResult().CouponId).ToArray();
        var index = alices.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i, StringComparer.Ordinal);
        var locked = new HashSet<string>(StringComparer.Ordinal);
        var aliceAnswers = new List<string>();
        var bobAnswers = new List<RedemptionResult>();
        var r = kit.Redemptions;
        foreach (var step in steps)
        {
            var order = Orders[step.Order];
            var mine = alices.Where((_, i) => (step.Mask & (1 << i)) != 0).ToArray();
            if (!step.ByBob)
            {
                var result = (step.Kind % 3) switch
                {
                    0 => r.LockAsync(order, "alice", mine),
                    1 => r.ConfirmAsync(order, "alice"),
                    _ => r.ReleaseAsync(order, "alice", step.Kind == 5 ? mine : null),
                };
                var answer = result.GetAwaiter().GetResult();
                if (answer.Status == RedemptionStatus.Locked)
                {
                    locked.Add(order);
                }

                aliceAnswers.Add($"{answer.Status} {answer.Refusal}");
                continue;
            }

            if (step.Kind != 5 && !locked.Contains(order))
            {
                continue;
            }

            bobAnswers.Add((step.Kind switch
            {
                0 => r.LockAsync(order, "bob", mine),
                1 => r.LockAsync(order, "bob", [bobs[step.Mask % 2]]),
                2 => r.ConfirmAsync(order, "bob"),
                3 => r.ReleaseAsync(order, "bob"),
                4 => r.ReleaseAsync(order, "bob", mine),
                _ => r.ReleaseAsync("bob-" + order, "bob", mine),
            }).GetAwaiter().GetResult());
        }

        var coupons = alices.Select(id => kit.Coupon(id)).Select(c => $"{index[c.CouponId]} {c.State} {c.OrderId} v{c.Version}").ToArray();
        var records = Orders.SelectMany(o => kit.Store.ListRecordsAsync(o, CancellationToken.None).GetAwaiter().GetResult())
            .Select(x => $"{x.OrderId} {(index.TryGetValue(x.CouponId, out var i) ? i.ToString(System.Globalization.CultureInfo.InvariantCulture) : x.CouponId)} {x.Phase} {x.Origin} {x.UserId}")
            .ToArray();
        return new Outcome(aliceAnswers, bobAnswers, coupons, records);
    }

    internal sealed record Step(bool ByBob, int Kind, int Order, int Mask)
    {
        public override string ToString() => $"{(ByBob ? "bob" : "alice")} kind {Kind} o{Order} mask {Mask}";
    }

    private sealed record Outcome(List<string> AliceAnswers, List<RedemptionResult> BobAnswers, string[] Coupons, string[] Records);
}
