using System.ComponentModel.DataAnnotations;
using CouponKit.Messaging;
using Microsoft.Extensions.Options;

namespace CouponKit.Issuance.Gated;

/// <summary>Options of the gated (asynchronous) claim flow, <see cref="GatedClaims"/> and its <see cref="GatedIssueConsumer"/>. Checked at start-up.</summary>
public sealed class GatedClaimOptions
{
    /// <summary>Gets or sets how many deliveries of an issue command are tried before it is dead-lettered (and its reservation given back).</summary>
    /// <value>The default value is 16.</value>
    [Range(1, 1_000)]
    public int MaxDeliveryAttempts { get; set; } = 16;

    /// <summary>Gets or sets the delay before the second delivery of an issue command; it doubles at each further attempt.</summary>
    /// <value>The default value is 1 second.</value>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00", ErrorMessage = "InitialBackoff must be between 1 millisecond and 1 hour.")]
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the longest delay between two deliveries of an issue command.</summary>
    /// <value>The default value is 5 minutes.</value>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00", ErrorMessage = "MaxBackoff must be between 1 millisecond and 1 day.")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets the subscription of the issue consumer built from these options.</summary>
    /// <returns>The subscription.</returns>
    public Subscription ToSubscription() => new()
    {
        ConsumerGroup = GatedIssueConsumer.ConsumerGroup,
        Topic = CouponTopics.Coupon,
        Tags = [CouponTopics.Issue],
        MaxDeliveryAttempts = MaxDeliveryAttempts,
        InitialBackoff = InitialBackoff,
        MaxBackoff = MaxBackoff < InitialBackoff ? InitialBackoff : MaxBackoff,
    };
}

/// <summary>Checks <see cref="GatedClaimOptions"/> (source-generated from its DataAnnotations).</summary>
[OptionsValidator]
internal sealed partial class GatedClaimOptionsValidator : IValidateOptions<GatedClaimOptions>
{
}
