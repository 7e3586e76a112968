using System.Security.Claims;
using System.Text.RegularExpressions;

namespace CouponKit.Samples.WebShop.Security;

/// <summary>The claims, roles and policies of the web shop's tokens.</summary>
public static partial class ShopClaims
{
    /// <summary>The claim with the user id (the token's subject).</summary>
    public const string Subject = "sub";

    /// <summary>The role claim.</summary>
    public const string Role = "role";

    /// <summary>The claim binding a merchant token to one merchant.</summary>
    public const string MerchantId = "merchant_id";

    /// <summary>The role of shoppers: claim, quote, lock, confirm and cancel.</summary>
    public const string UserRole = "user";

    /// <summary>The role of merchants: their own templates only.</summary>
    public const string MerchantRole = "merchant";

    /// <summary>The policy of shopper endpoints.</summary>
    public const string UserPolicy = "user";

    /// <summary>The policy of merchant endpoints.</summary>
    public const string MerchantPolicy = "merchant";

    /// <summary>Gets the user id of an authenticated shopper.</summary>
    /// <param name="user">The principal.</param>
    /// <returns>The user id.</returns>
    public static string UserId(this ClaimsPrincipal user) =>
        user?.FindFirst(Subject)?.Value ?? throw new InvalidOperationException("The endpoint requires an authenticated user.");

    /// <summary>Gets the merchant id of an authenticated merchant.</summary>
    /// <param name="user">The principal.</param>
    /// <returns>The merchant id.</returns>
    public static string Merchant(this ClaimsPrincipal user) =>
        user?.FindFirst(MerchantId)?.Value ?? throw new InvalidOperationException("The endpoint requires an authenticated merchant.");

    /// <summary>Tells whether a merchant id is well formed: 1 to 40 letters, digits, <c>_</c> or <c>-</c> (never the separator).</summary>
    /// <param name="merchantId">The merchant id.</param>
    /// <returns><see langword="true"/> when well formed.</returns>
    public static bool IsValidMerchantId(string? merchantId) => merchantId is not null && MerchantIdPattern().IsMatch(merchantId);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,40}$", RegexOptions.CultureInvariant)]
    private static partial Regex MerchantIdPattern();
}
