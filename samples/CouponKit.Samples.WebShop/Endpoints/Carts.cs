using CouponKit.Samples.WebShop.Contracts;

namespace CouponKit.Samples.WebShop.Endpoints;

/// <summary>Checks a cart's shape and sizes before any work, then builds the core's <see cref="Cart"/> (which checks the amounts).</summary>
internal static class Carts
{
    public const int MaxCategories = 20;

    public static void Check(CartBody? cart, int maxLines, Errors errors, string prefix = "cart")
    {
        if (cart is null)
        {
            errors.Add(prefix, "is required.");
            return;
        }

        if (string.IsNullOrWhiteSpace(cart.Currency) || cart.Currency.Length != 3)
        {
            errors.Add(prefix + ".currency", "must be a three-letter ISO 4217 code.");
        }

        if (cart.Lines is null || cart.Lines.Count == 0 || cart.Lines.Count > maxLines)
        {
            errors.Add(prefix + ".lines", $"must have 1 to {maxLines} lines, got {cart.Lines?.Count ?? 0}.");
            return;
        }

        if (cart.ShopId is not null && !Security.ShopClaims.IsValidMerchantId(cart.ShopId))
        {
            errors.Add(prefix + ".shopId", "must be a merchant id: 1 to 40 letters, digits, '_' or '-'.");
        }

        if (cart.ShippingFee < 0)
        {
            errors.Add(prefix + ".shippingFee", "must be zero or more.");
        }

        for (var i = 0; i < cart.Lines.Count; i++)
        {
            var line = cart.Lines[i];
            var at = $"{prefix}.lines[{i}]";
            if (line is null)
            {
                errors.Add(at, "must not be null.");
                continue;
            }

            errors.Identifier(at + ".lineId", line.LineId);
            errors.Identifier(at + ".sku", line.Sku);
            if (line.UnitPrice < 0)
            {
                errors.Add(at + ".unitPrice", "must be zero or more.");
            }

            if (line.Quantity is < 1 or > CartLine.MaxQuantity)
            {
                errors.Add(at + ".quantity", $"must be 1 to {CartLine.MaxQuantity}.");
            }

            if (line.Categories is { Count: > MaxCategories })
            {
                errors.Add(at + ".categories", $"must have at most {MaxCategories} items.");
            }
            else if (line.Categories is not null)
            {
                for (var c = 0; c < line.Categories.Count; c++)
                {
                    errors.Identifier($"{at}.categories[{c}]", line.Categories[c]);
                }
            }

            if (line.Brand is not null)
            {
                errors.Identifier(at + ".brand", line.Brand);
            }
        }
    }

    public static Cart Build(CartBody cart, string userId, DateTimeOffset at)
    {
        var currency = cart.Currency!.ToUpperInvariant();
        var lines = cart.Lines!.Select(l => new CartLine(l.LineId!, l.Sku!, Money.Of(l.UnitPrice, currency), l.Quantity, l.Categories, l.Brand));
        return new Cart(userId, lines, Money.Of(cart.ShippingFee, currency), at) { ShopId = cart.ShopId };
    }
}
