using System.ComponentModel.DataAnnotations;
using CouponKit.Issuance;

namespace CouponKit.EfCore;

/// <summary>How the Entity Framework Core stores run their transactions, and how they hold a template's inventory.</summary>
public sealed class EfCoreCouponKitOptions
{
    /// <summary>The most stock segments a template's inventory can be split over.</summary>
    public const int MaxStockSegments = 1024;

    /// <summary>
    /// Gets or sets how many rows a template's remaining inventory is split over when the template is added (1 to
    /// <see cref="MaxStockSegments"/>). With 1, the template's row holds the inventory and every claim decrements it, so claims
    /// of one template queue on that row. With N &gt; 1 (for hot templates: flash sales), the inventory is spread evenly over N
    /// rows of the <c>stock_segments</c> table; a claim starts at a segment chosen from a hash of its claim key, decrements it
    /// with one conditional statement (<c>remaining &gt; 0</c>) and falls back to the segments that still hold stock, so that N
    /// claims can commit side by side. A template is sold out only when every segment is empty, and never more than its
    /// inventory is issued.
    /// </summary>
    /// <value>The default value is 1 (one row: no segments).</value>
    /// <remarks>
    /// The count is fixed per template when it is added; changing the option applies to templates added afterwards. Raising
    /// a template's inventory spreads the new stock evenly over its segments; lowering it takes stock that is not claimed yet,
    /// segment by segment, and is refused (<see cref="InvalidTemplateException"/>) when fewer coupons remain than
    /// the decrease, that is when the new total would fall below the coupons issued. Inventory reads sum the segments.
    /// </remarks>
    [Range(1, MaxStockSegments)]
    public int StockSegments { get; set; } = 1;

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
