using CouponKit.Core.Tests.Issuance;
using CouponKit.Issuance;
using CouponKit.Rules;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CouponKit.Core.Tests.Security;

/// <summary>
/// Issue 11, money safety on hostile amounts: amounts are range-checked (no overflow, never more digits than the currency's
/// minor unit), a discount never exceeds what it applies to, and a refund never returns more than was taken.
/// </summary>
public class MoneySafetyProperties
{
    private static readonly QuoteEngine Engine = new();

    // (1) Extreme amounts never overflow: a cart of prices up to 10^15 (minor units up to 10^17) and quantities up to the
    // largest accepted is either refused with a typed MoneyOutOfRangeException when its total leaves the supported range, or
    // quoted against coupons with extreme amounts (fixed amounts up to the maximum, 100 %, huge thresholds) with every
    // discount between zero and what it applies to: each line's discount at most its amount, the shipping discount at most
    // the fee, the total at most subtotal plus shipping, and the payable amount never negative.
    [Property(MaxTest = 300)]
    public Property ExtremeAmounts_AreRefusedOrDiscountedWithinWhatTheyApplyTo() =>
        Prop.ForAll(HostileScenario.ToArbitrary(), scenario =>
        {
            Cart cart;
            try
            {
                cart = new Cart("u", scenario.Lines.Select((l, i) => new CartLine($"l{i}", "sku", Money.FromMinorUnits(l.Price, Currency.CNY), l.Quantity)), Money.FromMinorUnits(scenario.Shipping, Currency.CNY), Shop.Now);
            }
            catch (MoneyOutOfRangeException)
            {
                return true; // refused, typed
            }

            foreach (var quote in new[] { Engine.Quote(cart, scenario.Coupons), Engine.Validate(cart, scenario.Coupons.Take(Engine.Options.MaxStackingDepth)).Quote })
            {
                Assert.False(quote.TotalDiscount.IsNegative);
                Assert.True(quote.TotalDiscount <= cart.Subtotal + cart.ShippingFee);
                Assert.True(quote.ShippingDiscount <= cart.ShippingFee);
                Assert.False(quote.Payable.IsNegative);
                Assert.All(quote.Lines, l => Assert.True(!l.Discount.IsNegative && l.Discount <= l.Amount, $"{l.LineId}: {l.Discount} of {l.Amount}"));
                Assert.All(quote.Applied, a => Assert.False(a.Discount.IsNegative));
            }

            return true;
        });

    // (2) No amount has more digits than its currency's minor unit: a unit price or shipping fee with a fraction of a minor
    // unit (CNY 0.001 steps, any JPY fraction) is refused with InvalidCartException, never rounded silently.
    [Property(MaxTest = 300)]
    public Property FractionsOfAMinorUnit_AreRefused() =>
        Prop.ForAll(
            Gen.Choose(0, 1_000_000).SelectMany(_ => Gen.Choose(1, 9), (whole, tenth) => (Whole: whole, Tenth: tenth)).ToArbitrary(),
            sample =>
            {
                var cny = (sample.Whole / 100m) + (sample.Tenth / 1000m);
                var jpy = sample.Whole + (sample.Tenth / 10m);
                Assert.Throws<InvalidCartException>(() => new CartLine("l", "s", Money.Of(cny, "CNY"), 1));
                Assert.Throws<InvalidCartException>(() => new CartLine("l", "s", Money.Of(jpy, "JPY"), 1));
                Assert.Throws<InvalidCartException>(() => new Cart("u", [new CartLine("l", "s", Money.Of(1m, "CNY"), 1)], Money.Of(cny, "CNY"), Shop.Now));
                return true;
            });

    // (3) A refund never returns more than was taken: users with random balances make random claims (with retries of the same
    // key) on a template that costs points and sells out; at every step a user's balance is at most where it started, and at
    // the end it is exactly the start minus the cost of the coupons the user holds.
    [Property(MaxTest = 60)]
    public Property PointsRefunds_NeverReturnMoreThanWasTaken() =>
        Prop.ForAll(
            (from count in Gen.Choose(1, 30)
             from users in Gen.ArrayOf(Gen.Choose(0, 2), count)
             from keys in Gen.ArrayOf(Gen.Choose(0, 5), count)
             from balances in Gen.ArrayOf(Gen.Choose(0, 60), 3)
             select (Steps: users.Zip(keys).ToArray(), Balances: balances)).ToArbitrary(),
            sample =>
            {
                const int Cost = 7;
                var kit = new TestKit(new CouponKitOptions { ClaimsPerUser = 1_000_000 });
                var start = sample.Balances;
                for (var u = 0; u < start.Length; u++)
                {
                    kit.Points.SetBalance($"u{u}", start[u]);
                }

                kit.ActiveAsync(TestKit.Draft("t") with { TotalInventory = 4, PerUserLimit = 2, ClaimCostPoints = Cost }).GetAwaiter().GetResult();
                foreach (var (user, key) in sample.Steps)
                {
                    kit.ClaimAsync("t", $"u{user}", $"u{user}-k{key}").GetAwaiter().GetResult();
                    for (var u = 0; u < start.Length; u++)
                    {
                        Assert.InRange(kit.Points.BalanceOf($"u{u}"), 0, start[u]);
                    }
                }

                for (var u = 0; u < start.Length; u++)
                {
                    var held = kit.Store.Coupons.Count(c => c.UserId == $"u{u}");
                    Assert.Equal(start[u] - (Cost * held), kit.Points.BalanceOf($"u{u}"));
                }

                return true;
            });

    private static Gen<(IReadOnlyList<(long Price, int Quantity)> Lines, long Shipping, Coupon[] Coupons)> HostileScenario { get; } =
        from count in Gen.Choose(1, 4)
        from prices in Gen.ArrayOf(Gen.Frequency((2, Gen.Choose(0, 1_000_000).Select(p => (long)p)), (1, Gen.Choose(1, 100_000).Select(p => p * 1_000_000_000_000L))), count)
        from quantities in Gen.ArrayOf(Gen.Frequency((3, Gen.Choose(1, 10)), (1, Gen.Choose(1, CartLine.MaxQuantity))), count)
        let lines = prices.Zip(quantities, (price, quantity) => (Price: price, Quantity: quantity)).ToArray()
        from shipping in Gen.Frequency((2, Gen.Choose(0, 10_000).Select(s => (long)s)), (1, Gen.Constant(99_999_999_999_999_999L)))
        from offs in Gen.ArrayOf(Gen.Frequency((2, Gen.Choose(1, 1_000_000).Select(o => (long)o)), (1, Gen.Constant(100_000_000_000_000_000L))), 3)
        select ((IReadOnlyList<(long, int)>)lines.Select(l => (l.Price, l.Quantity)).ToArray(), shipping, new[]
        {
            Shop.Coupon("fixed", new FixedAmountRule(Money.FromMinorUnits(offs[0], Currency.CNY))),
            Shop.Coupon("percent", new PercentOffRule(100m), issuer: CouponIssuer.Platform),
            Shop.Coupon("rebate", new ThresholdRebateRule(Threshold.Spend(Money.FromMinorUnits(offs[1], Currency.CNY)), Money.FromMinorUnits(offs[2], Currency.CNY)), stacking: StackingPolicy.InGroup("extra")),
            Shop.Coupon("shipping", new FreeShippingRule(null, null)),
        });
}
