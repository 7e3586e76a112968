namespace CouponKit.Rules;

/// <summary>Who funds a coupon. Shop coupons apply before platform coupons, so a platform coupon stacks on top of a shop coupon.</summary>
public enum CouponIssuer
{
    /// <summary>The shop (merchant) funds the coupon.</summary>
    Shop,

    /// <summary>The platform (marketplace) funds the coupon.</summary>
    Platform,
}

/// <summary>
/// How a coupon combines with others.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>An <see cref="Exclusive"/> coupon combines with nothing.</item>
/// <item>At most one coupon of each <see cref="Group"/> is used in one order. A coupon with no group set belongs to the
/// default group of its issuer and kind: <c>shop-item</c>/<c>platform-item</c> (buy X get Y), <c>shop-order</c>/<c>platform-order</c>
/// (rebates, fixed amounts, percentages), <c>shop-shipping</c>/<c>platform-shipping</c>, <c>shop-gift</c>/<c>platform-gift</c>.
/// So by default one shop coupon and one platform coupon stack, plus one free-shipping coupon and one gift of each.</item>
/// <item><see cref="Priority"/> orders coupons of the same stage: higher first.</item>
/// </list>
/// </remarks>
public sealed class StackingPolicy
{
    /// <summary>Gets the default policy: not exclusive, the default group, priority 0.</summary>
    public static StackingPolicy Default { get; } = new();

    /// <summary>Gets a value indicating whether the coupon combines with no other coupon.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Exclusive { get; init; }

    /// <summary>Gets the stacking group: at most one coupon per group is used in one order.</summary>
    /// <value>The default value is <see langword="null"/>: the default group of the coupon's issuer and kind.</value>
    public string? Group { get; init; }

    /// <summary>Gets the priority among coupons of the same application stage: higher applies first.</summary>
    /// <value>The default value is 0.</value>
    public int Priority { get; init; }

    /// <summary>A policy for an exclusive coupon.</summary>
    /// <returns>The policy.</returns>
    public static StackingPolicy ExclusiveCoupon() => new() { Exclusive = true };

    /// <summary>A policy that puts the coupon in a named group.</summary>
    /// <param name="group">The group.</param>
    /// <param name="priority">The priority.</param>
    /// <returns>The policy.</returns>
    public static StackingPolicy InGroup(string group, int priority = 0) => new() { Group = group, Priority = priority };
}
