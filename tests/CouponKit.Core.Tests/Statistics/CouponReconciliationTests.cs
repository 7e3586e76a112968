using CouponKit.Issuance;
using CouponKit.Redemption;
using CouponKit.Statistics;

namespace CouponKit.Core.Tests.Statistics;

public class CouponReconciliationTests
{
    private static readonly DateTimeOffset From = CouponWorld.Start;
    private static readonly DateTimeOffset Until = CouponWorld.Start.AddDays(1);

    private readonly CouponWorld _world = new();

    [Fact]
    public async Task Reconcile_CleanHistory_NoMismatchAndTotalsPerTemplate()
    {
        await _world.TemplateForDaysAsync("t1", days: 7);
        await _world.TemplateForDaysAsync("t2", days: 7);
        var a = await _world.ClaimAsync("t1", "u1");
        var b = await _world.ClaimAsync("t1", "u2");
        var c = await _world.ClaimAsync("t2", "u1");
        var released = await _world.ClaimAsync("t2", "u3");
        await _world.UseAsync("o1", a, recordedDiscount: 10m);
        _world.PaidOrder("o1", "u1", (a.CouponId, 10m));
        await _world.UseAsync("o2", b, recordedDiscount: 8m);
        _world.PaidOrder("o2", "u2", (b.CouponId, 8m));
        await _world.UseAsync("o3", c);
        _world.PaidOrder("o3", "u1", (c.CouponId, 10m));
        await _world.LockAsync("o4", released);
        await _world.ReleaseAsync("o4", released);
        _world.Ledger.Put(new OrderRecord("o4", "u3", OrderPaymentStatus.Cancelled, null, [new OrderCouponLine(released.CouponId, CouponWorld.Cny(10))]));

        var report = await _world.Reconciliation.ReconcileAsync(From, Until);

        Assert.True(report.IsClean, string.Join("\n", report.Mismatches.Select(m => m.Message)));
        Assert.Equal(
            [
                new TemplateReconciliation("t1", 2, 2, [CouponWorld.Cny(18)], [CouponWorld.Cny(18)], 0),
                new TemplateReconciliation("t2", 1, 1, [], [CouponWorld.Cny(10)], 0),
            ],
            report.Templates,
            TemplateComparer.Instance);
    }

    [Fact]
    public async Task Reconcile_EachKindOfMismatch_ReportedOnce()
    {
        await _world.TemplateForDaysAsync("t1", days: 7);
        var coupons = new Dictionary<string, IssuedCoupon>();
        foreach (var name in new[] { "unknown-order", "unpaid-order", "not-on-order", "not-used", "other-order", "discount", "fine" })
        {
            coupons[name] = await _world.ClaimAsync("t1", "user-" + name);
        }

        await _world.UseAsync("o-unknown", coupons["unknown-order"]);

        await _world.UseAsync("o-unpaid", coupons["unpaid-order"]);
        _world.Ledger.Put(new OrderRecord("o-unpaid", "user-unpaid-order", OrderPaymentStatus.Unpaid, null, [new OrderCouponLine(coupons["unpaid-order"].CouponId, CouponWorld.Cny(10))]));

        await _world.UseAsync("o-missing-line", coupons["not-on-order"]);
        _world.PaidOrder("o-missing-line", "user-not-on-order");

        _world.PaidOrder("o-not-used", "user-not-used", (coupons["not-used"].CouponId, 10m));

        await _world.UseAsync("o-real", coupons["other-order"]);
        _world.PaidOrder("o-real", "user-other-order");
        _world.PaidOrder("o-claimed", "user-other-order", (coupons["other-order"].CouponId, 10m));

        await _world.UseAsync("o-discount", coupons["discount"], recordedDiscount: 10m);
        _world.PaidOrder("o-discount", "user-discount", (coupons["discount"].CouponId, 15m));

        await _world.UseAsync("o-fine", coupons["fine"], recordedDiscount: 10m);
        _world.PaidOrder("o-fine", "user-fine", (coupons["fine"].CouponId, 10m));

        var report = await _world.Reconciliation.ReconcileAsync(From, Until);

        Assert.False(report.IsClean);
        Assert.Equal(6, report.Mismatches.Count);
        Assert.Equal(Enum.GetValues<MismatchKind>().Order(), report.Mismatches.Select(m => m.Kind).Order());
        var byKind = report.Mismatches.ToDictionary(m => m.Kind);
        Assert.Equal((coupons["unknown-order"].CouponId, "o-unknown"), (byKind[MismatchKind.OrderUnknown].CouponId, byKind[MismatchKind.OrderUnknown].OrderId));
        Assert.Equal((coupons["unpaid-order"].CouponId, "o-unpaid"), (byKind[MismatchKind.OrderNotPaid].CouponId, byKind[MismatchKind.OrderNotPaid].OrderId));
        Assert.Equal((coupons["not-on-order"].CouponId, "o-missing-line"), (byKind[MismatchKind.CouponNotOnOrder].CouponId, byKind[MismatchKind.CouponNotOnOrder].OrderId));
        var notUsed = byKind[MismatchKind.CouponNotUsed];
        Assert.Equal((coupons["not-used"].CouponId, "o-not-used", CouponState.Available), (notUsed.CouponId, notUsed.OrderId, notUsed.CouponState));
        var other = byKind[MismatchKind.UsedByOtherOrder];
        Assert.Equal((coupons["other-order"].CouponId, "o-claimed", "o-real"), (other.CouponId, other.OrderId, other.CouponOrderId));
        var discount = byKind[MismatchKind.DiscountDiffers];
        Assert.Equal((coupons["discount"].CouponId, CouponWorld.Cny(10), CouponWorld.Cny(15)), (discount.CouponId, discount.RecordedDiscount, discount.OrderDiscount));
        Assert.All(report.Mismatches.Where(m => m.Kind != MismatchKind.CouponNotUsed), m => Assert.Equal(CouponState.Used, m.CouponState));
        var totals = Assert.Single(report.Templates);
        Assert.Equal(("t1", 6, 4, 6), (totals.TemplateId, totals.UsedCoupons, totals.CouponsOnPaidOrders, totals.Mismatches));
    }

