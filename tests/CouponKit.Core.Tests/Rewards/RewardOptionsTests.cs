using CouponKit.Rewards;
using CouponKit.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CouponKit.Core.Tests.Rewards;

/// <summary>Reward rules are checked at start-up: each bad rule is named, and nothing starts.</summary>
public sealed class RewardOptionsTests
{
    [Theory]
    [InlineData(0, "CNY", "MinimumOrderAmount must be more than zero")]
    [InlineData(-5, "CNY", "MinimumOrderAmount must be more than zero")]
    [InlineData(300, "XXQ", "Currency 'XXQ' is not a known")]
    public void Validate_BadThresholdOrCurrency_Fails(decimal minimum, string currency, string expected)
    {
        var options = new RewardOptions();
        options.Rules.Add(new RewardRule { RuleId = "r1", TemplateId = "t1", MinimumOrderAmount = minimum, Currency = currency });

        var result = new RewardOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Rules[0]." + expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BlankIdsAndDuplicateRules_FailEach()
    {
        var options = new RewardOptions();
        options.Rules.Add(new RewardRule { RuleId = "r1", TemplateId = "t1", MinimumOrderAmount = 1m, Currency = "CNY" });
        options.Rules.Add(new RewardRule { RuleId = "r1", TemplateId = " ", MinimumOrderAmount = 1m, Currency = "CNY" });

        var result = new RewardOptionsValidator().Validate(null, options);

        Assert.Equal(2, result.Failures!.Count());
        Assert.Contains("Rules[1].RuleId 'r1' is used by another rule", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Rules[1].TemplateId", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_GoodRulesAndNone_Succeed()
    {
        var options = new RewardOptions();
        Assert.True(new RewardOptionsValidator().Validate(null, options).Succeeded);
        options.Rules.Add(new RewardRule { RuleId = "r300", TemplateId = "t20", MinimumOrderAmount = 300m, Currency = "cny" });
        Assert.True(new RewardOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public async Task AddCouponKit_RuleWithNonPositiveThreshold_FailsAtStartAndSubscribesNothing()
    {
        var services = new ServiceCollection();
        services.AddCouponKit();
        services.Configure<RewardOptions>(o => o.Rules.Add(new RewardRule { RuleId = "r1", TemplateId = "t1", MinimumOrderAmount = 0m, Currency = "CNY" }));
        await using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RewardOptions>>().Value);

        Assert.Contains("MinimumOrderAmount", ex.Message, StringComparison.Ordinal);
        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<RewardConsumers>());
    }

    [Fact]
    public async Task AddCouponKit_RegistersRewardsAndScheduledPushesAsHostedServices()
    {
        var services = new ServiceCollection();
        services.AddCouponKit();
        await using var provider = services.BuildServiceProvider();

        var hosted = provider.GetServices<IHostedService>().ToArray();

        Assert.Contains(hosted, s => s is RewardConsumers);
        Assert.Contains(hosted, s => s is ScheduledPushIssuance);
        Assert.IsType<CouponKit.InMemory.InMemoryRewardLedger>(provider.GetRequiredService<IRewardLedger>());
        Assert.IsType<CouponKit.InMemory.InMemoryCouponKitStore>(provider.GetRequiredService<ICouponRevocationStore>());
    }
}
