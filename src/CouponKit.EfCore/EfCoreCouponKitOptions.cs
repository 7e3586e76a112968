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

    /// <summary>The most claims one group commit writes in one transaction.</summary>
    public const int MaxClaimBatchSize = 1000;

    /// <summary>
    /// Gets or sets the most claims (<see cref="Ports.ICouponStore.IssueAsync"/> calls) written together in one transaction
    /// (group commit). Claims that arrive while the store's writers are busy wait in a queue; a writer takes up to this many at
    /// once and decides each as it would alone (replay, key conflict, per-user limit, sold out, in arrival order), takes their
    /// stock with one conditional decrement per template and writes their coupons (with their claim keys) and outbox rows in one
    /// commit, so that many claims share one round trip set and one flush of the log. Every claim still gets its own outcome; a
    /// claim that is bad input (unknown template, a coupon id in use) gets its own error and the others go on; when the
    /// transaction meets a concurrent writer (a unique index), its claims are run again one at a time; when it fails, every
    /// claim in it fails and nothing of it is stored. With 1, each claim runs in its own transaction as soon as it arrives.
    /// </summary>
    /// <value>The default value is 64.</value>
    /// <remarks>
    /// A writer never waits for a batch to fill: when claims arrive one at a time, each is written at once (a batch of one), so
    /// a quiet shop sees the latency of a single transaction; under load, a claim's latency is its wait for a writer plus one
    /// batch. A caller that cancels while its claim is still queued withdraws it; once a writer has taken it, the claim
    /// completes with its batch. Claims that assign an issue sequence (split red envelopes) always run on their own.
    /// </remarks>
    [Range(1, MaxClaimBatchSize)]
    public int ClaimBatchSize { get; set; } = 64;

    /// <summary>
    /// Gets or sets how many claim batches the store writes side by side (each on its own connection and transaction). More
    /// writers overlap their round trips and commits; fewer make larger batches. Only used when <see cref="ClaimBatchSize"/> is
    /// more than 1.
    /// </summary>
    /// <value>The default value is 2.</value>
    [Range(1, 64)]
    public int ClaimBatchWriters { get; set; } = 2;

    /// <summary>
    /// Gets or sets how many chunks of a push (<c>PushIssuance</c>) the store writes side by side on PostgreSQL, each in its own
    /// transaction on its own connection, while the template's stock covers them all: each chunk's COPY keeps one server
    /// backend busy, and the client prepares one chunk while the server ingests another. On SQLite, whose writers take turns,
    /// chunks are always written one at a time.
    /// </summary>
    /// <value>The default value is 2, for a database server with at least two cores.</value>
    [Range(1, 4)]
    public int PushChunksInFlight { get; set; } = 2;

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
