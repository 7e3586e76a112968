using System.Globalization;

namespace CouponKit.Rules;

/// <summary>
/// Buy X, get Y free or discounted.
/// </summary>
/// <remarks>
/// <para>Without a reward SKU ("buy 2 get 1 free"): the in-scope units form groups of X + Y; in each group the cheapest Y units
/// are rewarded. Concretely, with P in-scope units, n = P / (X + Y) applications reward the n·Y cheapest units.</para>
/// <para>With a reward SKU ("buy 2 shampoos, get a conditioner free"): X in-scope units (other than the reward SKU) buy Y units of
/// the reward SKU, which must be in the cart and discountable; n = min(qualifying / X, reward units / Y).</para>
/// <para>Rewarded units get <see cref="RewardPercent"/> off their remaining unit price, rounded per line with the quote's rounding mode.</para>
/// </remarks>
public sealed class BuyXGetYRule : DiscountRule
{
    /// <summary>Initializes a new instance of the <see cref="BuyXGetYRule"/> class.</summary>
    /// <param name="buy">X: units to buy, 1 to 1000.</param>
    /// <param name="get">Y: units rewarded, 1 to 1000.</param>
    /// <param name="rewardPercent">The percentage off the rewarded units: more than 0, at most 100 (100 means free).</param>
    /// <param name="rewardSku">The SKU rewarded, or <see langword="null"/> to reward the cheapest in-scope units.</param>
    /// <param name="maxApplications">The most applications in one order, or <see langword="null"/> for no limit.</param>
    /// <exception cref="InvalidCouponException">A value is not valid.</exception>
    public BuyXGetYRule(int buy, int get, decimal rewardPercent = 100m, string? rewardSku = null, int? maxApplications = null)
    {
        if (buy is < 1 or > 1000 || get is < 1 or > 1000)
        {
            throw new InvalidCouponException(null, $"buy X get Y needs X and Y between 1 and 1000, got {buy} and {get}.");
        }

        if (rewardPercent <= 0m || rewardPercent > 100m || decimal.Round(rewardPercent, 4) != rewardPercent)
        {
            throw new InvalidCouponException(null, string.Create(CultureInfo.InvariantCulture, $"the reward percentage must be more than 0 and at most 100 with at most 4 decimals, got {rewardPercent}."));
        }

        if (rewardSku is not null && string.IsNullOrWhiteSpace(rewardSku))
        {
            throw new InvalidCouponException(null, "the reward SKU is blank.");
        }

        if (maxApplications is <= 0)
        {
            throw new InvalidCouponException(null, $"the most applications must be at least 1, got {maxApplications}.");
        }

        Buy = buy;
        Get = get;
        RewardPercent = rewardPercent;
        RewardSku = rewardSku;
        MaxApplications = maxApplications;
    }

    /// <summary>Gets X, the units to buy.</summary>
    public int Buy { get; }

    /// <summary>Gets Y, the units rewarded.</summary>
    public int Get { get; }

    /// <summary>Gets the percentage off the rewarded units (100 means free).</summary>
    public decimal RewardPercent { get; }

    /// <summary>Gets the SKU rewarded, or <see langword="null"/> for the cheapest in-scope units.</summary>
    public string? RewardSku { get; }

    /// <summary>Gets the most applications in one order, or <see langword="null"/>.</summary>
    public int? MaxApplications { get; }

    /// <inheritdoc />
    public override RuleKind Kind => RuleKind.BuyXGetY;

    /// <inheritdoc />
    public override Currency? Currency => null;

    internal override RuleLevel Level => RuleLevel.Item;

