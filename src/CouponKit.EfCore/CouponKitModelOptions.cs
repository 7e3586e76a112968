using System.ComponentModel.DataAnnotations;

namespace CouponKit.EfCore;

/// <summary>How CouponKit's tables are named in the shop's database.</summary>
public sealed class CouponKitModelOptions
{
    /// <summary>The default table prefix.</summary>
    public const string DefaultTablePrefix = "ck_";

    /// <summary>Gets or sets the prefix of every CouponKit table name (<c>ck_templates</c>, <c>ck_coupons</c>, ...).</summary>
    /// <value>The default value is <c>ck_</c>.</value>
    [Required(AllowEmptyStrings = true)]
    [MaxLength(32)]
    public string TablePrefix { get; set; } = DefaultTablePrefix;

    /// <summary>Gets or sets the schema of the tables; <see langword="null"/> uses the context's default schema.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    [MaxLength(64)]
    public string? Schema { get; set; }
}
