using System.Security.Claims;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CouponKit.Samples.WebShop.Security;

/// <summary>
/// Mints bearer tokens signed with the configured symmetric key, for development (<c>POST /dev/tokens</c>, mapped only in the
/// Development environment) and for tests. A real shop gets its tokens from its identity provider and does not register this.
/// </summary>
public sealed class DevTokenIssuer
{
    private readonly JwtSettings _settings;
    private readonly TimeProvider _time;

    /// <summary>Initializes a new instance of the <see cref="DevTokenIssuer"/> class.</summary>
    /// <param name="options">The web shop's options.</param>
    /// <param name="time">The clock.</param>
    public DevTokenIssuer(IOptions<WebShopOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _settings = options.Value.Jwt;
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <summary>Creates the key tokens are signed and checked with.</summary>
    /// <param name="settings">The settings.</param>
    /// <returns>The key.</returns>
    public static SymmetricSecurityKey SigningKey(JwtSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new SymmetricSecurityKey(Encoding.UTF8.GetBytes(settings.SigningKey));
    }

    /// <summary>Mints a shopper's token.</summary>
    /// <param name="userId">The user id (the subject).</param>
    /// <param name="lifetime">How long the token is valid; 1 hour when <see langword="null"/>.</param>
    /// <returns>The token.</returns>
    public string ForUser(string userId, TimeSpan? lifetime = null) => Issue(userId, [ShopClaims.UserRole], null, lifetime);

    /// <summary>Mints a merchant's token, bound to one merchant.</summary>
    /// <param name="userId">The merchant's staff user id (the subject).</param>
    /// <param name="merchantId">The merchant.</param>
    /// <param name="lifetime">How long the token is valid; 1 hour when <see langword="null"/>.</param>
    /// <returns>The token.</returns>
    public string ForMerchant(string userId, string merchantId, TimeSpan? lifetime = null) => Issue(userId, [ShopClaims.MerchantRole], merchantId, lifetime);

    /// <summary>Mints a token.</summary>
    /// <param name="subject">The subject.</param>
    /// <param name="roles">The roles.</param>
    /// <param name="merchantId">The merchant, for merchant tokens.</param>
    /// <param name="lifetime">How long the token is valid; 1 hour when <see langword="null"/>.</param>
    /// <returns>The token.</returns>
    public string Issue(string subject, IEnumerable<string> roles, string? merchantId = null, TimeSpan? lifetime = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        ArgumentNullException.ThrowIfNull(roles);
        var claims = new List<Claim> { new(ShopClaims.Subject, subject) };
        claims.AddRange(roles.Select(r => new Claim(ShopClaims.Role, r)));
        if (merchantId is not null)
        {
            claims.Add(new Claim(ShopClaims.MerchantId, merchantId));
        }

        var now = _time.GetUtcNow().UtcDateTime;
        var span = lifetime ?? TimeSpan.FromHours(1);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = _settings.Issuer,
            Audience = _settings.Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = span > TimeSpan.Zero ? now : now + span - TimeSpan.FromMinutes(1),
            NotBefore = span > TimeSpan.Zero ? now : now + span - TimeSpan.FromMinutes(1),
            Expires = now + span,
            SigningCredentials = new SigningCredentials(SigningKey(_settings), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }
}