    /// <inheritdoc />
    public override string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"buy {Buy} get {Get} {(RewardSku is null ? "cheapest" : RewardSku)} {(RewardPercent == 100m ? "free" : $"{RewardPercent}% off")}{(MaxApplications is { } m ? $", at most {m} times" : string.Empty)}");

    internal override int[] RewardLines(CartLine[] lines, CouponScope scope)
    {
        if (RewardSku is null)
        {
            return [];
        }

        var result = new List<int>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var discountable = (line.Traits & CartLineTraits.NotDiscountable) == 0
                && ((line.Traits & CartLineTraits.AlreadyDiscounted) == 0 || scope.IncludeDiscountedItems);
            if (discountable && string.Equals(line.Sku, RewardSku, StringComparison.Ordinal))
            {
                result.Add(i);
            }
        }

        return [.. result];
    }

    internal override RuleOutcome Evaluate(RuleContext context)
    {
        var remaining = context.Remaining;
        var quantity = context.Quantity;
        var (applications, candidates, rejection) = Count(context);
        if (rejection is { } rejected)
        {
            return rejected;
        }

        // Cheapest units first: compare remaining/quantity exactly by cross-multiplication; ties by line order.
        candidates.Sort((a, b) =>
        {
            var c = ((Int128)remaining[a] * quantity[b]).CompareTo((Int128)remaining[b] * quantity[a]);
            return c != 0 ? c : a.CompareTo(b);
        });

        var units = applications * Get;
        var discounts = context.LineDiscounts;
        long total = 0;
        foreach (var i in candidates)
        {
            if (units == 0)
            {
                break;
            }

            var take = Math.Min(units, quantity[i]);
            units -= take;
            var exact = (decimal)remaining[i] * take * RewardPercent / (100m * quantity[i]);
            var discount = Math.Min(context.RoundMinor(exact), remaining[i]);
            discounts[i] = discount;
            total += discount;
        }

        return RuleOutcome.PerLineDiscount(total);
    }

    /// <summary>
    /// Rewarding the cheapest units is not monotone in the remaining amounts: when an earlier item-level coupon empties a line,
    /// dearer units become the cheapest, and this coupon may give more after it than alone. But applications never grow (lines
    /// only lose amounts), so it rewards at most k = applications × Y units, worth at most the k dearest units of the whole
    /// cart at <see cref="RewardPercent"/>, plus at most one minor unit of rounding per line, and never more than the lines hold.
    /// </summary>
    internal override long UpperBound(RuleContext context, long standalone)
    {
        var remaining = context.Remaining;
        var quantity = context.Quantity;
        var (applications, candidates, _) = Count(context);

        // Dearest units first.
        candidates.Sort((a, b) =>
        {
            var c = ((Int128)remaining[b] * quantity[a]).CompareTo((Int128)remaining[a] * quantity[b]);
            return c != 0 ? c : a.CompareTo(b);
        });

        var units = applications * Get;
        var rounding = Math.Min(units, candidates.Count);
        var exact = 0m;
        long held = 0;
        foreach (var i in candidates)
        {
            held += remaining[i];
            var take = Math.Min(units, quantity[i]);
            units -= take;
            exact += (decimal)remaining[i] * take * RewardPercent / (100m * quantity[i]);
        }

        return Math.Min((long)decimal.Ceiling(exact) + rounding, held);
    }

    /// <summary>
    /// Counts the applications on the current amounts (at most <see cref="MaxApplications"/>) and the candidate lines for the
    /// reward: the in-scope lines without a reward SKU, else the reward SKU's lines. Lines with nothing left take no part.
    /// </summary>
    private (long Applications, List<int> Candidates, RuleOutcome? Rejection) Count(RuleContext context)
    {
        var remaining = context.Remaining;
        var quantity = context.Quantity;
        long applications;
        List<int> candidates;
        RuleOutcome? rejection = null;
        if (RewardSku is null)
        {
            candidates = LinesWithAmount(context.Scope, remaining);
            var pool = SumUnits(candidates, quantity);
            applications = pool / (Buy + Get);
            if (applications == 0)
            {
                rejection = RuleOutcome.BelowThreshold(ThresholdBasis.ItemCount, Buy + Get - pool);
            }
        }
        else
        {
            long qualifying = 0;
            foreach (var i in context.Scope)
            {
                if (remaining[i] > 0 && !string.Equals(context.Lines[i].Sku, RewardSku, StringComparison.Ordinal))
                {
                    qualifying += quantity[i];
                }
            }

            candidates = LinesWithAmount(context.RewardLines, remaining);
            applications = Math.Min(qualifying / Buy, SumUnits(candidates, quantity) / Get);
            if (qualifying < Buy)
            {
                rejection = RuleOutcome.BelowThreshold(ThresholdBasis.ItemCount, Buy - qualifying);
            }
            else if (applications == 0)
            {
                rejection = RuleOutcome.Rejected(RejectionCode.RewardItemMissing);
            }
        }

        if (MaxApplications is { } max && applications > max)
        {
            applications = max;
        }

        return (applications, candidates, rejection);
    }

    private static List<int> LinesWithAmount(int[] lines, long[] remaining)
    {
        var result = new List<int>(lines.Length);
        foreach (var i in lines)
        {
            if (remaining[i] > 0)
            {
                result.Add(i);
            }
        }

        return result;
    }

    private static long SumUnits(List<int> lines, int[] quantity)
    {
        long sum = 0;
        foreach (var i in lines)
        {
            sum += quantity[i];
        }

        return sum;
    }
}
