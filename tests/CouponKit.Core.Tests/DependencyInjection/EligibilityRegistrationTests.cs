using CouponKit.InMemory;
using CouponKit.Issuance;
using CouponKit.Ports;
using CouponKit.Redemption;
using CouponKit.Rules;
using Microsoft.Extensions.DependencyInjection;

namespace CouponKit.Core.Tests.DependencyInjection;

/// <summary>The order-history ports are registered with TryAdd, and the services resolved from the container use them.</summary>
public sealed class EligibilityRegistrationTests
{
    [Fact]
    public void AddCouponKit_Defaults_RegistersTheInMemoryOrderHistories()
    {
        using var provider = new ServiceCollection().AddCouponKit().Services.BuildServiceProvider(validateScopes: true);

        Assert.IsType<InMemoryOrderHistory>(provider.GetRequiredService<IOrderHistory>());
        Assert.IsType<InMemoryProductDiscountHistory>(provider.GetRequiredService<IProductDiscountHistory>());
    }

    [Fact]
    public async Task AddCouponKit_ShopsOrderHistory_ReplacesTheDefaultAndDecidesAtQuoteAndTry()
    {
        var shop = new InMemoryOrderHistory();
        shop.RecordPaid("u1");
        var services = new ServiceCollection();
        services.AddSingleton<IOrderHistory>(shop);
        await using var provider = services.AddCouponKit().Services.BuildServiceProvider(validateScopes: true);
        var templates = provider.GetRequiredService<CouponTemplates>();
        await templates.CreateAsync(new TemplateDraft
        {
            Id = "t1",
            Name = "New customers: 10 off",
            Rule = Shop.Rebate(100m, 10m),
            TotalInventory = 10,
            Validity = CouponValidity.ForDaysAfterClaim(7),
            FirstOrderOnly = true,
        });
        await templates.ActivateAsync("t1");
        var claim = await provider.GetRequiredService<CouponClaims>().ClaimAsync(new ClaimRequest { TemplateId = "t1", User = new UserProfile("u1", []), IdempotencyKey = "k1" });
        var cart = new Cart("u1", [Shop.Line("a", 150m)], Shop.Cny(0), TimeProvider.System.GetUtcNow().AddMinutes(1));

        var quote = await provider.GetRequiredService<CouponCheckout>().QuoteAsync(cart);
        var locked = await provider.GetRequiredService<CouponRedemptions>().LockAsync("o1", "u1", [claim.Coupon!.CouponId]);

        Assert.Same(shop, provider.GetRequiredService<IOrderHistory>());
        Assert.Equal(RejectionCode.NotFirstOrder, Assert.Single(quote.Value!.Rejected).Code);
        Assert.Equal(RedemptionRefusal.NotFirstOrder, locked.Refusal);
    }
}
