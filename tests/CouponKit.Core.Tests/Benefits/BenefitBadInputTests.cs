using CouponKit.Benefits;
using CouponKit.Scheduling;

namespace CouponKit.Core.Tests.Benefits;

public class BenefitBadInputTests
{
    [Fact]
    public void Uniform_MinAboveMax_ThrowsRangeInverted()
    {
        var error = Assert.Throws<InvalidBenefitException>(() => LuckyDraw.Uniform(Shop.Cny(20m), Shop.Cny(3m)));
        Assert.Equal(BenefitError.RangeInverted, error.Error);
        Assert.Equal("invalid_benefit", error.ErrorCode);
    }

    [Theory]
    [InlineData(0L, 0L)]
    [InlineData(-1L, 1L)]
    [InlineData(-5L, 2L)]
    public void Weighted_WeightsNotSummingToAPositiveTotal_ThrowsWeightsNotPositive(long first, long second)
    {
        var error = Assert.Throws<InvalidBenefitException>(() => LuckyDraw.Weighted(new(Shop.Cny(5m), first), new(Shop.Cny(1m), second)));
        Assert.Equal(BenefitError.WeightsNotPositive, error.Error);
    }

    [Fact]
    public void Amounts_NotPositiveOrFractionalOrMixed_AreTypedErrors()
    {
        Assert.Equal(BenefitError.AmountNotPositive, Assert.Throws<InvalidBenefitException>(() => new RedEnvelopeBenefit(Shop.Cny(0m))).Error);
        Assert.Equal(BenefitError.NotWholeMinorUnits, Assert.Throws<InvalidBenefitException>(() => new RedEnvelopeBenefit(Shop.Cny(0.005m))).Error);
        Assert.Equal(BenefitError.AmountNotPositive, Assert.Throws<InvalidBenefitException>(() => new PointsBenefit(0)).Error);
        Assert.Equal(BenefitError.CurrencyMismatch, Assert.Throws<InvalidBenefitException>(() => LuckyDraw.Uniform(Shop.Cny(1m), Money.Of(2m, "USD"))).Error);
        Assert.Equal(BenefitError.Missing, Assert.Throws<InvalidBenefitException>(() => LuckyDraw.Weighted()).Error);
        Assert.Equal(BenefitError.Missing, Assert.Throws<InvalidBenefitException>(() => new RedEnvelopeBenefit(default)).Error);
    }

    [Fact]
    public async Task CreateAsync_SplitTotalTooSmallForTheCount_ThrowsTotalTooSmallAndCreatesNothing()
    {
        var kit = new BenefitKit();

        var error = await Assert.ThrowsAsync<InvalidBenefitException>(() => kit.Templates.CreateAsync(BenefitKit.Draft(new SplitRedEnvelopeBenefit(Shop.Cny(0.99m)), inventory: 100)));

        Assert.Equal(BenefitError.TotalTooSmall, error.Error);
        Assert.Null(await kit.Store.FindAsync("b1", CancellationToken.None));
        Assert.Empty(kit.Store.OutboxEntries);
    }

    [Fact]
    public async Task CreateAsync_SplitWithTooManyShares_ThrowsTooManySharesAndCreatesNothing()
    {
        var kit = new BenefitKit();

        var error = await Assert.ThrowsAsync<InvalidBenefitException>(() => kit.Templates.CreateAsync(BenefitKit.Draft(new SplitRedEnvelopeBenefit(Shop.Cny(1_000_000m)), inventory: SplitRedEnvelopeBenefit.MaxShares + 1)));

        Assert.Equal(BenefitError.TooManyShares, error.Error);
        Assert.Null(await kit.Store.FindAsync("b1", CancellationToken.None));
    }

    [Fact]
    public void Resolve_ScheduleInThePast_ThrowsScheduleInPast()
    {
        var error = Assert.Throws<ScheduleInPastException>(() => DelayLevels.Resolve(Delivery.AtTime(Shop.Now.AddSeconds(-1)), Shop.Now));
        Assert.Equal("schedule_in_past", error.ErrorCode);
        Assert.Equal(Shop.Now.AddSeconds(-1), error.Requested);
        Assert.Throws<ScheduleInPastException>(() => DelayLevels.Resolve(Delivery.After(TimeSpan.FromSeconds(-5)), Shop.Now));
    }
}
