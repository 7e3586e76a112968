using System.ComponentModel.DataAnnotations;

namespace CouponKit.EfCore;

/// <summary>How the Entity Framework Core stores run their transactions.</summary>
public sealed class EfCoreCouponKitOptions
{
    /// <summary>
    /// Gets or sets how many times an operation runs before its database error is reported: a transient error (SQLite busy,
    /// a dropped connection) or a unique-index conflict with a concurrent writer makes the store start the whole transaction again.
    /// </summary>
    /// <value>The default value is 10.</value>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 10;

    /// <summary>Gets or sets the delay before the second attempt; it doubles at each further attempt, with jitter.</summary>
    /// <value>The default value is 5 milliseconds.</value>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Gets or sets the longest delay between attempts.</summary>
    /// <value>The default value is 200 milliseconds.</value>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan MaxRetryBackoff { get; set; } = TimeSpan.FromMilliseconds(200);
}
