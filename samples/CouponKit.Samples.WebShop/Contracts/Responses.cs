using CouponKit.Issuance;
using CouponKit.Redemption;
using CouponKit.Rules;
using CouponKit.Statistics;

namespace CouponKit.Samples.WebShop.Contracts;

/// <summary>A coupon in a shopper's wallet.</summary>
/// <param name="CouponId">The coupon.</param>
/// <param name="TemplateId">Its template.</param>
/// <param name="Name">The template's name, when known.</param>
/// <param name="State">Available, Locked, Used or Expired.</param>
/// <param name="ValidFrom">The first moment it may be used.</param>
/// <param name="ValidUntil">When it expires (exclusive).</param>
/// <param name="OrderId">The order that locked or used it.</param>
public sealed record CouponView(string CouponId, string TemplateId, string? Name, CouponState State, DateTimeOffset ValidFrom, DateTimeOffset ValidUntil, string? OrderId)
{
    /// <summary>Creates the view of a coupon.</summary>
    /// <param name="coupon">The coupon.</param>
    /// <param name="name">The template's name.</param>
    /// <returns>The view.</returns>
    public static CouponView Of(IssuedCoupon coupon, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(coupon);
        return new(coupon.CouponId, coupon.TemplateId, name, coupon.State, coupon.ValidFrom, coupon.ValidUntil, coupon.OrderId);
    }
}

/// <summary>The answer to a claim.</summary>
/// <param name="Coupon">The coupon issued.</param>
/// <param name="IsReplay">Whether an earlier request with the same key issued it.</param>
public sealed record ClaimView(CouponView Coupon, bool IsReplay);

/// <summary>A discount allocated to one cart line.</summary>
/// <param name="LineId">The line.</param>
/// <param name="Amount">The amount.</param>
public sealed record AllocationView(string LineId, decimal Amount);

/// <summary>A coupon applied by the best combination.</summary>
/// <param name="CouponId">The coupon.</param>
/// <param name="TemplateId">Its template.</param>
/// <param name="Kind">Its rule.</param>
/// <param name="Discount">The discount it gives.</param>
/// <param name="ShippingDiscount">The part of it off the shipping fee.</param>
/// <param name="Allocations">Its discount per line; they sum to the lines' part of it.</param>
public sealed record AppliedView(string CouponId, string? TemplateId, RuleKind Kind, decimal Discount, decimal ShippingDiscount, IReadOnlyList<AllocationView> Allocations);

/// <summary>Why a coupon does not apply.</summary>
/// <param name="CouponId">The coupon.</param>
/// <param name="Code">The reason.</param>
/// <param name="Message">The reason in words ("spend CNY 12.30 more").</param>
/// <param name="Shortfall">How much more to spend, for a threshold.</param>
public sealed record RejectionView(string CouponId, RejectionCode Code, string Message, decimal? Shortfall);

/// <summary>A cart line after the discounts.</summary>
/// <param name="LineId">The line.</param>
/// <param name="Amount">Its amount before discounts.</param>
/// <param name="Discount">Its discount.</param>
/// <param name="Payable">What is paid for it.</param>
public sealed record QuoteLineView(string LineId, decimal Amount, decimal Discount, decimal Payable);

/// <summary>The best combination of a shopper's coupons for a cart.</summary>
/// <param name="Currency">The currency.</param>
/// <param name="Subtotal">The lines' total.</param>
/// <param name="ShippingFee">The shipping fee.</param>
/// <param name="TotalDiscount">The discount.</param>
/// <param name="Payable">What is paid.</param>
/// <param name="Applied">The coupons applied.</param>
/// <param name="Rejected">The others, with reasons.</param>
/// <param name="Lines">The lines.</param>
/// <param name="IsProvenOptimal">False only if the search's node budget ran out.</param>
public sealed record QuoteView(
    string Currency,
    decimal Subtotal,
    decimal ShippingFee,
    decimal TotalDiscount,
    decimal Payable,
    IReadOnlyList<AppliedView> Applied,
    IReadOnlyList<RejectionView> Rejected,
    IReadOnlyList<QuoteLineView> Lines,
    bool IsProvenOptimal)
{
    /// <summary>Creates the view of a quote.</summary>
    /// <param name="quote">The quote.</param>
    /// <returns>The view.</returns>
    public static QuoteView Of(Quote quote)
    {
        ArgumentNullException.ThrowIfNull(quote);
        return new(
            quote.Currency.Code,
            quote.Subtotal.Amount,
            quote.ShippingFee.Amount,
            quote.TotalDiscount.Amount,
            quote.Payable.Amount,
            quote.Applied.Select(a => new AppliedView(a.CouponId, a.TemplateId, a.Kind, a.Discount.Amount, a.ShippingDiscount.Amount, a.Allocations.Select(x => new AllocationView(x.LineId, x.Amount.Amount)).ToArray())).ToArray(),
            quote.Rejected.Select(r => new RejectionView(r.CouponId, r.Code, r.Message, r.Shortfall?.Amount)).ToArray(),
            quote.Lines.Select(l => new QuoteLineView(l.LineId, l.Amount.Amount, l.Discount.Amount, l.Payable.Amount)).ToArray(),
            quote.IsProvenOptimal);
    }
}

