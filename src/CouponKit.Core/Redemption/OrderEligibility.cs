using CouponKit.Issuance;
using CouponKit.Ports;
using CouponKit.Rules;

namespace CouponKit.Redemption;

/// <summary>
/// Reads what the order-history ports say about first-order-only and once-per-product coupons, before the pure rule engine
/// (quote) or the store (Try) sees them; at Try it takes the products an order discounts.
/// </summary>
internal sealed class OrderEligibility(IOrderHistory orders, IProductDiscountHistory products)
{
    /// <summary>Builds the rule engine's coupons, with the eligibility data read from the ports (each port read at most once per user and template).</summary>
    public async Task<List<Coupon>> ToCouponsAsync(IReadOnlyList<(IssuedCoupon Issued, CouponTemplate Template)> coupons, CancellationToken cancellationToken)
    {
        bool? paid = null;
        var discounted = new Dictionary<(string, string), IReadOnlyCollection<string>>();
        var result = new List<Coupon>(coupons.Count);
        foreach (var (issued, template) in coupons)
        {
            if (template.FirstOrderOnly && paid is null)
            {
                paid = await orders.HasPaidOrderAsync(issued.UserId, cancellationToken).ConfigureAwait(false);
            }

            IReadOnlyCollection<string>? skus = null;
            if (template.OncePerProduct && !discounted.TryGetValue((issued.UserId, template.Id), out skus))
            {
                skus = await products.ListDiscountedAsync(issued.UserId, template.Id, cancellationToken).ConfigureAwait(false);
                discounted.Add((issued.UserId, template.Id), skus);
            }

            var coupon = template.ToCoupon(issued, paid ?? false, skus);
            coupon.BindHolder(issued.UserId);
            result.Add(coupon);
        }

        return result;
    }

    /// <summary>
    /// The Try check: a first-order-only coupon for a user with a paid order, or a once-per-product coupon without the cart or
    /// on a product already taken, is refused; otherwise the products are taken for the order (all or none).
    /// </summary>
    /// <returns>The refusal, or <see langword="null"/> when the Try may go on.</returns>
    public async Task<RedemptionResult?> CheckTryAsync(string orderId, string userId, Cart? cart, IReadOnlyList<(IssuedCoupon Issued, CouponTemplate Template)> coupons, CancellationToken cancellationToken)
    {
        if (coupons.Any(c => c.Template.FirstOrderOnly) && await orders.HasPaidOrderAsync(userId, cancellationToken).ConfigureAwait(false))
        {
            var id = coupons.First(c => c.Template.FirstOrderOnly).Issued.CouponId;
            return Refused(RedemptionRefusal.NotFirstOrder, $"coupon '{id}' is only for a first order, and the user has a paid order");
        }

        var oncePerProduct = coupons.Where(c => c.Template.OncePerProduct).ToList();
        if (oncePerProduct.Count == 0)
        {
            return null;
        }

        if (cart is null)
        {
            return Refused(RedemptionRefusal.CartRequired, $"coupon '{oncePerProduct[0].Issued.CouponId}' applies once per product: lock it with the order's cart");
        }

        var lines = cart.Lines.OrderBy(l => l.LineId, StringComparer.Ordinal).ToArray();
        var claims = new List<ProductDiscountClaim>();
        foreach (var (_, template) in oncePerProduct)
        {
            var skus = new SortedSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < lines.Length; i++)
            {
                if (template.Scope.Covers(lines[i]))
                {
                    skus.Add(lines[i].Sku);
                }
            }

            foreach (var i in template.Rule.RewardLines(lines, template.Scope))
            {
                skus.Add(lines[i].Sku);
            }

            claims.Add(new ProductDiscountClaim(template.Id, [.. skus]));
        }

        var conflict = await products.TryTakeAsync(userId, orderId, claims, cancellationToken).ConfigureAwait(false);
        return conflict is null
            ? null
            : Refused(RedemptionRefusal.ProductAlreadyDiscounted, $"'{conflict.Sku}' already had the discount of template '{conflict.TemplateId}'; it applies once per product");
    }

    /// <summary>Gives back the products an order took (the order was released, or its Try refused).</summary>
    public Task ReleaseAsync(string userId, string orderId) => products.ReleaseAsync(userId, orderId, CancellationToken.None);

    private static RedemptionResult Refused(RedemptionRefusal refusal, string message) => new(RedemptionStatus.Refused, refusal, message, []);
}
