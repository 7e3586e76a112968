namespace CouponKit.Rules;

/// <summary>
/// What the user's order history says about a coupon's eligibility, read from the ports before the quote and given to the
/// rule engine as data (the engine stays pure and synchronous). Built by <see cref="Issuance.CouponTemplate.ToCoupon(Issuance.IssuedCoupon, bool, IReadOnlyCollection{string})"/>.
/// </summary>
public sealed class CouponEligibility
{
    /// <summary>Gets eligibility without restrictions: the default of every coupon.</summary>
    public static CouponEligibility Unrestricted { get; } = new();

    /// <summary>Gets a value indicating whether the coupon applies only to the holder's first paid order.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool FirstOrderOnly { get; init; }

    /// <summary>Gets a value indicating whether the holder already has a paid order; with <see cref="FirstOrderOnly"/> the coupon is rejected as <see cref="RejectionCode.NotFirstOrder"/>.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool HolderHasPaidOrder { get; init; }

    /// <summary>Gets a value indicating whether a product gets the coupon's template's discount at most once per holder.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool OncePerProduct { get; init; }

    /// <summary>
    /// Gets the SKUs coupons of the same template already discounted for the holder; with <see cref="OncePerProduct"/> a cart
    /// line in the coupon's scope (or rewarded by it) with one of these SKUs makes the coupon
    /// <see cref="RejectionCode.ProductAlreadyDiscounted"/>.
    /// </summary>
    /// <value>The default value is empty.</value>
    public IReadOnlyCollection<string> DiscountedProducts { get; init; } = [];
}
