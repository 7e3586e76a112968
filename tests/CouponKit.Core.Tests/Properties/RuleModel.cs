using CouponKit.Rules;

namespace CouponKit.Core.Tests.Properties;

/// <summary>
/// An independent model of what one coupon gives alone on a whole cart, written from the XML documentation of the rules,
/// in minor units. Used as the oracle of <see cref="QuoteEngineProperties.SingleCoupon_GivesWhatItsRulePromises"/>.
/// </summary>
internal static class RuleModel
{
    /// <summary>What one coupon gives alone, or why it gives nothing.</summary>
    public static Outcome Alone(Cart cart, Coupon coupon)
    {
        if (coupon.ValidFrom is { } from && cart.At < from)
        {
            return Outcome.Rejected(RejectionCode.NotStarted);
        }

        if (coupon.ValidUntil is { } until && cart.At >= until)
        {
            return Outcome.Rejected(RejectionCode.Expired);
        }

        if (coupon.Rule.Currency is { } currency && currency != cart.Currency)
        {
            return Outcome.Rejected(RejectionCode.CurrencyMismatch);
        }

        var scope = cart.Lines.Where(coupon.Scope.Covers).ToArray();
        if (scope.Length == 0)
        {
            return Outcome.Rejected(RejectionCode.OutOfScope);
        }

        var amount = scope.Sum(l => l.Total.ToMinorUnits());
        var items = (long)scope.Where(l => l.Total.Amount > 0m).Sum(l => l.Quantity);
        long Measure(Threshold t) => t.Basis == ThresholdBasis.Amount ? amount : items;
        long Units(Threshold t) => t.Basis == ThresholdBasis.Amount ? t.Amount.ToMinorUnits() : t.Items;
        Outcome? Below(Threshold? minimum) => minimum is not null && Measure(minimum) < Units(minimum)
            ? Outcome.Rejected(RejectionCode.BelowThreshold, Units(minimum) - Measure(minimum))
            : null;

        switch (coupon.Rule)
        {
            case ThresholdRebateRule rebate:
                var reached = rebate.Tiers.LastOrDefault(t => Measure(t.Threshold) >= Units(t.Threshold));
                return reached is null
                    ? Below(rebate.Tiers[0].Threshold)!
                    : Outcome.OnLines(Math.Min(reached.Off.ToMinorUnits(), amount));
            case RepeatingRebateRule repeating:
                var times = Measure(repeating.Every) / Units(repeating.Every);
                if (times == 0)
                {
                    return Below(repeating.Every)!;
                }

                times = Math.Min(times, repeating.MaxTimes ?? long.MaxValue);
                return Outcome.OnLines((long)Math.Min((decimal)times * repeating.Off.ToMinorUnits(), amount));
            case FixedAmountRule fixedAmount:
                return Below(fixedAmount.Minimum) ?? Outcome.OnLines(Math.Min(fixedAmount.Off.ToMinorUnits(), amount));
            case PercentOffRule percent:
                var off = (long)decimal.Round(amount * percent.Percent / 100m, 0, MidpointRounding.ToEven);
                off = Math.Min(off, percent.Cap?.ToMinorUnits() ?? long.MaxValue);
                return Below(percent.Minimum) ?? Outcome.OnLines(Math.Min(off, amount));
            case FreeShippingRule shipping:
                var waived = Math.Min(cart.ShippingFee.ToMinorUnits(), shipping.Cap?.ToMinorUnits() ?? long.MaxValue);
                return Below(shipping.Minimum) ?? (waived > 0 ? new Outcome(null, 0, 0, waived, 0) : Outcome.Rejected(RejectionCode.NothingToDiscount));
            case FreeGiftRule gift:
                return Below(gift.Minimum) ?? new Outcome(null, 0, 0, 0, gift.GiftValue.ToMinorUnits() * gift.Quantity);
            case BuyXGetYRule buyGet:
                return BuyXGetY(cart, coupon.Scope, scope, buyGet);
            default:
                throw new NotSupportedException(coupon.Rule.Kind.ToString());
        }
    }

    /// <summary>
    /// Buy X get Y: with no reward SKU, P in-scope units give n = P / (X + Y) applications rewarding the n·Y cheapest units;
    /// with one, X in-scope units other than the reward SKU buy Y units of the (discountable) reward SKU. Rewarded units get
    /// the percentage off, rounded half-even per line; the cheapest first, ties to the smaller line id.
    /// </summary>
    private static Outcome BuyXGetY(Cart cart, CouponScope scopeRule, CartLine[] scope, BuyXGetYRule rule)
    {
        long applications;
        CartLine[] candidates;
        if (rule.RewardSku is null)
        {
            candidates = scope.Where(l => l.Total.Amount > 0m).ToArray();
            var pool = candidates.Sum(l => (long)l.Quantity);
            applications = pool / (rule.Buy + rule.Get);
            if (applications == 0)
            {
                return Outcome.Rejected(RejectionCode.BelowThreshold, rule.Buy + rule.Get - pool);
            }
        }
        else
        {
            var qualifying = scope.Where(l => l.Total.Amount > 0m && l.Sku != rule.RewardSku).Sum(l => (long)l.Quantity);
            if (qualifying < rule.Buy)
            {
                return Outcome.Rejected(RejectionCode.BelowThreshold, rule.Buy - qualifying);
            }

            candidates = cart.Lines
                .Where(l => l.Sku == rule.RewardSku && l.Total.Amount > 0m
                    && (l.Traits & CartLineTraits.NotDiscountable) == 0
                    && ((l.Traits & CartLineTraits.AlreadyDiscounted) == 0 || scopeRule.IncludeDiscountedItems))
                .ToArray();
            applications = Math.Min(qualifying / rule.Buy, candidates.Sum(l => (long)l.Quantity) / rule.Get);
            if (applications == 0)
            {
                return Outcome.Rejected(RejectionCode.RewardItemMissing);
            }
        }

        applications = Math.Min(applications, rule.MaxApplications ?? long.MaxValue);
        var units = applications * rule.Get;
        long total = 0;
        foreach (var line in candidates.OrderBy(l => l.UnitPrice.Amount).ThenBy(l => l.LineId, StringComparer.Ordinal))
        {
            var take = Math.Min(units, line.Quantity);
            units -= take;
            var exact = (decimal)line.Total.ToMinorUnits() * take * rule.RewardPercent / (100m * line.Quantity);
            total += Math.Min((long)decimal.Round(exact, 0, MidpointRounding.ToEven), line.Total.ToMinorUnits());
        }

        return Outcome.OnLines(total);
    }

    /// <summary>What a coupon gives, in minor units, or why not (with the shortfall: minor units or items).</summary>
    public sealed record Outcome(RejectionCode? Rejection, long Shortfall, long Lines, long Shipping, long Gift)
    {
        public static Outcome Rejected(RejectionCode code, long shortfall = 0) => new(code, shortfall, 0, 0, 0);

        public static Outcome OnLines(long discount) => discount > 0 ? new(null, 0, discount, 0, 0) : Rejected(RejectionCode.NothingToDiscount);
    }
}
