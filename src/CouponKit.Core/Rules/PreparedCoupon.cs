namespace CouponKit.Rules;

/// <summary>A coupon checked and compiled against one cart: its scope as line indices, its place in the order of application.</summary>
internal sealed class PreparedCoupon
{
    public PreparedCoupon(Coupon coupon, int[] scope, int[] rewardLines, int groupId)
    {
        Coupon = coupon;
        Scope = scope;
        RewardLines = rewardLines;
        GroupId = groupId;
        Level = coupon.Rule.Level;
    }

    public Coupon Coupon { get; }

    public int[] Scope { get; }

    public int[] RewardLines { get; }

    public int GroupId { get; }

    public RuleLevel Level { get; }

    public bool Exclusive => Coupon.Stacking.Exclusive;

    public string Id => Coupon.Id;

    /// <summary>Gets or sets why the coupon cannot apply to the cart at all (time, currency, scope, or the rule on the whole cart).</summary>
    public CouponRejection? Rejection { get; set; }

    /// <summary>Gets or sets the discount (lines and shipping) the coupon gives alone on the whole cart.</summary>
    public long StandaloneValue { get; set; }

    /// <summary>
    /// Gets or sets the most discount (lines and shipping) the coupon gives in any combination: <see cref="StandaloneValue"/> for
    /// rules that give no more on lower amounts, more for buy X get Y (<see cref="DiscountRule.UpperBound"/>).
    /// </summary>
    public long UpperBound { get; set; }

    /// <summary>Gets or sets the coupon's rank among the quote's coupons in ordinal order of ids, for the tie-break on ids.</summary>
    public int IdRank { get; set; }

    /// <summary>Gets or sets the gift value the coupon gives alone.</summary>
    public long StandaloneGift { get; set; }

    /// <summary>Compares coupons in the order of application: level, issuer (shop first), priority (higher first), rule kind, id.</summary>
    public static int CompareApplicationOrder(PreparedCoupon? a, PreparedCoupon? b)
    {
        if (ReferenceEquals(a, b))
        {
            return 0;
        }

        if (a is null)
        {
            return -1;
        }

        if (b is null)
        {
            return 1;
        }

        var c = a.Level.CompareTo(b.Level);
        if (c != 0)
        {
            return c;
        }

        c = a.Coupon.Issuer.CompareTo(b.Coupon.Issuer);
        if (c != 0)
        {
            return c;
        }

        c = b.Coupon.Stacking.Priority.CompareTo(a.Coupon.Stacking.Priority);
        if (c != 0)
        {
            return c;
        }

        c = a.Coupon.Rule.Kind.CompareTo(b.Coupon.Rule.Kind);
        return c != 0 ? c : string.CompareOrdinal(a.Id, b.Id);
    }
}
