using System.Globalization;
using CouponKit.Rules;

namespace CouponKit.Benchmarks;

/// <summary>Prints what the benchmark quotes, so a reader sees the figures come from a real quote.</summary>
internal static class Explain
{
    public static void Print(TextWriter output)
    {
        var cart = ShopData.CreateCart();
        var engine = new QuoteEngine();
        var onSale = cart.Lines.Count(l => (l.Traits & CartLineTraits.AlreadyDiscounted) != 0);
        var notDiscountable = cart.Lines.Count(l => (l.Traits & CartLineTraits.NotDiscountable) != 0);
        output.WriteLine(Inv($"Cart: {cart.Lines.Count} lines, {cart.Lines.Sum(l => l.Quantity)} units, subtotal {cart.Subtotal}, shipping {cart.ShippingFee}; {onSale} on sale, {notDiscountable} not discountable; eligible storewide {ShopData.EligibleAmount(cart):0.00} CNY (seed {ShopData.Seed})."));
        output.WriteLine(Inv($"Unit prices {cart.Lines.Min(l => l.UnitPrice.Amount):0.00} to {cart.Lines.Max(l => l.UnitPrice.Amount):0.00} CNY; departments: {string.Join(", ", cart.Lines.GroupBy(l => l.Categories[0]).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"))}."));
        foreach (var set in Enum.GetValues<CouponSet>())
        {
            var coupons = ShopData.CreateCoupons(set, cart);
            var prepared = new QuoteSession(cart, engine.Options).Prepare(coupons);
            var quote = engine.Quote(cart, coupons);
            output.WriteLine();
            output.WriteLine(Inv($"== {set}: {coupons.Length} coupons in {coupons.Select(c => c.EffectiveGroup).Distinct().Count()} stacking groups ({string.Join(", ", coupons.GroupBy(c => c.EffectiveGroup).Select(g => $"{g.Key} {g.Count()}"))})"));
            output.WriteLine("   alone on the cart (order of application):");
            foreach (var pc in prepared)
            {
                var alone = pc.Rejection is null ? Money.FromMinorUnits(pc.StandaloneValue, cart.Currency).ToString() : pc.Rejection.Code.ToString();
                output.WriteLine(Inv($"     {pc.Id,-16} {pc.Coupon.EffectiveGroup,-13} {alone,-18} {pc.Coupon.Rule.Describe()}"));
            }

            output.WriteLine(Inv($"   best: total discount {quote.TotalDiscount} (lines {quote.LinesDiscount}, shipping {quote.ShippingDiscount}), payable {quote.Payable}"));
            output.WriteLine(Inv($"   SearchNodes {quote.SearchNodes}, IsProvenOptimal {quote.IsProvenOptimal}"));
            foreach (var applied in quote.Applied)
            {
                output.WriteLine(Inv($"     applied {applied.Sequence}. {applied.CouponId,-16} {applied.Discount} over {applied.Allocations.Count} lines"));
            }

            foreach (var rejected in quote.Rejected)
            {
                output.WriteLine(Inv($"     not used  {rejected.CouponId,-16} {rejected.Code}: {rejected.Message}"));
            }
        }

        output.WriteLine();
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
