using CouponKit.InMemory;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Redemption;
using CouponKit.Rules;
using CouponKit.Statistics;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CouponKit.Core.Tests.Statistics;

/// <summary>One in-memory CouponKit with a fake clock: templates, claims, redemptions, expiry and statistics over one store.</summary>
internal sealed class CouponWorld
{
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    public CouponWorld()
    {
        var options = Options.Create(new CouponKitOptions { ClaimsPerUser = 1_000 });
        Templates = new CouponTemplates(Store, Time);
        Claims = new CouponClaims(Store, Store, new InMemoryRateLimiter(Time), new InMemoryPointsLedger(), new RecordingBus(), Time, options);
        Redemptions = new CouponRedemptions(Store, Time, options);
        Expiry = new CouponExpiry(Store, Time);
        Statistics = new CouponStatistics(Store, Store);
        Reconciliation = new CouponReconciliation(Store, Store, Store, Ledger);
    }

    public FakeTimeProvider Time { get; } = new(Start);

    public InMemoryCouponKitStore Store { get; } = new();

    public InMemoryOrderLedger Ledger { get; } = new();

    public CouponTemplates Templates { get; }

    public CouponClaims Claims { get; }

    public CouponRedemptions Redemptions { get; }

    public CouponExpiry Expiry { get; }

    public CouponStatistics Statistics { get; }

    public CouponReconciliation Reconciliation { get; }

    public static Money Cny(decimal amount) => Money.Of(amount, "CNY");

    /// <summary>An active template whose coupons end at a fixed moment.</summary>
    public Task<CouponTemplate> TemplateEndingAtAsync(string id, DateTimeOffset until, int perUser = 10) =>
        ActiveAsync(id, CouponValidity.Between(Start.AddDays(-1), until), perUser);

    /// <summary>An active template whose coupons are valid for some days after their claim.</summary>
    public Task<CouponTemplate> TemplateForDaysAsync(string id, int days, int perUser = 10) =>
        ActiveAsync(id, CouponValidity.ForDaysAfterClaim(days), perUser);

    public async Task<IssuedCoupon> ClaimAsync(string templateId, string userId, ClaimChannels channel = ClaimChannels.Grab)
    {
        var result = await Claims.ClaimAsync(new ClaimRequest
        {
            TemplateId = templateId,
            User = new UserProfile(userId),
            IdempotencyKey = Guid.NewGuid().ToString("N"),
            Channel = channel,
        });
        Assert.True(result.IsIssued, result.ToString());
        return result.Coupon!;
    }

    public async Task LockAsync(string orderId, IssuedCoupon coupon)
    {
        var result = await Redemptions.LockAsync(orderId, coupon.UserId, [coupon.CouponId]);
        Assert.Equal(RedemptionStatus.Locked, result.Status);
    }

    /// <summary>Locks and confirms: the coupon is used by the order.</summary>
    public async Task UseAsync(string orderId, IssuedCoupon coupon, decimal? recordedDiscount = null)
    {
        await LockAsync(orderId, coupon);
        if (recordedDiscount is { } amount)
        {
            await ((ICouponDiscountStore)Store).RecordAsync([new CouponDiscount(orderId, coupon.CouponId, Cny(amount))], CancellationToken.None);
        }

        var result = await Redemptions.ConfirmAsync(orderId, coupon.UserId);
        Assert.Equal(RedemptionStatus.Confirmed, result.Status);
    }

    public async Task ReleaseAsync(string orderId, IssuedCoupon coupon)
    {
        var result = await Redemptions.ReleaseAsync(orderId, coupon.UserId);
        Assert.Equal(RedemptionStatus.Released, result.Status);
    }

    public Task<IssuedCoupon?> FindAsync(string couponId) => ((ICouponStore)Store).FindAsync(couponId, CancellationToken.None);

    /// <summary>Records a paid order in the shop's ledger.</summary>
    public void PaidOrder(string orderId, string userId, params (string CouponId, decimal Discount)[] coupons) =>
        Ledger.Put(new OrderRecord(orderId, userId, OrderPaymentStatus.Paid, Time.GetUtcNow(), coupons.Select(c => new OrderCouponLine(c.CouponId, Cny(c.Discount))).ToArray()));

    private async Task<CouponTemplate> ActiveAsync(string id, CouponValidity validity, int perUser)
    {
        await Templates.CreateAsync(new TemplateDraft
        {
            Id = id,
            Name = "10 off " + id,
            Rule = new FixedAmountRule(Cny(10)),
            TotalInventory = 1_000,
            PerUserLimit = perUser,
            Validity = validity,
        });
        return await Templates.ActivateAsync(id);
    }

    /// <summary>Records what is published; the bus only carries compensations, which these tests never reach.</summary>
    private sealed class RecordingBus : IMessageBus
    {
        public List<OutboxMessage> Published { get; } = [];

        public Task PublishAsync(OutboxMessage message, CancellationToken cancellationToken)
        {
            Published.Add(message);
            return Task.CompletedTask;
        }

        public Task<IAsyncDisposable> SubscribeAsync(Subscription subscription, Func<IncomingMessage, CancellationToken, Task> handler, CancellationToken cancellationToken) =>
            throw new NotSupportedException("These tests do not subscribe.");
    }
}
