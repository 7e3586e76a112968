using CouponKit.Messaging;
using CouponKit.Redemption;
using CouponKit.Rewards;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CouponKit.Core.Tests.Rewards;

/// <summary>Invariants of order rewards under any delivery order and duplication of the shop's events.</summary>
public class RewardProperties
{
    /// <summary>Gets up to 5 orders, each paid (over the threshold or not) and maybe refunded, each event delivered 1 to 3 times.</summary>
    private static Gen<(int Orders, bool[] Refunded, bool[] Over, (int Order, bool Refund, bool NewId)[] Deliveries)> Scenario { get; } =
        from orders in Gen.Choose(1, 5)
        from refunded in Gen.ArrayOf(ArbMap.Default.GeneratorFor<bool>(), orders)
        from over in Gen.ArrayOf(Gen.Frequency((4, Gen.Constant(true)), (1, Gen.Constant(false))), orders)
        from copies in Gen.ArrayOf(Gen.Choose(1, 3), orders * 2)
        from newIds in Gen.ArrayOf(ArbMap.Default.GeneratorFor<bool>(), orders * 6)
        let all = Enumerable.Range(0, orders)
            .SelectMany(o => Enumerable.Repeat((o, false), copies[o * 2]).Concat(refunded[o] ? Enumerable.Repeat((o, true), copies[(o * 2) + 1]) : []))
            .Select((d, i) => (d.o, d.Item2, newIds[i % newIds.Length]))
            .ToArray()
        from shuffled in Gen.Shuffle(all)
        select (orders, refunded, over, shuffled.ToArray());

    // Whatever the order of delivery and the duplication of the events (the same message again, or the shop re-sending it under a
    // new message id), each order has at most one reward; a refunded order has no usable (Available) reward; an order paid over the
    // threshold and never refunded has exactly one, available.
    [Property(MaxTest = 150)]
    public Property Events_AnyOrderAndDuplication_OneRewardPerOrderAndNoneUsableOnceRefunded() =>
        Prop.ForAll(Scenario.ToArbitrary(), s =>
        {
            RunAsync(s).GetAwaiter().GetResult();
        });

    private static async Task RunAsync((int Orders, bool[] Refunded, bool[] Over, (int Order, bool Refund, bool NewId)[] Deliveries) s)
    {
        await using var h = new RewardHarness();
        await h.RewardTemplateAsync();
        var attempt = 0;
        foreach (var (order, refund, newId) in s.Deliveries)
        {
            var id = $"o{order}";
            var user = $"u{order}";
            var message = refund ? OrderEvents.Refunded(RewardHarness.Refunded(id, user)) : OrderEvents.Paid(RewardHarness.Paid(id, s.Over[order] ? 300m : 299m, user));
            message = newId ? message with { MessageId = message.MessageId + ":" + (++attempt) } : message;
            var incoming = new IncomingMessage(message, 1);
            await (refund ? h.Sut.HandleRefundedAsync(incoming, CancellationToken.None) : h.Sut.HandlePaidAsync(incoming, CancellationToken.None));
            h.Time.Advance(TimeSpan.FromSeconds(1));
        }

        for (var order = 0; order < s.Orders; order++)
        {
            var held = h.Store.Coupons.Where(c => c.UserId == $"u{order}").ToArray();
            Assert.True(held.Length <= 1, $"order {order} has {held.Length} rewards");
            if (s.Refunded[order])
            {
                Assert.DoesNotContain(held, c => c.State == CouponState.Available);
            }
            else if (s.Over[order])
            {
                Assert.Equal(CouponState.Available, Assert.Single(held).State);
            }
            else
            {
                Assert.Empty(held);
            }
        }
    }
}
