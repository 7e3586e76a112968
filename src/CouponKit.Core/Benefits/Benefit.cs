using CouponKit.Rules;

namespace CouponKit.Benefits;

/// <summary>What one claim of a template gives the user.</summary>
public enum BenefitKind
{
    /// <summary>A discount coupon with the template's rule (the default).</summary>
    Coupon,

    /// <summary>A fixed cash amount credited to the user's wallet (<see cref="Ports.IWalletLedger"/>).</summary>
    RedEnvelope,

    /// <summary>Member points credited through <see cref="Ports.IPointsLedger"/>.</summary>
    Points,

    /// <summary>A fixed-amount coupon whose face value is drawn at claim time.</summary>
    LuckyCoupon,

    /// <summary>A share of a total cash amount split over the template's inventory ("lucky money").</summary>
    SplitRedEnvelope,
}

/// <summary>When cash is credited to the wallet.</summary>
public enum CreditTiming
{
    /// <summary>As soon as the claim issues.</summary>
    OnClaim,

    /// <summary>When the user redeems (opens) the envelope through <see cref="BenefitRedemptions"/>.</summary>
    OnRedeem,
}

/// <summary>
/// The benefit a template issues: a coupon (<see cref="Coupon"/>), a <see cref="RedEnvelopeBenefit"/>, a <see cref="PointsBenefit"/>,
/// a <see cref="LuckyCouponBenefit"/> or a <see cref="SplitRedEnvelopeBenefit"/>. Every kind is issued through the same atomic
/// claim (idempotency key, per-user limit, inventory); a benefit is checked when it is built and again with its template.
/// </summary>
public abstract record Benefit
{
    private protected Benefit()
    {
    }

    /// <summary>Gets the plain coupon benefit: the coupons give the template's rule.</summary>
    public static Benefit Coupon { get; } = new CouponBenefit();

    /// <summary>Gets the kind.</summary>
    public abstract BenefitKind Kind { get; }

    /// <summary>Checks the benefit against its template's inventory.</summary>
    /// <param name="templateId">The template.</param>
    /// <param name="totalInventory">The template's inventory.</param>
    internal virtual void Validate(string? templateId, int totalInventory)
    {
    }

    internal static long MinorUnitsOf(Money amount, string field, bool allowZero = false)
    {
        bool whole;
        try
        {
            whole = amount.IsWholeMinorUnits;
        }
        catch (InvalidOperationException)
        {
            throw new InvalidBenefitException(BenefitError.Missing, field, "the amount has no currency (default(Money)).");
        }

        if (!whole)
        {
            throw new InvalidBenefitException(BenefitError.NotWholeMinorUnits, field, $"{amount} is not a whole number of minor units.");
        }

        var units = amount.ToMinorUnits();
        if (units < 0 || (units == 0 && !allowZero))
        {
            throw new InvalidBenefitException(BenefitError.AmountNotPositive, field, $"the amount must be above zero, got {amount}.");
        }

        return units;
    }
}

/// <summary>The plain coupon: the template's rule is what the coupon gives.</summary>
public sealed record CouponBenefit : Benefit
{
    internal CouponBenefit()
    {
    }

    /// <inheritdoc />
    public override BenefitKind Kind => BenefitKind.Coupon;
}

/// <summary>A fixed cash amount credited to the user's wallet, when claimed or when redeemed.</summary>
public sealed record RedEnvelopeBenefit : Benefit
{
    /// <summary>Initializes a new instance of the <see cref="RedEnvelopeBenefit"/> class.</summary>
    /// <param name="amount">The cash amount, above zero and a whole number of minor units.</param>
    /// <param name="timing">When it is credited.</param>
    /// <exception cref="InvalidBenefitException">The amount is not positive or has fractions of a minor unit.</exception>
    public RedEnvelopeBenefit(Money amount, CreditTiming timing = CreditTiming.OnClaim)
    {
        MinorUnitsOf(amount, "amount");
        if (!Enum.IsDefined(timing))
        {
            throw new InvalidBenefitException(BenefitError.UnknownTiming, "timing", $"unknown credit timing {(int)timing}.");
        }

        Amount = amount;
        Timing = timing;
    }

    /// <inheritdoc />
    public override BenefitKind Kind => BenefitKind.RedEnvelope;

    /// <summary>Gets the cash amount.</summary>
    public Money Amount { get; }

    /// <summary>Gets when it is credited.</summary>
    public CreditTiming Timing { get; }
}

/// <summary>Member points credited through <see cref="Ports.IPointsLedger.CreditAsync"/> when the claim issues.</summary>
public sealed record PointsBenefit : Benefit
{
    /// <summary>The most points one claim may credit.</summary>
    public const long MaxPoints = 1_000_000_000;

