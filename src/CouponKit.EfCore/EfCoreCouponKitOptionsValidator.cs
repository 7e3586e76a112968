using Microsoft.Extensions.Options;

namespace CouponKit.EfCore;

/// <summary>Checks the DataAnnotations of <see cref="EfCoreCouponKitOptions"/> (source-generated).</summary>
[OptionsValidator]
internal sealed partial class EfCoreCouponKitOptionsAnnotationsValidator : IValidateOptions<EfCoreCouponKitOptions>
{
}

/// <summary>Validates <see cref="EfCoreCouponKitOptions"/>: the DataAnnotations, then the rules that span several properties.</summary>
internal sealed class EfCoreCouponKitOptionsValidator : IValidateOptions<EfCoreCouponKitOptions>
{
    private readonly EfCoreCouponKitOptionsAnnotationsValidator _annotations = new();

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, EfCoreCouponKitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ValidateOptionsResultBuilder();
        builder.AddResult(_annotations.Validate(name, options));
        if (options.MaxRetryBackoff < options.RetryBackoff)
        {
            builder.AddError("MaxRetryBackoff must not be shorter than RetryBackoff.", nameof(EfCoreCouponKitOptions.MaxRetryBackoff));
        }

        return builder.Build();
    }
}
