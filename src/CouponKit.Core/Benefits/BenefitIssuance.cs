using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Rules;

namespace CouponKit.Benefits;

/// <summary>
/// How benefits ride on the claim path: checks with the template, the seed of a split red envelope fixed at creation, the
/// lucky draw made before the atomic issue, the sequence the store assigns, and the credit command written with the coupon.
/// </summary>
internal static class BenefitIssuance
{
    /// <summary>The tag of the command that credits a claimed red envelope, split share or points (topic <see cref="CouponTopics.Coupon"/>).</summary>
    public const string CreditTag = "BenefitCredit";

    public static void Validate(string id, TemplateDraft draft)
    {
        if (draft.Benefit is null)
        {
            throw new InvalidTemplateException(id, "benefit", "the benefit is required (Benefit.Coupon for a plain coupon).");
        }

        draft.Benefit.Validate(id, draft.TotalInventory);
    }

    /// <summary>Draws the seed of a split red envelope when its template is created.</summary>
    public static TemplateDraft Seal(TemplateDraft draft) =>
        draft.Benefit is SplitRedEnvelopeBenefit { Seed: null } split ? draft with { Benefit = split.WithSeed(DeterministicRandom.NewSeed()) } : draft;

    /// <summary>Keeps a split red envelope's shares fixed across template changes: same total, timing, seed and inventory.</summary>
    public static TemplateDraft CarryOver(string id, CouponTemplate current, TemplateDraft draft)
    {
        if (current.Benefit is not SplitRedEnvelopeBenefit old)
        {
            if (draft.Benefit is SplitRedEnvelopeBenefit)
            {
                throw new InvalidBenefitException(BenefitError.SharesFixed, "benefit", $"template '{id}' cannot become a split red envelope after it was created.");
            }

            return draft;
        }

        if (draft.Benefit is SplitRedEnvelopeBenefit { Seed: null } unsealed && unsealed.Total == old.Total && unsealed.Timing == old.Timing)
        {
            draft = draft with { Benefit = old };
        }

        if (!Equals(draft.Benefit, old) || draft.TotalInventory != current.TotalInventory)
        {
            throw new InvalidBenefitException(BenefitError.SharesFixed, "benefit", $"the shares of split red envelope '{id}' are fixed when it is created; its total, seed and inventory cannot change.");
        }

        return draft;
    }

    /// <summary>The rule a coupon gives at checkout: the drawn face value for lucky coupons, the template's rule otherwise.</summary>
    public static DiscountRule RuleOf(CouponTemplate template, IssuedCoupon coupon) =>
        template.Benefit is LuckyCouponBenefit lucky && coupon.Draw is { } draw ? new FixedAmountRule(draw.Value, lucky.Minimum) : template.Rule;

    /// <summary>Makes the draw of a lucky coupon, with a fresh CSPRNG seed, before the atomic issue.</summary>
    public static IssuedCoupon Prepare(CouponTemplate template, IssuedCoupon coupon) =>
        template.Benefit is LuckyCouponBenefit lucky ? coupon with { Draw = LuckyDraws.Draw(lucky.Draw) } : coupon;

    /// <summary>Refuses to claim a split red envelope through a store that cannot assign the share index atomically.</summary>
    public static void EnsureSupported(CouponTemplate template, Ports.ICouponStore store)
    {
        if (NeedsSequence(template) && !store.AssignsIssueSequence)
        {
            throw new BenefitNotSupportedException(template.Id, template.Benefit.Kind, $"{store.GetType().Name} does not assign issue sequences (ICouponStore.AssignsIssueSequence).");
        }
    }

    /// <summary>Whether the store must assign the coupon's place in the inventory (split red envelopes).</summary>
    public static bool NeedsSequence(CouponTemplate template) => template.Benefit is SplitRedEnvelopeBenefit;

    /// <summary>Whether the benefit is a discount priced at checkout by the rule engine (a coupon or a lucky coupon).</summary>
    public static bool UsedAtCheckout(Benefit benefit) => benefit is CouponBenefit or LuckyCouponBenefit;

    /// <summary>Whether the benefit is credited when claimed.</summary>
    public static bool CreditsOnClaim(Benefit benefit) => benefit switch
    {
        PointsBenefit => true,
        RedEnvelopeBenefit r => r.Timing == CreditTiming.OnClaim,
        SplitRedEnvelopeBenefit s => s.Timing == CreditTiming.OnClaim,
        _ => false,
    };

    /// <summary>The events written with the coupon: the issued event, and the credit command when credited on claim.</summary>
    public static IReadOnlyList<OutboxMessage> Events(CouponTemplate template, IssuedCoupon coupon, OutboxMessage issued) =>
        CreditsOnClaim(template.Benefit) ? [issued, CreditCommand(coupon)] : [issued];

    /// <summary>The command that credits a coupon's benefit; its id is derived from the coupon, so it is one message per coupon.</summary>
    public static OutboxMessage CreditCommand(IssuedCoupon coupon)
    {
        var body = System.Text.Json.JsonSerializer.Serialize(new BenefitCredit(coupon.CouponId, coupon.TemplateId, coupon.UserId));
        return new OutboxMessage($"coupon:{coupon.CouponId}:benefit-credit", CouponTopics.Coupon, CreditTag, coupon.CouponId, body, coupon.ClaimedAt);
    }

    /// <summary>The idempotency key of a coupon's credit, in the wallet or the points ledger.</summary>
    public static string CreditKey(IssuedCoupon coupon) => $"benefit:{coupon.CouponId}";

    /// <summary>The body of a <see cref="CreditTag"/> command.</summary>
    /// <param name="CouponId">The coupon.</param>
    /// <param name="TemplateId">The template.</param>
    /// <param name="UserId">The user.</param>
    internal sealed record BenefitCredit(string CouponId, string TemplateId, string UserId);
}
