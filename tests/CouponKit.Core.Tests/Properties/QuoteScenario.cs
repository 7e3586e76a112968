using System.Globalization;
using System.Text;
using CouponKit.Rules;

namespace CouponKit.Core.Tests.Properties;

/// <summary>A cart and the coupons a user holds. Prints itself in a form that is easy to turn into an example test.</summary>
/// <param name="Cart">The cart.</param>
/// <param name="Coupons">The candidate coupons (unique ids).</param>
internal sealed record QuoteScenario(Cart Cart, IReadOnlyList<Coupon> Coupons)
{
    public override string ToString() => Describe(Cart, Coupons);

    public static string Describe(Cart cart, IEnumerable<Coupon> coupons)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Environment.NewLine}cart at {cart.At:O}, shipping {cart.ShippingFee}, subtotal {cart.Subtotal}:{Environment.NewLine}");
        foreach (var line in cart.Lines)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {Describe(line)}{Environment.NewLine}");
        }

        text.Append("coupons:").Append(Environment.NewLine);
        foreach (var coupon in coupons)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {Describe(coupon)}{Environment.NewLine}");
        }

        return text.ToString();
    }

    public static string Describe(CartLine line) => string.Create(
        CultureInfo.InvariantCulture,
        $"Line(\"{line.LineId}\", {line.UnitPrice.Amount}m, {line.Quantity}, sku: \"{line.Sku}\", categories: [{string.Join(", ", line.Categories.Select(c => $"\"{c}\""))}], brand: {(line.Brand is null ? "null" : $"\"{line.Brand}\"")}, traits: {line.Traits})");

    public static string Describe(Coupon coupon)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{coupon.Id}: {coupon.Rule.Kind} [{coupon.Rule.Describe()}]");
        text.Append(CultureInfo.InvariantCulture, $"; scope {Describe(coupon.Scope)}");
        text.Append(CultureInfo.InvariantCulture, $"; {coupon.Issuer}, group {coupon.EffectiveGroup}, priority {coupon.Stacking.Priority}");
        if (coupon.Stacking.Exclusive)
        {
            text.Append(", exclusive");
        }

        if (coupon.ValidFrom is { } from)
        {
            text.Append(CultureInfo.InvariantCulture, $"; from {from:O}");
        }

        if (coupon.ValidUntil is { } until)
        {
            text.Append(CultureInfo.InvariantCulture, $"; until {until:O}");
        }

        return text.ToString();
    }

    private static string Describe(CouponScope scope)
    {
        var parts = new List<string>();
        Add("skus", scope.Skus);
        Add("categories", scope.Categories);
        Add("brands", scope.Brands);
        Add("not skus", scope.ExcludedSkus);
        Add("not categories", scope.ExcludedCategories);
        Add("not brands", scope.ExcludedBrands);
        if (scope.IncludeDiscountedItems)
        {
            parts.Add("incl. discounted");
        }

        return (scope.IsStorewide ? "storewide " : string.Empty) + "{" + string.Join("; ", parts) + "}";

        void Add(string name, IReadOnlyCollection<string> values)
        {
            if (values.Count > 0)
            {
                parts.Add(name + " " + string.Join(",", values.Order(StringComparer.Ordinal)));
            }
        }
    }
}
