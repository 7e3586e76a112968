using CouponKit.Issuance;
using CouponKit.Ports;
using CouponKit.Redemption;
using CouponKit.Statistics;

namespace CouponKit.InMemory;

/// <content>Expiry, recorded discounts, statistics and reconciliation.</content>
public sealed partial class InMemoryCouponKitStore : IExpiryStore, ICouponDiscountStore, IStatisticsStore, IReconciliationStore
{
    private readonly Dictionary<(string OrderId, string CouponId), CouponDiscount> _discounts = new();

    /// <inheritdoc />
    public Task<IReadOnlyList<IssuedCoupon>> ExpireAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var candidates = _coupons.Values
                .Where(c => c.State == CouponState.Available && c.ValidUntil <= now)
                .OrderBy(c => c.ValidUntil)
                .ThenBy(c => c.CouponId, StringComparer.Ordinal)
                .Take(max)
                .ToArray();
            var plan = ExpiryPlanner.Plan(candidates, now);
            foreach (var update in plan.CouponUpdates)
            {
                if (_coupons[update.CouponId].Version != update.Version - 1)
                {
                    throw new ConcurrencyConflictException($"Coupon '{update.CouponId}'");
                }
            }

            foreach (var update in plan.CouponUpdates)
            {
                _coupons[update.CouponId] = update;
            }

            Enqueue(plan.Messages);
            return Task.FromResult(plan.CouponUpdates);
        }
    }

    /// <inheritdoc />
    public Task RecordAsync(IReadOnlyList<CouponDiscount> discounts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(discounts);
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var discount in discounts)
        {
            ArgumentNullException.ThrowIfNull(discount, nameof(discounts));
            Guard.Identifier(discount.OrderId, nameof(discounts));
            Guard.Identifier(discount.CouponId, nameof(discounts));
        }

        lock (_gate)
        {
            foreach (var discount in discounts)
            {
                _discounts[(discount.OrderId, discount.CouponId)] = discount;
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<CouponDiscount>> ListByOrderAsync(string orderId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<CouponDiscount> list = _discounts.Values.Where(d => string.Equals(d.OrderId, orderId, StringComparison.Ordinal)).ToArray();
            return Task.FromResult(list);
        }
    }

    /// <inheritdoc />
    public Task<TemplateStatistics?> GetTemplateStatisticsAsync(string templateId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_templates.ContainsKey(templateId))
            {
                return Task.FromResult<TemplateStatistics?>(null);
            }

            var coupons = _coupons.Values.Where(c => string.Equals(c.TemplateId, templateId, StringComparison.Ordinal)).ToArray();
            var ids = coupons.Select(c => c.CouponId).ToHashSet(StringComparer.Ordinal);
            int locks = 0, released = 0;
            foreach (var records in _records.Values)
            {
                var locked = records.Where(r => r.Phase == TccPhase.Try && r.Origin == TccPhase.Try && ids.Contains(r.CouponId)).Select(r => r.CouponId).ToHashSet(StringComparer.Ordinal);
                locks += locked.Count;
                released += records.Count(r => r.Phase == TccPhase.Cancel && locked.Contains(r.CouponId));
            }

            var granted = new MoneyTotals();
            var withDiscount = 0;
            foreach (var coupon in coupons.Where(c => c.State == CouponState.Used && c.OrderId is not null))
            {
                if (_discounts.TryGetValue((coupon.OrderId!, coupon.CouponId), out var discount))
                {
                    granted.Add(discount.Amount);
                    withDiscount++;
                }
            }

            return Task.FromResult<TemplateStatistics?>(new TemplateStatistics
            {
                TemplateId = templateId,
                Issued = coupons.Length,
                Claimed = coupons.Count(c => c.Channel != ClaimChannels.Push),
                Available = coupons.Count(c => c.State == CouponState.Available),
                Locked = coupons.Count(c => c.State == CouponState.Locked),
                Used = coupons.Count(c => c.State == CouponState.Used),
                Expired = coupons.Count(c => c.State == CouponState.Expired),
                LocksTaken = locks,
                Released = released,
                UsedWithRecordedDiscount = withDiscount,
                DiscountGranted = granted.ToList(),
            });
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<UsedCoupon>> ListUsedAsync(DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var used = new List<UsedCoupon>();
            foreach (var records in _records.Values)
            {
                foreach (var record in records.Where(r => r.Phase == TccPhase.Confirm && r.At >= from && r.At < until))
                {
                    if (_coupons.TryGetValue(record.CouponId, out var coupon)
                        && coupon.State == CouponState.Used
                        && string.Equals(coupon.OrderId, record.OrderId, StringComparison.Ordinal))
                    {
                        var discount = _discounts.TryGetValue((record.OrderId, coupon.CouponId), out var d) ? d.Amount : (Money?)null;
                        used.Add(new UsedCoupon(coupon, record.At, discount));
                    }
                }
            }

            IReadOnlyList<UsedCoupon> list = used.OrderBy(u => u.ConfirmedAt).ThenBy(u => u.Coupon.CouponId, StringComparer.Ordinal).ToArray();
            return Task.FromResult(list);
        }
    }
}
