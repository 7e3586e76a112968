namespace CouponKit.Ports;

/// <summary>
/// The user's order history, from the shop's order service: read at quote and at Try for coupons that apply only to a first
/// order (<see cref="Issuance.CouponTemplate.FirstOrderOnly"/>). Implemented by the shop; the in-memory default knows only the
/// payments it is told of.
/// </summary>
public interface IOrderHistory
{
    /// <summary>Tells whether the user has at least one paid order (refunded orders count as paid, by the shop's own definition if it says otherwise).</summary>
    /// <param name="userId">The user.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when the user has a paid order, so a first-order-only coupon no longer applies.</returns>
    Task<bool> HasPaidOrderAsync(string userId, CancellationToken cancellationToken);
}
