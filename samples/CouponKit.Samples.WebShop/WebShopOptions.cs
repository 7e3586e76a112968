using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace CouponKit.Samples.WebShop;

/// <summary>The web shop's own settings (section <c>WebShop</c>); CouponKit's are under <c>CouponKit</c>.</summary>
public sealed class WebShopOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "WebShop";

    /// <summary>Gets or sets the largest request body accepted, in bytes; larger ones get 413.</summary>
    /// <value>The default value is 65,536.</value>
    [Range(1_024, 10 * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Gets or sets the most lines one cart may have.</summary>
    /// <value>The default value is 100.</value>
    [Range(1, 1_000)]
    public int MaxCartLines { get; set; } = 100;

    /// <summary>Gets or sets the per-user (or, before sign-in, per-IP) request limit.</summary>
    [Required]
    [ValidateObjectMembers]
    public RateLimitSettings RateLimit { get; set; } = new();

    /// <summary>Gets or sets how bearer tokens are checked (and, in development and tests, minted).</summary>
    [Required]
    [ValidateObjectMembers]
    public JwtSettings Jwt { get; set; } = new();
}

/// <summary>A fixed window of requests per user.</summary>
public sealed class RateLimitSettings
{
    /// <summary>Gets or sets the requests allowed per window.</summary>
    /// <value>The default value is 60.</value>
    [Range(1, 1_000_000)]
    public int PermitLimit { get; set; } = 60;

    /// <summary>Gets or sets the window.</summary>
    /// <value>The default value is 10 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>The JWT bearer settings: one issuer, one audience and a symmetric signing key (HMAC-SHA256).</summary>
public sealed class JwtSettings
{
    /// <summary>Gets or sets the issuer tokens must carry.</summary>
    /// <value>The default value is <c>couponkit-webshop</c>.</value>
    [Required]
    public string Issuer { get; set; } = "couponkit-webshop";

    /// <summary>Gets or sets the audience tokens must carry.</summary>
    /// <value>The default value is <c>couponkit-webshop</c>.</value>
    [Required]
    public string Audience { get; set; } = "couponkit-webshop";

    /// <summary>Gets or sets the signing key: at least 32 characters; from user secrets or the environment, never committed for production.</summary>
    [Required]
    [MinLength(32)]
    public string SigningKey { get; set; } = string.Empty;
}

/// <summary>Validates <see cref="WebShopOptions"/> at start-up (source-generated).</summary>
[OptionsValidator]
internal sealed partial class WebShopOptionsValidator : IValidateOptions<WebShopOptions>
{
}
