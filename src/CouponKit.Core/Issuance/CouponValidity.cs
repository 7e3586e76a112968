using System.Globalization;

namespace CouponKit.Issuance;

/// <summary>When the coupons of a template may be used: a fixed window, or a number of days from the moment each is claimed.</summary>
public sealed class CouponValidity
{
    private CouponValidity(DateTimeOffset? from, DateTimeOffset? until, int days)
    {
        From = from;
        Until = until;
        DaysAfterClaim = days;
    }

    /// <summary>Gets the start of a fixed window, or <see langword="null"/> for a relative validity.</summary>
    public DateTimeOffset? From { get; }

    /// <summary>Gets the end (exclusive) of a fixed window, or <see langword="null"/> for a relative validity.</summary>
    public DateTimeOffset? Until { get; }

    /// <summary>Gets the number of days a coupon stays valid after it is claimed, or 0 for a fixed window.</summary>
    public int DaysAfterClaim { get; }

    /// <summary>Gets a value indicating whether the validity is relative to the claim.</summary>
    public bool IsRelative => DaysAfterClaim > 0;

    /// <summary>A fixed window shared by every coupon of the template.</summary>
    /// <param name="from">The first moment the coupons may be used.</param>
    /// <param name="until">The moment they expire (exclusive); after <paramref name="from"/>.</param>
    /// <returns>The validity.</returns>
    /// <exception cref="InvalidTemplateException">The window ends before it starts.</exception>
    public static CouponValidity Between(DateTimeOffset from, DateTimeOffset until) =>
        until > from ? new CouponValidity(from, until, 0) : throw new InvalidTemplateException(null, "validity", string.Create(CultureInfo.InvariantCulture, $"the validity ends ({until:O}) before or when it starts ({from:O})."));

    /// <summary>Each coupon is valid for a number of days from the moment it is claimed.</summary>
    /// <param name="days">The number of days: 1 to 3650.</param>
    /// <returns>The validity.</returns>
    /// <exception cref="InvalidTemplateException">The number of days is out of range.</exception>
    public static CouponValidity ForDaysAfterClaim(int days) =>
        days is >= 1 and <= 3650 ? new CouponValidity(null, null, days) : throw new InvalidTemplateException(null, "validity", $"the validity must be 1 to 3650 days after the claim, got {days}.");

    /// <summary>Computes the window of a coupon claimed at a moment.</summary>
    /// <param name="claimedAt">When the coupon is claimed.</param>
    /// <returns>The window.</returns>
    public (DateTimeOffset From, DateTimeOffset Until) WindowFor(DateTimeOffset claimedAt) =>
        IsRelative ? (claimedAt, claimedAt.AddDays(DaysAfterClaim)) : (From!.Value, Until!.Value);

    /// <inheritdoc />
    public override string ToString() => IsRelative
        ? string.Create(CultureInfo.InvariantCulture, $"{DaysAfterClaim} days after claim")
        : string.Create(CultureInfo.InvariantCulture, $"{From:yyyy-MM-dd HH:mm} to {Until:yyyy-MM-dd HH:mm}");
}
