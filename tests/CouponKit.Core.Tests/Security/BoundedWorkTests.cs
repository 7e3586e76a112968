using System.ComponentModel.DataAnnotations;
using CouponKit.Rules;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CouponKit.Core.Tests.Security;

/// <summary>
/// Issue 11, bounded work: sizes are checked before any work with typed errors, the best-combination search never visits
/// more nodes than its budget and then says the quote is not proven optimal, and the tie-break on ids compares ranks.
/// </summary>
public class BoundedWorkTests
{
    [Theory]
    [InlineData(20_000)]
    [InlineData(200_000)] // the default budget
    public void Quote_TwoHundredCandidatesInOverlappingGroups_StaysWithinTheNodeBudgetAndIsNotProvenOptimal(int budget)
    {
        var engine = new QuoteEngine(new QuoteOptions { MaxSearchNodes = budget });
        var cart = Shop.Cart(Enumerable.Range(0, 10).Select(i => Shop.Line($"l{i}", 100m)).ToArray());
        var coupons = Enumerable.Range(0, 200).Select(i => Shop.Coupon(
            $"c{i:D3}",
            new FixedAmountRule(Shop.Cny(15 + (i % 11))),
            stacking: StackingPolicy.InGroup($"g{i % 50}"),
            issuer: i % 2 == 0 ? CouponIssuer.Shop : CouponIssuer.Platform)).ToArray();

        var quote = engine.Quote(cart, coupons);

        Assert.InRange(quote.SearchNodes, 1, budget);
        Assert.False(quote.IsProvenOptimal);
        Assert.InRange(quote.Applied.Count, 1, engine.Options.MaxStackingDepth);
        Assert.Equal(200, quote.Applied.Count + quote.Rejected.Count);
        var chosen = quote.Applied.Select(a => coupons.Single(c => c.Id == a.CouponId)).ToArray();
        var replay = engine.Validate(cart, chosen);
        Assert.True(replay.IsValid); // the best found so far is still a valid combination
        Assert.Equal(quote.TotalDiscount, replay.Quote.TotalDiscount);
        Assert.False(quote.Payable.IsNegative);
    }

    [Fact]
    public void Quote_BudgetOfOne_VisitsOneNode()
    {
        var quote = new QuoteEngine(new QuoteOptions { MaxSearchNodes = 1 }).Quote(
            Shop.Cart(Shop.Line("a", 100)),
            [Shop.Coupon("c1", Shop.Rebate(50, 5)), Shop.Coupon("c2", Shop.Rebate(50, 6), issuer: CouponIssuer.Platform)]);

        Assert.Equal(1, quote.SearchNodes);
        Assert.False(quote.IsProvenOptimal);
    }

    [Fact]
    public void Quote_StackingDepth_CapsTheCombination()
    {
        var engine = new QuoteEngine(new QuoteOptions { MaxStackingDepth = 2 });
        var coupons = Enumerable.Range(0, 5).Select(i => Shop.Coupon($"c{i}", new FixedAmountRule(Shop.Cny(1 + i)), stacking: StackingPolicy.InGroup($"g{i}"))).ToArray();

        var quote = engine.Quote(Shop.Cart(Shop.Line("a", 100)), coupons);

        Assert.Equal(["c3", "c4"], quote.Applied.Select(a => a.CouponId));
        Assert.True(quote.IsProvenOptimal);
        Assert.Throws<InvalidCouponException>(() => engine.Validate(Shop.Cart(Shop.Line("a", 100)), coupons.Take(3)));
        Assert.Throws<InvalidCouponException>(() => engine.Validate(Shop.Cart(Shop.Line("a", 100)), coupons.Take(3).Select(c => c))); // a lazy sequence too
        Assert.Equal(2, engine.Validate(Shop.Cart(Shop.Line("a", 100)), coupons.Take(2)).Quote.Applied.Count);
    }

    [Fact]
    public void Limits_AreCheckedBeforeAnyWorkWithTypedErrors()
    {
        var engine = new QuoteEngine(new QuoteOptions { MaxCartLines = 3, MaxLineQuantity = 10, MaxCoupons = 4 });
        var coupon = Shop.Coupon("c", Shop.Rebate(1, 1));

        var lines = Assert.Throws<InvalidCartException>(() => engine.Quote(Shop.Cart(Enumerable.Range(0, 4).Select(i => Shop.Line($"l{i}", 1)).ToArray()), [coupon]));
        var quantity = Assert.Throws<InvalidCartException>(() => engine.Validate(Shop.Cart(Shop.Line("a", 1, quantity: 11)), [coupon]));
        var many = Assert.Throws<InvalidCouponException>(() => engine.Quote(Shop.Cart(Shop.Line("a", 1)), Enumerable.Range(0, 5).Select(i => Shop.Coupon($"c{i}", Shop.Rebate(1, 1)))));

        Assert.Equal("lines", lines.Field);
        Assert.Equal("lines[0].quantity", quantity.Field);
        Assert.Contains("MaxCoupons", many.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_OutOfRange_Throw()
    {
        Assert.Throws<ValidationException>(() => new QuoteEngine(new QuoteOptions { MaxStackingDepth = 0 }));
        Assert.Throws<ValidationException>(() => new QuoteEngine(new QuoteOptions { MaxLineQuantity = CartLine.MaxQuantity + 1 }));
        Assert.Equal((16, CartLine.MaxQuantity, 500, 1_000, 200_000), (QuoteOptions.Default.MaxStackingDepth, QuoteOptions.Default.MaxLineQuantity, QuoteOptions.Default.MaxCoupons, QuoteOptions.Default.MaxCartLines, QuoteOptions.Default.MaxSearchNodes));
    }

    // The tie-break on ranks is the tie-break on ids: for any two selections of distinct ids (random strings, so ordinal order
    // differs from any generation order), comparing their sorted ranks gives the sign of comparing their sorted ids.
    [Property(MaxTest = 500)]
    public Property CompareRanks_AgreesWithCompareIds() =>
        Prop.ForAll(
            (from count in Gen.Choose(0, 14)
             from pool in Gen.ArrayOf(Gen.Elements("a", "B", "b", "aa", "a0", "é", "Z", "zz", "_", "0", "10", "9", "ab", "aB"), count)
             let ids = pool.Distinct(StringComparer.Ordinal).ToArray()
             from first in Gen.Choose(0, (1 << ids.Length) - 1)
             from second in Gen.Choose(0, (1 << ids.Length) - 1)
             select (Ids: ids, First: first, Second: second)).ToArbitrary(),
            sample =>
            {
                var prepared = sample.Ids.Select(id => new PreparedCoupon(Shop.Coupon(id, Shop.Rebate(1, 1)), [], [], 0)).ToArray();
                var byId = prepared.OrderBy(p => p.Id, StringComparer.Ordinal).ToArray();
                for (var r = 0; r < byId.Length; r++)
                {
                    byId[r].IdRank = r;
                }

                var a = prepared.Where((_, i) => (sample.First & (1 << i)) != 0).ToArray();
                var b = prepared.Where((_, i) => (sample.Second & (1 << i)) != 0).Reverse().ToArray();
                var ra = new int[a.Length];
                var rb = new int[b.Length];
                BestCombinationSearch.SortedRanks(a, ra);
                BestCombinationSearch.SortedRanks(b, rb);

                return Math.Sign(BestCombinationSearch.CompareRanks(ra, rb)) == Math.Sign(BestCombinationSearch.CompareIds(a, b));
            });
}
