namespace CouponKit.EfCore.Model;

/// <summary>
/// A product (SKU) a template's coupon discounted for a user, taken by an order at Try and given back when the order is
/// released (once-per-product templates). (user, template, SKU) is the key, so one order at a time holds a product.
/// </summary>
internal sealed class ProductDiscountRow
{
    public string UserId { get; set; } = string.Empty;

    public string TemplateId { get; set; } = string.Empty;

    public string Sku { get; set; } = string.Empty;

    public string OrderId { get; set; } = string.Empty;
}
