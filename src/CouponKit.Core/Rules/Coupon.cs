namespace CouponKit.Rules;

/// <summary>
/// A coupon the user holds, as the rule engine sees it: what it gives (<see cref="Rule"/>), on which lines (<see cref="Scope"/>),
/// how it combines (<see cref="Stacking"/>) and when it is valid.
/// </summary>
/// <remarks>A coupon is checked when it is quoted; an invalid one throws <see cref="InvalidCouponException"/>.</remarks>
public sealed class Coupon
{
    private string? _holderId;

    /// <summary>Gets the coupon's identifier, unique among the coupons of one quote.</summary>
    public required string Id { get; init; }

    /// <summary>Gets what the coupon gives.</summary>
    public required DiscountRule Rule { get; init; }

    /// <summary>Gets the lines the coupon applies to.</summary>
    /// <value>The default value is <see cref="CouponScope.Storewide"/>.</value>
    public CouponScope Scope { get; init; } = CouponScope.Storewide;

    /// <summary>Gets how the coupon combines with others.</summary>
    /// <value>The default value is <see cref="StackingPolicy.Default"/>.</value>
    public StackingPolicy Stacking { get; init; } = StackingPolicy.Default;

    /// <summary>Gets who funds the coupon; shop coupons apply before platform coupons.</summary>
    /// <value>The default value is <see cref="CouponIssuer.Shop"/>.</value>
    public CouponIssuer Issuer { get; init; } = CouponIssuer.Shop;

    /// <summary>Gets the first moment the coupon may be used, or <see langword="null"/> for no start.</summary>
    public DateTimeOffset? ValidFrom { get; init; }

    /// <summary>Gets the moment the coupon expires (exclusive), or <see langword="null"/> for no end.</summary>
    public DateTimeOffset? ValidUntil { get; init; }

    /// <summary>Gets the coupon's display name, if any.</summary>
    public string? Name { get; init; }

    /// <summary>Gets the template (batch) the coupon was issued from, if any.</summary>
    public string? TemplateId { get; init; }

    /// <summary>
    /// Gets the user who holds the coupon, or <see langword="null"/> when the caller vouches for it. When set, a quote or
    /// validation for another user's cart never applies the coupon: it is rejected as <see cref="RejectionCode.NotFound"/>,
    /// exactly like an unknown coupon.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? HolderId
    {
        get => _holderId;
        init => _holderId = value;
    }

    /// <summary>
    /// Gets what the holder's order history says about the coupon's eligibility (first order only, once per product), read before
    /// the quote; the engine rejects the coupon with <see cref="RejectionCode.NotFirstOrder"/> or
    /// <see cref="RejectionCode.ProductAlreadyDiscounted"/> from it.
    /// </summary>
    /// <value>The default value is <see cref="CouponEligibility.Unrestricted"/>.</value>
    public CouponEligibility Eligibility { get; init; } = CouponEligibility.Unrestricted;

    /// <summary>Gets the stacking group the coupon belongs to: <see cref="StackingPolicy.Group"/> or the default group of its issuer and rule level.</summary>
    public string EffectiveGroup => Stacking?.Group ?? DefaultGroup(Issuer, Rule?.Level ?? RuleLevel.Order);

    /// <summary>Binds a coupon just built from storage to its holder.</summary>
    internal void BindHolder(string userId) => _holderId = userId;

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Id) || Id.Length > CartLine.MaxIdentifierLength)
        {
            throw new InvalidCouponException(null, "a coupon id must be 1 to 128 characters and not blank.");
        }

        if (Rule is null)
        {
            throw new InvalidCouponException(Id, "the coupon has no rule.");
        }

        if (Scope is null)
        {
            throw new InvalidCouponException(Id, "the coupon has no scope; use CouponScope.Storewide.");
        }

        if (Stacking is null)
        {
            throw new InvalidCouponException(Id, "the coupon has no stacking policy; use StackingPolicy.Default.");
        }

        if (Stacking.Group is { } group && (string.IsNullOrWhiteSpace(group) || group.Length > CartLine.MaxIdentifierLength))
        {
            throw new InvalidCouponException(Id, "the stacking group must be 1 to 128 characters and not blank.");
        }

        if (Eligibility is null || Eligibility.DiscountedProducts is null)
        {
            throw new InvalidCouponException(Id, "the coupon has no eligibility; use CouponEligibility.Unrestricted.");
        }

        if (!Enum.IsDefined(Issuer))
        {
            throw new InvalidCouponException(Id, $"unknown issuer {(int)Issuer}.");
        }

        if (ValidFrom is { } from && ValidUntil is { } until && until <= from)
        {
            throw new InvalidCouponException(Id, $"the coupon expires ({until:O}) before or when it starts ({from:O}).");
        }
    }

    private static string DefaultGroup(CouponIssuer issuer, RuleLevel level)
    {
        var who = issuer == CouponIssuer.Platform ? "platform" : "shop";
        return level switch
        {
            RuleLevel.Item => who + "-item",
            RuleLevel.Shipping => who + "-shipping",
            RuleLevel.Gift => who + "-gift",
            _ => who + "-order",
        };
    }
}
