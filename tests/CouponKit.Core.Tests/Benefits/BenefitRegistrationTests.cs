using CouponKit.Benefits;
using CouponKit.Issuance;
using CouponKit.Messaging.DeadLetters;
using CouponKit.Ports;
using CouponKit.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CouponKit.Core.Tests.Benefits;

public class BenefitRegistrationTests
{
    [Fact]
    public async Task AddCouponKit_Defaults_WiresBenefitsSchedulingAndDeadLetterAdmin()
    {
        await using var provider = new ServiceCollection().AddCouponKit().Services.BuildServiceProvider(validateScopes: true);

        Assert.IsType<InMemory.InMemoryWalletLedger>(provider.GetRequiredService<IWalletLedger>());
        Assert.Same(provider.GetRequiredService<ICouponStore>(), provider.GetRequiredService<IBenefitAuditStore>());
        Assert.NotNull(provider.GetRequiredService<BenefitStatistics>());
        Assert.NotNull(provider.GetRequiredService<BenefitRedemptions>());
        Assert.NotNull(provider.GetRequiredService<IDeadLetterAdmin>());
        Assert.NotNull(provider.GetRequiredService<IDeadLetterAuditLog>());
        Assert.NotNull(provider.GetRequiredService<IIssuanceScheduleStore>());
        var hosted = provider.GetServices<IHostedService>().ToArray();
        Assert.Contains(hosted, h => h is BenefitConsumers);
        Assert.Contains(hosted, h => h is ScheduledIssuance);

        // The claim path resolved from DI credits red envelopes into the registered wallet.
        var templates = provider.GetRequiredService<CouponTemplates>();
        var template = await templates.ActivateAsync((await templates.CreateAsync(BenefitKit.Draft(new RedEnvelopeBenefit(Shop.Cny(6.66m))))).Id);
        var claim = await provider.GetRequiredService<CouponClaims>().ClaimAsync(new ClaimRequest { TemplateId = template.Id, User = Issuance.TestKit.User("u1"), IdempotencyKey = "k1" });
        Assert.True(claim.IsIssued);
        Assert.Equal(Shop.Cny(6.66m), ((InMemory.InMemoryWalletLedger)provider.GetRequiredService<IWalletLedger>()).BalanceOf("u1", Currency.CNY));
    }
}
