using CouponKit.Benefits;
using CouponKit.Messaging;
using CouponKit.Redemption;

namespace CouponKit.Core.Tests.Benefits;

public class RedEnvelopeTests
{
    [Fact]
    public async Task ClaimAsync_RedEnvelopeOnClaim_CreditsTheWalletOnceWithTheCouponAndACreditCommand()
    {
        var kit = new BenefitKit();
        var template = await kit.ActiveAsync(BenefitKit.Draft(new RedEnvelopeBenefit(Shop.Cny(8.88m))));

        var first = await kit.ClaimAsync(template.Id, "u1", "k1");
        var replay = await kit.ClaimAsync(template.Id, "u1", "k1");

        Assert.True(replay.IsReplay);
        Assert.Equal(Shop.Cny(8.88m), kit.Wallet.BalanceOf("u1", Currency.CNY));
        var command = Assert.Single(kit.Outbox(BenefitIssuance.CreditTag));
        Assert.Equal(CouponTopics.Coupon, command.Topic);
        Assert.Equal(first.Coupon!.CouponId, command.Key);
        Assert.Equal(Shop.Cny(8.88m), kit.Wallet.Credits[$"benefit:{first.Coupon.CouponId}"]);
    }

    [Fact]
    public async Task HandleAsync_CreditCommandRedelivered_CreditsOnce()
    {
        var kit = new BenefitKit();
        var template = await kit.ActiveAsync(BenefitKit.Draft(new RedEnvelopeBenefit(Shop.Cny(5m))));
        await kit.IssueAsync(template.Id, "u1");
        var command = Assert.Single(kit.Outbox(BenefitIssuance.CreditTag));

        await kit.Consumers.HandleAsync(new IncomingMessage(command, 1), CancellationToken.None);
        await kit.Consumers.HandleAsync(new IncomingMessage(command, 2), CancellationToken.None);

        Assert.Equal(Shop.Cny(5m), kit.Wallet.BalanceOf("u1", Currency.CNY));
    }

    [Fact]
    public async Task HandleAsync_ClaimTimeCreditFailed_CreditCommandCreditsLater()
    {
        var kit = new BenefitKit();
        var template = await kit.ActiveAsync(BenefitKit.Draft(new RedEnvelopeBenefit(Shop.Cny(5m))));
        var failing = new CouponKit.Issuance.CouponClaims(kit.Store, kit.Store, new InMemory.InMemoryRateLimiter(kit.Time), kit.Points, kit.Bus, kit.Time, Microsoft.Extensions.Options.Options.Create(new CouponKitOptions()), wallet: new FailingWallet());

        var result = await failing.ClaimAsync(new() { TemplateId = template.Id, User = Issuance.TestKit.User("u1"), IdempotencyKey = "k1" });
        Assert.True(result.IsIssued);
        Assert.Equal(Money.Zero(Currency.CNY), kit.Wallet.BalanceOf("u1", Currency.CNY));

        await kit.Consumers.HandleAsync(new IncomingMessage(Assert.Single(kit.Outbox(BenefitIssuance.CreditTag)), 1), CancellationToken.None);
        Assert.Equal(Shop.Cny(5m), kit.Wallet.BalanceOf("u1", Currency.CNY));
    }

    [Fact]
    public async Task RedeemAsync_RedEnvelopeOnRedeem_CreditsOnlyWhenRedeemedAndOnce()
    {
        var kit = new BenefitKit();
        var template = await kit.ActiveAsync(BenefitKit.Draft(new RedEnvelopeBenefit(Shop.Cny(20m), CreditTiming.OnRedeem)));
        var coupon = await kit.IssueAsync(template.Id, "u1");
        Assert.Empty(kit.Outbox(BenefitIssuance.CreditTag));
        Assert.Equal(Money.Zero(Currency.CNY), kit.Wallet.BalanceOf("u1", Currency.CNY));

        var stranger = await kit.Redemptions.RedeemAsync(coupon.CouponId, "u2");
        var redeemed = await kit.Redemptions.RedeemAsync(coupon.CouponId, "u1");
        var again = await kit.Redemptions.RedeemAsync(coupon.CouponId, "u1");

        Assert.Equal(BenefitRedemptionRefusal.NotFound, stranger.Refusal);
        Assert.True(redeemed.IsCredited);
        Assert.False(redeemed.IsReplay);
        Assert.Equal(Shop.Cny(20m), redeemed.Amount);
        Assert.True(again.IsCredited);
        Assert.True(again.IsReplay);
        Assert.Equal(Shop.Cny(20m), kit.Wallet.BalanceOf("u1", Currency.CNY));
        Assert.Equal(CouponState.Used, kit.Store.Coupons.Single().State);
    }

    [Fact]
    public async Task RedeemAsync_ExpiredEnvelope_IsRefusedAndCreditsNothing()
    {
        var kit = new BenefitKit();
        var template = await kit.ActiveAsync(BenefitKit.Draft(new RedEnvelopeBenefit(Shop.Cny(20m), CreditTiming.OnRedeem)));
        var coupon = await kit.IssueAsync(template.Id, "u1");
        kit.Time.Advance(TimeSpan.FromDays(8));

        var result = await kit.Redemptions.RedeemAsync(coupon.CouponId, "u1");

        Assert.Equal(BenefitRedemptionRefusal.OutsideValidity, result.Refusal);
        Assert.Empty(kit.Wallet.Credits);
    }

    [Fact]
    public async Task RedeemAsync_CreditedOnClaimOrPlainCoupon_IsNotRedeemable()
    {
        var kit = new BenefitKit();
        var onClaim = await kit.ActiveAsync(BenefitKit.Draft(new RedEnvelopeBenefit(Shop.Cny(1m)), "on-claim"));
        var plain = await kit.ActiveAsync(BenefitKit.Draft(Benefit.Coupon, "plain"));
        var a = await kit.IssueAsync(onClaim.Id, "u1");
        var b = await kit.IssueAsync(plain.Id, "u1");

        Assert.Equal(BenefitRedemptionRefusal.NotRedeemable, (await kit.Redemptions.RedeemAsync(a.CouponId, "u1")).Refusal);
        Assert.Equal(BenefitRedemptionRefusal.NotRedeemable, (await kit.Redemptions.RedeemAsync(b.CouponId, "u1")).Refusal);
        Assert.Equal(CouponState.Available, kit.Store.Coupons.Single(c => c.CouponId == b.CouponId).State);
    }

    [Fact]
    public async Task ClaimAsync_PointsBenefit_CreditsThePointsOncePerCoupon()
    {
        var kit = new BenefitKit();
        var template = await kit.ActiveAsync(BenefitKit.Draft(new PointsBenefit(300), perUser: 2));

        await kit.IssueAsync(template.Id, "u1", "k1");
        await kit.ClaimAsync(template.Id, "u1", "k1");
        await kit.IssueAsync(template.Id, "u1", "k2");
        var third = await kit.ClaimAsync(template.Id, "u1", "k3");

        Assert.Equal(600, kit.Points.BalanceOf("u1"));
        Assert.Equal(CouponKit.Issuance.ClaimRejection.LimitReached, third.Rejection);
    }

    private sealed class FailingWallet : Ports.IWalletLedger
    {
        public Task<bool> CreditAsync(string userId, Money amount, string idempotencyKey, CancellationToken cancellationToken) =>
            throw new TimeoutException("wallet down");
    }
}
