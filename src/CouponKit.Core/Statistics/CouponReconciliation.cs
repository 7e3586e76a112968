using CouponKit.Issuance;
using CouponKit.Ports;
using CouponKit.Redemption;

namespace CouponKit.Statistics;

/// <summary>
/// Reconciles a period: compares the coupons CouponKit records as used (with the discounts recorded when their orders were
/// placed) with the shop's orders (<see cref="IOrderLedger"/>), both ways, and reports each mismatch. From CouponKit's side, each
/// coupon confirmed in the period must be on its order, and that order paid; from the shop's side, each coupon on an order
/// paid in the period must be used by that order. Where both sides have an amount, they must be equal.
/// </summary>
public sealed class CouponReconciliation
{
    private readonly IReconciliationStore _store;
    private readonly ICouponStore _coupons;
    private readonly ICouponDiscountStore _discounts;
    private readonly IOrderLedger _orders;

    /// <summary>Initializes a new instance of the <see cref="CouponReconciliation"/> class.</summary>
    /// <param name="store">The reconciliation store.</param>
    /// <param name="coupons">The coupon store.</param>
    /// <param name="discounts">The recorded discounts.</param>
    /// <param name="orders">The shop's order records.</param>
    public CouponReconciliation(IReconciliationStore store, ICouponStore coupons, ICouponDiscountStore discounts, IOrderLedger orders)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _coupons = coupons ?? throw new ArgumentNullException(nameof(coupons));
        _discounts = discounts ?? throw new ArgumentNullException(nameof(discounts));
        _orders = orders ?? throw new ArgumentNullException(nameof(orders));
    }

    /// <summary>Reconciles a period.</summary>
    /// <param name="from">The start of the period.</param>
    /// <param name="until">The end of the period (exclusive), after <paramref name="from"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentException">The period ends before or when it starts.</exception>
    public async Task<ReconciliationReport> ReconcileAsync(DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        if (until <= from)
        {
            throw new ArgumentException("The period must end after it starts.", nameof(until));
        }

        var used = await _store.ListUsedAsync(from, until, cancellationToken).ConfigureAwait(false);
        var paid = await _orders.ListPaidAsync(from, until, cancellationToken).ConfigureAwait(false);

        var orders = new Dictionary<string, OrderRecord?>(StringComparer.Ordinal);
        foreach (var order in paid)
        {
            orders[order.OrderId] = order;
        }

        foreach (var orderId in used.Select(u => u.Coupon.OrderId!).Distinct(StringComparer.Ordinal))
        {
            if (!orders.ContainsKey(orderId))
            {
                orders[orderId] = await _orders.FindAsync(orderId, cancellationToken).ConfigureAwait(false);
            }
        }

        var onPaidOrders = orders.Values
            .Where(o => o is { Status: OrderPaymentStatus.Paid })
            .SelectMany(o => o!.Coupons.Select(l => l.CouponId))
            .ToHashSet(StringComparer.Ordinal);
        var totals = new SortedDictionary<string, Totals>(StringComparer.Ordinal);
        var mismatches = new List<ReconciliationMismatch>();
        var matched = new HashSet<(string OrderId, string CouponId)>();
        var usedById = new Dictionary<string, UsedCoupon>(StringComparer.Ordinal);

        foreach (var u in used)
        {
            var coupon = u.Coupon;
            var orderId = coupon.OrderId!;
            usedById[coupon.CouponId] = u;
            var t = TotalsOf(totals, coupon.TemplateId);
            t.Used++;
            if (u.Discount is { } recorded)
            {
                t.Recorded.Add(recorded);
            }

            var order = orders[orderId];
            var line = order?.Coupons.FirstOrDefault(l => string.Equals(l.CouponId, coupon.CouponId, StringComparison.Ordinal));
            if (order is null)
            {
                mismatches.Add(Mismatch(MismatchKind.OrderUnknown, coupon, orderId, null, u.Discount, null, $"coupon '{coupon.CouponId}' is used by order '{orderId}', which the shop does not know"));
            }
            else if (order.Status != OrderPaymentStatus.Paid)
            {
                mismatches.Add(Mismatch(MismatchKind.OrderNotPaid, coupon, orderId, null, u.Discount, line?.Discount, $"coupon '{coupon.CouponId}' is used by order '{orderId}', which the shop records as {order.Status}"));
            }
            else if (line is null)
            {
                if (!onPaidOrders.Contains(coupon.CouponId))
                {
                    mismatches.Add(Mismatch(MismatchKind.CouponNotOnOrder, coupon, orderId, null, u.Discount, null, $"coupon '{coupon.CouponId}' is used by order '{orderId}', but the shop's order does not list it"));
                }

                // otherwise another paid order lists it: reported once, as UsedByOtherOrder, from the shop's side.
            }
            else
            {
                matched.Add((orderId, coupon.CouponId));
                if (u.Discount is { } r && r != line.Discount)
                {
                    mismatches.Add(DiscountDiffers(coupon, orderId, r, line.Discount));
                }
            }
        }

        foreach (var order in paid)
        {
            foreach (var line in order.Coupons)
            {
                var coupon = usedById.TryGetValue(line.CouponId, out var u)
                    ? u.Coupon
                    : await _coupons.FindAsync(line.CouponId, cancellationToken).ConfigureAwait(false);
                if (coupon is null)
                {
                    mismatches.Add(new ReconciliationMismatch(MismatchKind.CouponNotUsed, line.CouponId, null, order.OrderId, null, null, null, line.Discount, $"paid order '{order.OrderId}' lists coupon '{line.CouponId}', which CouponKit does not know"));
                    continue;
                }

                var t = TotalsOf(totals, coupon.TemplateId);
                t.OnPaidOrders++;
                t.Ordered.Add(line.Discount);
                if (matched.Contains((order.OrderId, coupon.CouponId)))
                {
                    continue;
                }

                if (coupon.State != CouponState.Used)
                {
                    mismatches.Add(Mismatch(MismatchKind.CouponNotUsed, coupon, order.OrderId, null, null, line.Discount, $"paid order '{order.OrderId}' lists coupon '{coupon.CouponId}', which is {coupon.State}"));
                }
                else if (!string.Equals(coupon.OrderId, order.OrderId, StringComparison.Ordinal))
                {
                    mismatches.Add(Mismatch(MismatchKind.UsedByOtherOrder, coupon, order.OrderId, coupon.OrderId, null, line.Discount, $"paid order '{order.OrderId}' lists coupon '{coupon.CouponId}', which order '{coupon.OrderId}' used"));
                }
                else
                {
                    // Used by this order, but confirmed outside the period: compare the amounts all the same.
                    var recorded = (await _discounts.ListByOrderAsync(order.OrderId, cancellationToken).ConfigureAwait(false))
                        .FirstOrDefault(d => string.Equals(d.CouponId, coupon.CouponId, StringComparison.Ordinal))?.Amount;
                    if (recorded is { } r && r != line.Discount)
                    {
                        mismatches.Add(DiscountDiffers(coupon, order.OrderId, r, line.Discount));
                    }
                }
            }
        }

        var perTemplate = mismatches.Where(m => m.TemplateId is not null).GroupBy(m => m.TemplateId!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var templates = totals.Select(kv => new TemplateReconciliation(kv.Key, kv.Value.Used, kv.Value.OnPaidOrders, kv.Value.Recorded.ToList(), kv.Value.Ordered.ToList(), perTemplate.GetValueOrDefault(kv.Key))).ToArray();
        return new ReconciliationReport(from, until, mismatches, templates);
    }

    private static Totals TotalsOf(SortedDictionary<string, Totals> totals, string templateId)
    {
        if (!totals.TryGetValue(templateId, out var t))
        {
            totals[templateId] = t = new Totals();
        }

        return t;
    }

    private static ReconciliationMismatch Mismatch(MismatchKind kind, IssuedCoupon coupon, string orderId, string? couponOrderId, Money? recorded, Money? ordered, string message) =>
        new(kind, coupon.CouponId, coupon.TemplateId, orderId, couponOrderId, coupon.State, recorded, ordered, message);

    private static ReconciliationMismatch DiscountDiffers(IssuedCoupon coupon, string orderId, Money recorded, Money ordered) =>
        Mismatch(MismatchKind.DiscountDiffers, coupon, orderId, null, recorded, ordered, $"coupon '{coupon.CouponId}' on order '{orderId}': the order's discount {ordered} differs from the {recorded} recorded when it was placed");

    private sealed class Totals
    {
        public int Used { get; set; }

        public int OnPaidOrders { get; set; }

        public MoneyTotals Recorded { get; } = new();

        public MoneyTotals Ordered { get; } = new();
    }
}
