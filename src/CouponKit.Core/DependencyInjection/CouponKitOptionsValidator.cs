using Microsoft.Extensions.Options;

namespace CouponKit.DependencyInjection;

/// <summary>Checks <see cref="CouponKitOptions"/> at start-up (source-generated from its DataAnnotations).</summary>
[OptionsValidator]
internal sealed partial class CouponKitOptionsValidator : IValidateOptions<CouponKitOptions>
{
}

/// <summary>Checks <see cref="Issuance.ExpiryReminderOptions"/> at start-up (source-generated from its DataAnnotations).</summary>
[OptionsValidator]
internal sealed partial class ExpiryReminderOptionsValidator : IValidateOptions<Issuance.ExpiryReminderOptions>
{
}
