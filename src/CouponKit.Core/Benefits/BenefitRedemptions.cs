using CouponKit.Issuance;
using CouponKit.Ports;
using CouponKit.Redemption;
using CouponKit.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CouponKit.Benefits;

/// <summary>Why a benefit was not redeemed.</summary>
public enum BenefitRedemptionRefusal
{
    /// <summary>No refusal.</summary>
    None,

    /// <summary>The coupon does not exist, or belongs to another user (the two are not told apart).</summary>
    NotFound,

    /// <summary>The coupon's benefit is not credited on redemption (it is a coupon, points, or credited on claim).</summary>
    NotRedeemable,

    /// <summary>The coupon is locked, used by an order, or expired.</summary>
    NotAvailable,

    /// <summary>The coupon is outside its validity window.</summary>
    OutsideValidity,
}

/// <summary>The outcome of <see cref="BenefitRedemptions.RedeemAsync"/>.</summary>
/// <param name="Refusal">Why nothing was credited, or <see cref="BenefitRedemptionRefusal.None"/>.</param>
/// <param name="Amount">The cash credited (now or by an earlier redemption).</param>
/// <param name="IsReplay">Whether an earlier redemption of the same coupon already credited it.</param>
public sealed record BenefitRedemptionResult(BenefitRedemptionRefusal Refusal, Money? Amount, bool IsReplay)
{
    /// <summary>Gets a value indicating whether the cash is credited.</summary>
    public bool IsCredited => Refusal == BenefitRedemptionRefusal.None;
}

/// <summary>
/// Redeems (opens) red envelopes credited on redemption (<see cref="CreditTiming.OnRedeem"/>): the coupon moves Available →
/// Locked → Used through the TCC store under the order id <c>benefit:{couponId}</c>, then its cash is credited to the wallet
/// with the key <c>benefit:{couponId}</c>. Repeating a redemption repeats the (idempotent) credit and changes nothing else, so
/// a caller that saw a failure retries until it succeeds.
/// </summary>
public sealed class BenefitRedemptions
{
    private readonly ITemplateStore _templates;
    private readonly ICouponStore _coupons;
    private readonly IRedemptionStore _redemptions;
    private readonly BenefitCrediter _crediter;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="BenefitRedemptions"/> class.</summary>
    /// <param name="templates">The template store.</param>
    /// <param name="coupons">The coupon store.</param>
    /// <param name="redemptions">The TCC store.</param>
    /// <param name="wallet">The wallet.</param>
    /// <param name="points">The points ledger.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">The logger.</param>
    public BenefitRedemptions(ITemplateStore templates, ICouponStore coupons, IRedemptionStore redemptions, IWalletLedger wallet, IPointsLedger points, TimeProvider time, ILogger<BenefitRedemptions>? logger = null)
    {
        _templates = templates ?? throw new ArgumentNullException(nameof(templates));
        _coupons = coupons ?? throw new ArgumentNullException(nameof(coupons));
        _redemptions = redemptions ?? throw new ArgumentNullException(nameof(redemptions));
        _crediter = new BenefitCrediter(points ?? throw new ArgumentNullException(nameof(points)), wallet ?? throw new ArgumentNullException(nameof(wallet)));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Redeems a red envelope and credits its cash.</summary>
    /// <param name="couponId">The coupon.</param>
    /// <param name="userId">The user who holds it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The cash credited, or why nothing was.</returns>
    /// <exception cref="ArgumentException">An id is malformed.</exception>
    public async Task<BenefitRedemptionResult> RedeemAsync(string couponId, string userId, CancellationToken cancellationToken = default)
    {
        Guard.Identifier(couponId, nameof(couponId));
        Guard.Identifier(userId, nameof(userId));
        var coupon = await _coupons.FindAsync(couponId, cancellationToken).ConfigureAwait(false);
        if (coupon is null || !string.Equals(coupon.UserId, userId, StringComparison.Ordinal))
        {
            return new(BenefitRedemptionRefusal.NotFound, null, false);
        }

        var template = await _templates.FindAsync(coupon.TemplateId, cancellationToken).ConfigureAwait(false);
        if (template is null || !IsRedeemable(template.Benefit))
        {
            return new(BenefitRedemptionRefusal.NotRedeemable, null, false);
        }

        var orderId = "benefit:" + couponId;
        var now = _time.GetUtcNow();
        var locked = await _redemptions.ExecuteAsync(new RedemptionCommand(TccPhase.Try, orderId, userId, [couponId], now), cancellationToken).ConfigureAwait(false);
        if (!locked.Succeeded && locked.Refusal != RedemptionRefusal.OrderConfirmed)
        {
            return new(Map(locked.Refusal), null, false);
        }

        var confirmed = await _redemptions.ExecuteAsync(new RedemptionCommand(TccPhase.Confirm, orderId, userId, [], now), cancellationToken).ConfigureAwait(false);
        if (!confirmed.Succeeded)
        {
            return new(Map(confirmed.Refusal), null, false);
        }

        var (grant, credited) = await _crediter.CreditAsync(template, coupon, cancellationToken).ConfigureAwait(false);
        Log.BenefitCredited(_logger, couponId, grant.Kind.ToString(), credited);
        return new(BenefitRedemptionRefusal.None, grant.Cash, !credited);
    }

    private static bool IsRedeemable(Benefit benefit) => benefit switch
    {
        RedEnvelopeBenefit r => r.Timing == CreditTiming.OnRedeem,
        SplitRedEnvelopeBenefit s => s.Timing == CreditTiming.OnRedeem,
        _ => false,
    };

    private static BenefitRedemptionRefusal Map(RedemptionRefusal refusal) => refusal switch
    {
        RedemptionRefusal.CouponNotFound or RedemptionRefusal.OrderNotFound => BenefitRedemptionRefusal.NotFound,
        RedemptionRefusal.OutsideValidity => BenefitRedemptionRefusal.OutsideValidity,
        _ => BenefitRedemptionRefusal.NotAvailable,
    };
}
