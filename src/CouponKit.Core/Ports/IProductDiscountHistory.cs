namespace CouponKit.Ports;

/// <summary>
/// Which products (SKUs) each template's coupons discounted for each user, for templates that discount a product at most once
/// per user (<see cref="Issuance.CouponTemplate.OncePerProduct"/>). A product is taken by an order at Try (so two unpaid orders
/// cannot both have it), stays taken when the order is paid (Confirm), and is given back when the order is released (Cancel or
/// lock timeout). Every method is atomic.
/// </summary>
public interface IProductDiscountHistory
{
    /// <summary>Lists the SKUs coupons of a template discounted (or hold for an unpaid order) for a user.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="templateId">The template.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The SKUs.</returns>
    Task<IReadOnlyCollection<string>> ListDiscountedAsync(string userId, string templateId, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the products for an order, all or none: when a product of a template is already taken for the user by another
    /// order, nothing is taken and that product is returned. Taking again what the same order holds changes nothing.
    /// </summary>
    /// <param name="userId">The user who owns the order.</param>
    /// <param name="orderId">The order.</param>
    /// <param name="products">The SKUs to take, per template.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="null"/> when every product was taken; else the first conflicting one.</returns>
    Task<ProductDiscountConflict?> TryTakeAsync(string userId, string orderId, IReadOnlyList<ProductDiscountClaim> products, CancellationToken cancellationToken);

    /// <summary>Gives back every product the order holds (the order was released). Releasing an order that holds nothing changes nothing.</summary>
    /// <param name="userId">The user who owns the order.</param>
    /// <param name="orderId">The order.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when released.</returns>
    Task ReleaseAsync(string userId, string orderId, CancellationToken cancellationToken);
}

/// <summary>The products an order means to discount with a template's coupon.</summary>
/// <param name="TemplateId">The template.</param>
/// <param name="Skus">The SKUs.</param>
public sealed record ProductDiscountClaim(string TemplateId, IReadOnlyList<string> Skus);

/// <summary>A product a template already discounted for the user in another order.</summary>
/// <param name="TemplateId">The template.</param>
/// <param name="Sku">The SKU.</param>
public sealed record ProductDiscountConflict(string TemplateId, string Sku);
