using System.ComponentModel.DataAnnotations;

namespace CouponKit.Rewards;

/// <summary>
/// Options of order rewards: the rules that turn a paid order into a reward coupon. Checked at start-up
/// (<see cref="Microsoft.Extensions.Options.OptionsValidationException"/> names every bad rule).
/// </summary>
public sealed class RewardOptions
{
    /// <summary>Gets the rules; every rule whose threshold a paid order reaches issues its reward (one per order and rule).</summary>
    /// <value>The default value is no rules: paid orders reward nothing.</value>
    public IList<RewardRule> Rules { get; } = [];

    /// <summary>
    /// Gets or sets how long after a refund a reward coupon that was locked by an unpaid order is looked at again: when the lock
    /// is released it is revoked, when the order is paid the loss is recorded.
    /// </summary>
    /// <value>The default value is 5 minutes.</value>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "LockedRecheckInterval must be between 1 second and 1 day.")]
    public TimeSpan LockedRecheckInterval { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// A reward rule: "orders paid at or over <see cref="MinimumOrderAmount"/> <see cref="Currency"/> get a coupon of
/// <see cref="TemplateId"/>" (the template says what the coupon is: 20 off, valid 30 days, its inventory and per-user limit).
/// </summary>
public sealed class RewardRule
{
    /// <summary>Gets or sets the rule id, unique among the rules; with the order id it makes the reward's claim key.</summary>
    public string RuleId { get; set; } = string.Empty;

    /// <summary>Gets or sets the template whose coupon is the reward; it must be active and allow <see cref="Issuance.ClaimChannels.Push"/>.</summary>
    public string TemplateId { get; set; } = string.Empty;

    /// <summary>Gets or sets the least amount paid that earns the reward, in major units; more than zero.</summary>
    public decimal MinimumOrderAmount { get; set; }

    /// <summary>Gets or sets the ISO 4217 code of <see cref="MinimumOrderAmount"/>; orders in other currencies earn nothing by this rule.</summary>
    public string Currency { get; set; } = string.Empty;
}