/// <summary>The answer to a TCC step.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="Status">Locked, Confirmed, Released or AlreadyDone.</param>
/// <param name="Message">In words.</param>
/// <param name="Coupons">The coupons after the step.</param>
public sealed record RedemptionView(string OrderId, RedemptionStatus Status, string Message, IReadOnlyList<CouponView> Coupons);

/// <summary>A template, as its merchant sees it.</summary>
/// <param name="Id">The id.</param>
/// <param name="Name">The name.</param>
/// <param name="State">Draft, Active, Paused or Ended.</param>
/// <param name="Version">Raised by one at every change.</param>
/// <param name="Kind">The rule.</param>
/// <param name="Rule">The rule in words.</param>
/// <param name="Validity">When the coupons may be used, in words.</param>
/// <param name="TotalInventory">How many may ever be issued.</param>
/// <param name="Issued">How many were issued.</param>
/// <param name="Remaining">How many may still be issued.</param>
/// <param name="PerUserLimit">How many one shopper may hold.</param>
/// <param name="Channels">How the coupons reach shoppers.</param>
public sealed record TemplateView(string Id, string Name, TemplateState State, long Version, RuleKind Kind, string Rule, string Validity, int TotalInventory, int Issued, int Remaining, int PerUserLimit, IReadOnlyList<string> Channels)
{
    /// <summary>Creates the view of a template.</summary>
    /// <param name="template">The template.</param>
    /// <param name="stock">Its inventory.</param>
    /// <returns>The view.</returns>
    public static TemplateView Of(CouponTemplate template, Ports.TemplateStock stock)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(stock);
        return new(template.Id, template.Name, template.State, template.Version, template.Rule.Kind, template.Rule.ToString() ?? string.Empty, template.Validity.ToString(), stock.Total, stock.Issued, stock.Remaining, template.PerUserLimit, ChannelNames.Of(template.Channels));
    }
}

/// <summary>A template's statistics.</summary>
/// <param name="TemplateId">The template.</param>
/// <param name="Issued">Coupons issued.</param>
/// <param name="Available">Coupons available in wallets.</param>
/// <param name="Locked">Coupons locked by unpaid orders.</param>
/// <param name="Used">Coupons used.</param>
/// <param name="Expired">Coupons expired.</param>
/// <param name="LocksTaken">Locks taken, released ones included.</param>
/// <param name="Released">Locks released.</param>
/// <param name="DiscountGranted">The discount granted by used coupons, per currency code.</param>
public sealed record StatisticsView(string TemplateId, int Issued, int Available, int Locked, int Used, int Expired, int LocksTaken, int Released, IReadOnlyDictionary<string, decimal> DiscountGranted)
{
    /// <summary>Creates the view of a template's statistics.</summary>
    /// <param name="s">The statistics.</param>
    /// <returns>The view.</returns>
    public static StatisticsView Of(TemplateStatistics s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new(s.TemplateId, s.Issued, s.Available, s.Locked, s.Used, s.Expired, s.LocksTaken, s.Released, s.DiscountGranted.ToDictionary(m => m.Currency.Code, m => m.Amount, StringComparer.Ordinal));
    }
}

/// <summary>A minted development token.</summary>
/// <param name="Token">The bearer token.</param>
public sealed record TokenView(string Token);

/// <summary>Promo codes just created: shown this once (only their keyed hashes are stored).</summary>
/// <param name="TemplateId">The template whose coupon they give.</param>
/// <param name="Codes">The codes, in canonical form.</param>
public sealed record PromoCodesView(string TemplateId, IReadOnlyList<string> Codes);

/// <summary>One entry of the audit trail.</summary>
/// <param name="ActorId">Who acted (the merchant token's subject).</param>
/// <param name="Action">What was done.</param>
/// <param name="SubjectKind">The kind of resource.</param>
/// <param name="SubjectId">The resource.</param>
/// <param name="At">When.</param>
/// <param name="Changes">The values that changed, old and new.</param>
public sealed record AuditEntryView(string ActorId, string Action, string SubjectKind, string SubjectId, DateTimeOffset At, IReadOnlyList<AuditChangeView> Changes)
{
    /// <summary>Creates the view of an entry.</summary>
    /// <param name="entry">The entry.</param>
    /// <returns>The view.</returns>
    public static AuditEntryView Of(Ports.AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new(entry.ActorId, entry.Action, entry.SubjectKind, entry.SubjectId, entry.At, entry.Changes.Select(c => new AuditChangeView(c.Field, c.OldValue, c.NewValue)).ToArray());
    }
}

/// <summary>One value that changed.</summary>
/// <param name="Field">The field.</param>
/// <param name="OldValue">The value before.</param>
/// <param name="NewValue">The value after.</param>
public sealed record AuditChangeView(string Field, string? OldValue, string? NewValue);
