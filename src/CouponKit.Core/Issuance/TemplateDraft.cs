using CouponKit.Rules;

namespace CouponKit.Issuance;

/// <summary>What a merchant fills in to create a coupon template (a batch). Checked when the template is created.</summary>
public sealed record TemplateDraft
{
    /// <summary>Gets the template id, or <see langword="null"/> to have one generated.</summary>
    public string? Id { get; init; }

    /// <summary>Gets the name shown to users.</summary>
    public required string Name { get; init; }

    /// <summary>Gets what the coupons give.</summary>
    public required DiscountRule Rule { get; init; }

    /// <summary>Gets the lines the coupons apply to.</summary>
    /// <value>The default value is <see cref="CouponScope.Storewide"/>.</value>
    public CouponScope Scope { get; init; } = CouponScope.Storewide;

    /// <summary>Gets how the coupons combine with others.</summary>
    /// <value>The default value is <see cref="StackingPolicy.Default"/>.</value>
    public StackingPolicy Stacking { get; init; } = StackingPolicy.Default;

    /// <summary>Gets who funds the coupons.</summary>
    /// <value>The default value is <see cref="CouponIssuer.Shop"/>.</value>
    public CouponIssuer Issuer { get; init; } = CouponIssuer.Shop;

    /// <summary>Gets the number of coupons that may ever be issued: 1 to 100,000,000.</summary>
    public required int TotalInventory { get; init; }

    /// <summary>Gets when the coupons may be used.</summary>
    public required CouponValidity Validity { get; init; }

    /// <summary>Gets when claims open, or <see langword="null"/> for as soon as the template is active.</summary>
    public DateTimeOffset? ClaimStartsAt { get; init; }

    /// <summary>Gets when claims close (exclusive), or <see langword="null"/> for never.</summary>
    public DateTimeOffset? ClaimEndsAt { get; init; }

    /// <summary>Gets how many coupons of the template one user may hold: 1 to 1,000.</summary>
    /// <value>The default value is 1.</value>
    public int PerUserLimit { get; init; } = 1;

    /// <summary>
    /// Gets which coupons count against <see cref="PerUserLimit"/>: every coupon ever claimed, or only those still active, so that
    /// a user may claim again once theirs was used or lapsed.
    /// </summary>
    /// <value>The default value is <see cref="Issuance.PerUserLimitCounts.EveryClaim"/>.</value>
    public PerUserLimitCounts PerUserLimitCounts { get; init; }

    /// <summary>Gets who <see cref="PerUserLimit"/> is counted for: the account, or the verified identity key the shop supplies with each claim.</summary>
    /// <value>The default value is <see cref="Issuance.PerUserLimitKey.Account"/>.</value>
    public PerUserLimitKey PerUserLimitKey { get; init; }

    /// <summary>
    /// Gets a value indicating whether the coupons apply only to the user's first paid order: a user with a paid order
    /// (<see cref="Ports.IOrderHistory"/>) is told <see cref="RejectionCode.NotFirstOrder"/> at quote and refused at Try.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool FirstOrderOnly { get; init; }

    /// <summary>
    /// Gets a value indicating whether a product gets this template's discount at most once per user: a coupon of the template
    /// does not apply to a cart with a line in its scope whose SKU a coupon of the same template already discounted for the
    /// user, in an order locked (and not released) or paid (<see cref="Ports.IProductDiscountHistory"/>).
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool OncePerProduct { get; init; }

    /// <summary>Gets who may claim.</summary>
    /// <value>The default value is <see cref="Audience.Everyone"/>.</value>
    public Audience Audience { get; init; } = Audience.Everyone;

    /// <summary>Gets the member points a claim costs; 0 for free.</summary>
    /// <value>The default value is 0.</value>
    public long ClaimCostPoints { get; init; }

    /// <summary>Gets the channels through which the coupons reach users.</summary>
    /// <value>The default value is <see cref="ClaimChannels.All"/>.</value>
    public ClaimChannels Channels { get; init; } = ClaimChannels.All;

    /// <summary>
    /// Gets what one claim gives: a coupon with <see cref="Rule"/> (the default), a red envelope, points, a lucky coupon or a
    /// share of a split red envelope. For red envelopes and points the rule is not used at checkout.
    /// </summary>
    /// <value>The default value is <see cref="Benefits.Benefit.Coupon"/>.</value>
    public Benefits.Benefit Benefit { get; init; } = Benefits.Benefit.Coupon;

    /// <summary>
    /// Gets the owner of the template, of its promo codes and of its statistics: a merchant id, or
    /// <see cref="Security.CouponOwner.Platform"/>. Merchant operations (<see cref="CouponTemplates"/> with a
    /// <see cref="Security.MerchantActor"/>) set it to the acting merchant; only that owner may read or change the template.
    /// </summary>
    /// <value>The default value is <see cref="Security.CouponOwner.Platform"/>, the owner used by single-shop hosts.</value>
    public string OwnerId { get; init; } = Security.CouponOwner.Platform;
}
