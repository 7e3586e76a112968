using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;

namespace CouponKit.Redemption;

/// <summary>
/// Expires coupons at their end: every <see cref="CouponState.Available"/> coupon whose <see cref="IssuedCoupon.ValidUntil"/>
/// has come becomes <see cref="CouponState.Expired"/> through <see cref="CouponTrigger.Expire"/>, with a
/// <see cref="CouponTopics.Expired"/> event. A coupon locked by an unpaid order is left to its order: if the order is released
/// after the end, the release expires it. Run it periodically (for example every minute) from a hosted service or a job.
/// </summary>
public sealed class CouponExpiry
{
    /// <summary>The default number of coupons expired per call.</summary>
    public const int DefaultBatchSize = 500;

    /// <summary>The most coupons expired per call.</summary>
    public const int MaxBatchSize = 10_000;

    private readonly IExpiryStore _store;
    private readonly TimeProvider _time;

    /// <summary>Initializes a new instance of the <see cref="CouponExpiry"/> class.</summary>
    /// <param name="store">The expiry store.</param>
    /// <param name="time">The clock.</param>
    public CouponExpiry(IExpiryStore store, TimeProvider time)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <summary>Expires one batch of coupons whose end has come. Running it again expires nothing twice.</summary>
    /// <param name="batchSize">The most coupons to expire: 1 to <see cref="MaxBatchSize"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The coupons expired, and whether more may be waiting.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is out of range.</exception>
    public async Task<ExpiryResult> ExpireDueAsync(int batchSize = DefaultBatchSize, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batchSize, MaxBatchSize);
        var expired = await _store.ExpireAsync(_time.GetUtcNow(), batchSize, cancellationToken).ConfigureAwait(false);
        return new ExpiryResult(expired, expired.Count >= batchSize);
    }
}

/// <summary>The outcome of one run of <see cref="CouponExpiry.ExpireDueAsync"/>.</summary>
/// <param name="Expired">The coupons expired, in their new state.</param>
/// <param name="MayHaveMore">Whether the batch was full, so that more coupons may be waiting; call again.</param>
public sealed record ExpiryResult(IReadOnlyList<IssuedCoupon> Expired, bool MayHaveMore);

/// <summary>
/// Decides which coupons expire and what to write: pure, shared by every <see cref="IExpiryStore"/> so that all behave the same.
/// </summary>
public static class ExpiryPlanner
{
    /// <summary>Plans the expiry of stored coupons.</summary>
    /// <param name="candidates">The stored coupons the store selected.</param>
    /// <param name="now">The current time.</param>
    /// <returns>
    /// The coupons to write (each replaces the stored coupon of the same id whose version is one less) and their events. A
    /// coupon that is not <see cref="CouponState.Available"/>, or whose end has not come, is left out.
    /// </returns>
    public static ExpiryPlan Plan(IEnumerable<IssuedCoupon> candidates, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var updates = new List<IssuedCoupon>();
        var messages = new List<OutboxMessage>();
        foreach (var coupon in candidates)
        {
            if (now < coupon.ValidUntil || !RedemptionTransitions.TryFire(coupon.State, CouponTrigger.Expire, out var next, out _))
            {
                continue;
            }

            var expired = coupon with { State = next, Version = coupon.Version + 1 };
            updates.Add(expired);
            messages.Add(ExpiryEvents.Expired(expired, now));
        }

        return new ExpiryPlan(updates, messages);
    }
}

/// <summary>What a store must write to expire coupons: the plan made by <see cref="ExpiryPlanner"/>.</summary>
/// <param name="CouponUpdates">The coupons, expired.</param>
/// <param name="Messages">The outbox messages.</param>
public sealed record ExpiryPlan(IReadOnlyList<IssuedCoupon> CouponUpdates, IReadOnlyList<OutboxMessage> Messages);