    [Fact]
    public async Task Reconcile_PaidOrderWithUnknownCoupon_CouponNotUsed()
    {
        _world.PaidOrder("o1", "u1", ("no-such-coupon", 5m));

        var report = await _world.Reconciliation.ReconcileAsync(From, Until);

        var mismatch = Assert.Single(report.Mismatches);
        Assert.Equal((MismatchKind.CouponNotUsed, "no-such-coupon", null, null), (mismatch.Kind, mismatch.CouponId, mismatch.TemplateId, mismatch.CouponState));
        Assert.Empty(report.Templates);
    }

    [Fact]
    public async Task Reconcile_CouponConfirmedBeforeThePeriod_OrderPaidInIt_StillComparesTheDiscount()
    {
        await _world.TemplateForDaysAsync("t1", days: 7);
        var coupon = await _world.ClaimAsync("t1", "u1");
        await _world.UseAsync("o1", coupon, recordedDiscount: 10m);
        _world.Time.Advance(TimeSpan.FromDays(1));
        _world.PaidOrder("o1", "u1", (coupon.CouponId, 12m));

        var report = await _world.Reconciliation.ReconcileAsync(Until, Until.AddDays(1));

        var mismatch = Assert.Single(report.Mismatches);
        Assert.Equal(MismatchKind.DiscountDiffers, mismatch.Kind);
    }

    [Fact]
    public async Task Reconcile_EmptyPeriod_Throws()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _world.Reconciliation.ReconcileAsync(From, From));
    }

    private sealed class TemplateComparer : IEqualityComparer<TemplateReconciliation>
    {
        public static readonly TemplateComparer Instance = new();

        public bool Equals(TemplateReconciliation? x, TemplateReconciliation? y) =>
            x is not null && y is not null
            && (x.TemplateId, x.UsedCoupons, x.CouponsOnPaidOrders, x.Mismatches) == (y.TemplateId, y.UsedCoupons, y.CouponsOnPaidOrders, y.Mismatches)
            && x.RecordedDiscount.SequenceEqual(y.RecordedDiscount)
            && x.OrderDiscount.SequenceEqual(y.OrderDiscount);

        public int GetHashCode(TemplateReconciliation obj) => obj.TemplateId.GetHashCode(StringComparison.Ordinal);
    }
}
