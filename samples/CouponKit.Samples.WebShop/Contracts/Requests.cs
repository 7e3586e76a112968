using CouponKit.Issuance;
using CouponKit.Rules;

namespace CouponKit.Samples.WebShop.Contracts;

/// <summary>A shopper claims a coupon of a template. The idempotency key comes in the <c>Idempotency-Key</c> header.</summary>
/// <param name="TemplateId">The template.</param>
public sealed record ClaimBody(string? TemplateId);

/// <summary>One line of a cart; amounts in the cart's currency.</summary>
/// <param name="LineId">The line id, unique in the cart.</param>
/// <param name="Sku">The product.</param>
/// <param name="UnitPrice">The unit price.</param>
/// <param name="Quantity">The quantity.</param>
/// <param name="Categories">The product's categories (coupon scopes match them).</param>
/// <param name="Brand">The product's brand.</param>
public sealed record CartLineBody(string? LineId, string? Sku, decimal UnitPrice, int Quantity, IReadOnlyList<string>? Categories = null, string? Brand = null);

/// <summary>A cart, priced in one currency.</summary>
/// <param name="Currency">The ISO 4217 currency code.</param>
/// <param name="Lines">The lines.</param>
/// <param name="ShippingFee">The shipping fee.</param>
/// <param name="ShopId">The shop (merchant) the order is placed with: only its coupons and platform coupons are accepted; none for every coupon.</param>
public sealed record CartBody(string? Currency, IReadOnlyList<CartLineBody>? Lines, decimal ShippingFee = 0m, string? ShopId = null);

/// <summary>A shopper asks for the best combination of their coupons for a cart.</summary>
/// <param name="Cart">The cart.</param>
/// <param name="CouponIds">Only these of the shopper's coupons, or every available one when <see langword="null"/>.</param>
public sealed record QuoteBody(CartBody? Cart, IReadOnlyList<string>? CouponIds = null);

/// <summary>An order locks coupons (TCC Try).</summary>
/// <param name="CouponIds">The coupons.</param>
/// <param name="Cart">The order's cart: when given, the coupons are checked against it first and the discounts are recorded for statistics.</param>
public sealed record LockBody(IReadOnlyList<string>? CouponIds, CartBody? Cart = null);

/// <summary>An order is cancelled (TCC Cancel).</summary>
/// <param name="CouponIds">The coupons the order meant to lock (so that a late Try is refused), or those it locked when <see langword="null"/>.</param>
/// <param name="Reason">Why, for the audit trail: at most 200 characters.</param>
public sealed record CancelBody(IReadOnlyList<string>? CouponIds = null, string? Reason = null);

/// <summary>What a coupon gives. Which fields apply depends on <see cref="Kind"/>.</summary>
/// <param name="Kind">ThresholdRebate (threshold, off), FixedAmount (off, threshold?), PercentOff (percent, cap?, threshold?) or FreeShipping (threshold?, cap?).</param>
/// <param name="Threshold">The spend the coupon needs.</param>
/// <param name="Off">The amount off.</param>
/// <param name="Percent">The percentage off: more than 0, at most 100.</param>
/// <param name="Cap">The most the coupon gives.</param>
public sealed record RuleBody(RuleKind Kind, decimal? Threshold = null, decimal? Off = null, decimal? Percent = null, decimal? Cap = null);

/// <summary>A merchant creates a template, owned by the token's merchant. The id is generated.</summary>
/// <param name="Name">The name shown to shoppers.</param>
/// <param name="Currency">The currency of the rule's amounts.</param>
/// <param name="Rule">What the coupons give.</param>
/// <param name="TotalInventory">How many coupons may ever be issued.</param>
/// <param name="PerUserLimit">How many one shopper may hold.</param>
/// <param name="ValidDays">Coupons are valid this many days after the claim (or give <paramref name="ValidFrom"/> and <paramref name="ValidUntil"/>).</param>
/// <param name="ValidFrom">Start of a fixed validity window.</param>
/// <param name="ValidUntil">End (exclusive) of a fixed validity window.</param>
/// <param name="ClaimStartsAt">When claims open.</param>
/// <param name="ClaimEndsAt">When claims close.</param>
/// <param name="Activate">Whether to open the template for claims at once.</param>
public sealed record CreateTemplateBody(
    string? Name,
    string? Currency,
    RuleBody? Rule,
    int TotalInventory,
    int PerUserLimit = 1,
    int? ValidDays = null,
    DateTimeOffset? ValidFrom = null,
    DateTimeOffset? ValidUntil = null,
    DateTimeOffset? ClaimStartsAt = null,
    DateTimeOffset? ClaimEndsAt = null,
    bool Activate = true);

/// <summary>A merchant creates promo codes for one of their templates.</summary>
/// <param name="Count">How many codes: 1 to 1,000.</param>
/// <param name="MaxRedemptionsPerCode">How many users may redeem each code (1 for single-use codes).</param>
public sealed record PromoCodesBody(int Count, int MaxRedemptionsPerCode = 1);

/// <summary>A merchant changes a template's total inventory.</summary>
/// <param name="TotalInventory">The new total (not below what was issued).</param>
public sealed record InventoryBody(int TotalInventory);

/// <summary>A merchant moves a template through its life.</summary>
public enum TemplateAction
{
    /// <summary>Open a draft for claims.</summary>
    Activate,

    /// <summary>Pause claims.</summary>
    Pause,

    /// <summary>Resume claims.</summary>
    Resume,

    /// <summary>End the template for good.</summary>
    End,
}

/// <summary>A merchant's change of state.</summary>
/// <param name="Action">The action.</param>
public sealed record TemplateStateBody(TemplateAction Action);

/// <summary>The answer of the development token endpoint.</summary>
/// <param name="Subject">The subject.</param>
/// <param name="Role">user or merchant.</param>
/// <param name="MerchantId">The merchant, for merchant tokens.</param>
public sealed record DevTokenBody(string? Subject, string? Role, string? MerchantId = null);

/// <summary>The channels a template issues through, for the response.</summary>
public static class ChannelNames
{
    /// <summary>Names the channels of a template.</summary>
    /// <param name="channels">The channels.</param>
    /// <returns>The names.</returns>
    public static string[] Of(ClaimChannels channels) =>
        Enum.GetValues<ClaimChannels>().Where(c => c is not (ClaimChannels.None or ClaimChannels.All) && channels.HasFlag(c)).Select(c => c.ToString()).ToArray();
}