    /// <summary>Initializes a new instance of the <see cref="PointsBenefit"/> class.</summary>
    /// <param name="points">The points: 1 to <see cref="MaxPoints"/>.</param>
    /// <exception cref="InvalidBenefitException">The points are out of range.</exception>
    public PointsBenefit(long points)
    {
        if (points is < 1 or > MaxPoints)
        {
            throw new InvalidBenefitException(BenefitError.AmountNotPositive, "points", $"the points must be 1 to {MaxPoints}, got {points}.");
        }

        Points = points;
    }

    /// <inheritdoc />
    public override BenefitKind Kind => BenefitKind.Points;

    /// <summary>Gets the points.</summary>
    public long Points { get; }
}

/// <summary>
/// A fixed-amount coupon whose face value is drawn when it is claimed, from a <see cref="LuckyDraw"/>. The draw and its seed are
/// recorded on the coupon (<see cref="Issuance.IssuedCoupon.Draw"/>) so that it can be replayed for audit.
/// </summary>
public sealed record LuckyCouponBenefit : Benefit
{
    /// <summary>Initializes a new instance of the <see cref="LuckyCouponBenefit"/> class.</summary>
    /// <param name="draw">How the face value is drawn.</param>
    /// <param name="minimum">The order threshold the coupon needs, or <see langword="null"/>.</param>
    public LuckyCouponBenefit(LuckyDraw draw, Threshold? minimum = null)
    {
        Draw = draw ?? throw new InvalidBenefitException(BenefitError.Missing, "draw", "the draw is required.");
        Minimum = minimum;
    }

    /// <inheritdoc />
    public override BenefitKind Kind => BenefitKind.LuckyCoupon;

    /// <summary>Gets how the face value is drawn.</summary>
    public LuckyDraw Draw { get; }

    /// <summary>Gets the order threshold the coupon needs, or <see langword="null"/>.</summary>
    public Threshold? Minimum { get; }
}

/// <summary>
/// A total cash amount split over the template's inventory: each claim gets one share, at least one minor unit, and the shares
/// sum exactly to <see cref="Total"/>. The shares are fixed when the template is created, from <see cref="Seed"/> (drawn then
/// from a CSPRNG), by the double-mean algorithm of <see cref="SplitRedEnvelope"/>; a claim takes the share whose index is its
/// place in the inventory, assigned in the same atomic step that decrements the stock, so concurrent claims never over-spend.
/// </summary>
public sealed record SplitRedEnvelopeBenefit : Benefit
{
    /// <summary>The most shares (the template's inventory) one envelope may be split into.</summary>
    public const int MaxShares = 100_000;

    /// <summary>Initializes a new instance of the <see cref="SplitRedEnvelopeBenefit"/> class; the seed is drawn when the template is created.</summary>
    /// <param name="total">The total cash amount, above zero and a whole number of minor units.</param>
    /// <param name="timing">When each share is credited.</param>
    /// <exception cref="InvalidBenefitException">The total is not positive or has fractions of a minor unit.</exception>
    public SplitRedEnvelopeBenefit(Money total, CreditTiming timing = CreditTiming.OnClaim)
        : this(total, timing, null)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="SplitRedEnvelopeBenefit"/> class with its seed (for store adapters).</summary>
    /// <param name="total">The total cash amount.</param>
    /// <param name="timing">When each share is credited.</param>
    /// <param name="seed">The seed the shares were drawn from.</param>
    /// <exception cref="InvalidBenefitException">The total is not positive or has fractions of a minor unit.</exception>
    public SplitRedEnvelopeBenefit(Money total, CreditTiming timing, ulong? seed)
    {
        TotalMinorUnits = MinorUnitsOf(total, "total");
        if (!Enum.IsDefined(timing))
        {
            throw new InvalidBenefitException(BenefitError.UnknownTiming, "timing", $"unknown credit timing {(int)timing}.");
        }

        Total = total;
        Timing = timing;
        Seed = seed;
    }

    /// <inheritdoc />
    public override BenefitKind Kind => BenefitKind.SplitRedEnvelope;

    /// <summary>Gets the total cash amount.</summary>
    public Money Total { get; }

    /// <summary>Gets when each share is credited.</summary>
    public CreditTiming Timing { get; }

    /// <summary>Gets the seed the shares are drawn from; <see langword="null"/> until the template is created.</summary>
    public ulong? Seed { get; }

    internal long TotalMinorUnits { get; }

    internal override void Validate(string? templateId, int totalInventory)
    {
        if (totalInventory > MaxShares)
        {
            throw new InvalidBenefitException(BenefitError.TooManyShares, "totalInventory", $"a split red envelope has at most {MaxShares} shares, got {totalInventory}.");
        }

        if (TotalMinorUnits < totalInventory)
        {
            throw new InvalidBenefitException(BenefitError.TotalTooSmall, "total", $"{Total} is {TotalMinorUnits} minor units, too little for {totalInventory} shares of at least one minor unit each.");
        }
    }

    internal SplitRedEnvelopeBenefit WithSeed(ulong seed) => new(Total, Timing, seed);
}
