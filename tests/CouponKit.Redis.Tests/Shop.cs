using CouponKit.Issuance;
using CouponKit.Rules;

namespace CouponKit.Redis.Tests;

/// <summary>Short builders in the shop's words.</summary>
internal static class Shop
{
    public static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A valid draft: 10.00 off 100.00, valid 7 days after the claim, every channel.</summary>
    public static TemplateDraft Draft(string id, int inventory, int perUserLimit = 1) => new()
    {
        Id = id,
        Name = "10 off 100",
        Rule = new ThresholdRebateRule(Threshold.Spend(Money.Of(100m, "CNY")), Money.Of(10m, "CNY")),
        TotalInventory = inventory,
        PerUserLimit = perUserLimit,
        Validity = CouponValidity.ForDaysAfterClaim(7),
    };
}
