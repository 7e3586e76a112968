using CouponKit.Ports;

namespace CouponKit.EfCore.Tests;

/// <summary>The store ports under test, all backed by one store.</summary>
public sealed record StoreUnderTest(
    ITemplateStore Templates,
    ICouponStore Coupons,
    IRedemptionStore Redemptions,
    IOutboxStore Outbox,
    IInboxStore Inbox,
    IDeadLetterStore DeadLetters,
    IExpiryStore Expiry,
    ICouponDiscountStore Discounts,
    IStatisticsStore Statistics,
    IReconciliationStore Reconciliation)
{
    public static StoreUnderTest Of<T>(T store)
        where T : ITemplateStore, ICouponStore, IRedemptionStore, IOutboxStore, IInboxStore, IDeadLetterStore, IExpiryStore, ICouponDiscountStore, IStatisticsStore, IReconciliationStore =>
        new(store, store, store, store, store, store, store, store, store, store);
}
