using Microsoft.Extensions.Options;

namespace CouponKit.Redis.DependencyInjection;

/// <summary>Checks <see cref="RedisCouponKitOptions"/> at start-up (source-generated from its DataAnnotations).</summary>
[OptionsValidator]
internal sealed partial class RedisCouponKitOptionsValidator : IValidateOptions<RedisCouponKitOptions>
{
}
