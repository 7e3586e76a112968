using System.ComponentModel.DataAnnotations;
using CouponKit.Ports;

namespace CouponKit;

/// <summary>Options of CouponKit's issuance and redemption services. Checked at start-up.</summary>
public sealed class CouponKitOptions
{
    /// <summary>Gets or sets how long an unpaid order keeps its coupons locked before a delayed message releases them.</summary>
    /// <value>The default value is 30 minutes.</value>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00", ErrorMessage = "LockTimeout must be between 1 second and 7 days.")]
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Gets or sets how many claims one user may attempt per window.</summary>
    /// <value>The default value is 20.</value>
    [Range(1, 1_000_000)]
    public int ClaimsPerUser { get; set; } = 20;

    /// <summary>Gets or sets how many claims one IP address may attempt per window.</summary>
    /// <value>The default value is 200.</value>
    [Range(1, 10_000_000)]
    public int ClaimsPerIp { get; set; } = 200;

    /// <summary>Gets or sets the window of the claim rate limits.</summary>
    /// <value>The default value is 1 minute.</value>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "ClaimRateWindow must be between 1 second and 1 day.")]
    public TimeSpan ClaimRateWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets how often coupons past their end are expired and due reminders are sent.</summary>
    /// <value>The default value is 1 minute.</value>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "ExpirySweepInterval must be between 1 second and 1 day.")]
    public TimeSpan ExpirySweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    internal RateLimitPolicy ClaimUserPolicy => new(ClaimsPerUser, ClaimRateWindow);

    internal RateLimitPolicy ClaimIpPolicy => new(ClaimsPerIp, ClaimRateWindow);
}
