using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using CouponKit.Issuance;
using CouponKit.Ports;
using CouponKit.Redemption;
using CouponKit.Rules;
using CouponKit.Samples.WebShop.Contracts;
using CouponKit.Samples.WebShop.Problems;
using CouponKit.Samples.WebShop.Security;
using CouponKit.Statistics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace CouponKit.Samples.WebShop.Endpoints;

/// <summary>The shopper's endpoints: claim, my coupons, quote, and the order's lock, confirm and cancel. The user is the token's subject.</summary>
public static class ShopperEndpoints
{
    /// <summary>The header that carries a claim's idempotency key.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>The longest idempotency key accepted.</summary>
    public const int MaxIdempotencyKeyLength = 100;

    /// <summary>Maps the endpoints.</summary>
    /// <param name="app">The routes.</param>
    /// <returns>The group.</returns>
    public static RouteGroupBuilder MapShopperEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(string.Empty).RequireAuthorization(ShopClaims.UserPolicy).WithTags("Shopper");
        group.MapPost("/coupons/claims", ClaimAsync).WithName("ClaimCoupon").WithSummary("Claims (grabs) a coupon of a template; retry with the same Idempotency-Key.");
        group.MapGet("/coupons/mine", MineAsync).WithName("MyCoupons").WithSummary("Lists the shopper's coupons.");
        group.MapPost("/quotes", QuoteAsync).WithName("QuoteCart").WithSummary("Prices a cart with the best combination of the shopper's coupons.");
        group.MapPost("/orders/{orderId}/lock", LockAsync).WithName("LockCoupons").WithSummary("TCC Try: locks coupons for an unpaid order.");
        group.MapPost("/orders/{orderId}/confirm", ConfirmAsync).WithName("ConfirmOrder").WithSummary("TCC Confirm: the order is paid; its coupons are used.");
        group.MapPost("/orders/{orderId}/cancel", CancelAsync).WithName("CancelOrder").WithSummary("TCC Cancel: the order failed; its coupons are released.");
        return group;
    }

    private static async Task<IResult> ClaimAsync(
        ClaimBody body,
        [FromHeader(Name = IdempotencyKeyHeader)] string? idempotencyKey,
        ClaimsPrincipal user,
        HttpContext http,
        CouponClaims claims,
        CancellationToken cancellationToken)
    {
        var errors = new Errors();
        errors.Identifier("templateId", body.TemplateId);
        if (string.IsNullOrWhiteSpace(idempotencyKey) || idempotencyKey.Length > MaxIdempotencyKeyLength)
        {
            errors.Add(IdempotencyKeyHeader, $"the header is required: 1 to {MaxIdempotencyKeyLength} characters.");
        }

        if (errors.Any)
        {
            return errors.Result();
        }

        var userId = user.UserId();
        var result = await claims.ClaimAsync(
            new ClaimRequest
            {
                TemplateId = body.TemplateId!,
                User = new UserProfile(userId),
                IdempotencyKey = ScopedKey(userId, idempotencyKey!),
                ClientIp = http.Connection.RemoteIpAddress?.ToString(),
            },
            cancellationToken).ConfigureAwait(false);
        if (!result.IsIssued)
        {
            return ShopProblems.ClaimRefused(result, http);
        }

        var view = new ClaimView(CouponView.Of(result.Coupon!), result.IsReplay);
        return result.IsReplay ? Results.Ok(view) : Results.Created("/coupons/mine", view);
    }

    private static async Task<IResult> MineAsync(ClaimsPrincipal user, ICouponStore coupons, ITemplateStore templates, CancellationToken cancellationToken)
    {
        var wallet = await coupons.ListByUserAsync(user.UserId(), cancellationToken).ConfigureAwait(false);
        var names = new Dictionary<string, string?>(StringComparer.Ordinal);
        var views = new List<CouponView>(wallet.Count);
        foreach (var coupon in wallet)
        {
            if (!names.TryGetValue(coupon.TemplateId, out var name))
            {
                name = names[coupon.TemplateId] = (await templates.FindAsync(coupon.TemplateId, cancellationToken).ConfigureAwait(false))?.Name;
            }

            views.Add(CouponView.Of(coupon, name));
        }

        return Results.Ok(views);
    }

    private static async Task<IResult> QuoteAsync(
        QuoteBody body,
        ClaimsPrincipal user,
        ICouponStore coupons,
        ITemplateStore templates,
        QuoteEngine engine,
        TimeProvider time,
        IOptions<WebShopOptions> options,
        CancellationToken cancellationToken)
    {
        var errors = new Errors();
        Carts.Check(body.Cart, options.Value.MaxCartLines, errors);
        errors.Identifiers("couponIds", body.CouponIds, 0, CouponRedemptions.MaxCouponsPerOrder);
        if (errors.Any)
        {
            return errors.Result();
        }

        var userId = user.UserId();
        var cart = Carts.Build(body.Cart!, userId, time.GetUtcNow());
        var (candidates, missing) = await WalletAsync(userId, body.CouponIds, coupons, templates, cancellationToken).ConfigureAwait(false);
        if (missing is not null)
        {
            return ShopProblems.Result(StatusCodes.Status404NotFound, "coupon_not_found", $"coupon '{missing}' is not an available coupon of this user");
        }

        return Results.Ok(QuoteView.Of(engine.Quote(cart, candidates)));
    }

    private static async Task<IResult> LockAsync(
        string orderId,
        LockBody body,
        ClaimsPrincipal user,
        CouponRedemptions redemptions,
        ICouponStore coupons,
        ITemplateStore templates,
        QuoteEngine engine,
        CouponStatistics statistics,
        TimeProvider time,
        IOptions<WebShopOptions> options,
        CancellationToken cancellationToken)
    {
        var errors = new Errors();
        errors.Identifier("orderId", orderId);
        errors.Identifiers("couponIds", body.CouponIds, 1, CouponRedemptions.MaxCouponsPerOrder);
        if (body.Cart is not null)
        {
            Carts.Check(body.Cart, options.Value.MaxCartLines, errors);
        }

        if (errors.Any)
        {
            return errors.Result();
        }

        var userId = user.UserId();
        Quote? priced = null;
        if (body.Cart is not null)
        {
            // Check the chosen coupons against the order's cart before locking; a coupon that is not the user's is left to the
            // core, which refuses it exactly as an unknown one.
            var cart = Carts.Build(body.Cart, userId, time.GetUtcNow());
            var (chosen, missing) = await WalletAsync(userId, body.CouponIds, coupons, templates, cancellationToken).ConfigureAwait(false);
            if (missing is null)
            {
                var validation = engine.Validate(cart, chosen);
                if (!validation.IsValid)
                {
                    return ShopProblems.Result(
                        StatusCodes.Status422UnprocessableEntity,
                        "coupons_not_applicable",
                        string.Join("; ", validation.Rejected.Select(r => $"{r.CouponId}: {r.Message}")),
                        new Dictionary<string, object?> { ["rejected"] = validation.Rejected.Select(r => new RejectionView(r.CouponId, r.Code, r.Message, r.Shortfall?.Amount)).ToArray() });
                }

                priced = validation.Quote;
            }
        }

        var result = await redemptions.LockAsync(orderId, userId, body.CouponIds!, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            return ShopProblems.RedemptionRefused(result);
        }

        if (priced is not null)
        {
            await statistics.RecordDiscountsAsync(orderId, priced, cancellationToken).ConfigureAwait(false);
        }

        return Results.Ok(View(orderId, result));
    }

    private static async Task<IResult> ConfirmAsync(string orderId, ClaimsPrincipal user, CouponRedemptions redemptions, CancellationToken cancellationToken)
    {
        var errors = new Errors();
        errors.Identifier("orderId", orderId);
        if (errors.Any)
        {
            return errors.Result();
        }

        var result = await redemptions.ConfirmAsync(orderId, user.UserId(), cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? Results.Ok(View(orderId, result)) : ShopProblems.RedemptionRefused(result);
    }

    private static async Task<IResult> CancelAsync(string orderId, CancelBody? body, ClaimsPrincipal user, CouponRedemptions redemptions, CancellationToken cancellationToken)
    {
        var errors = new Errors();
        errors.Identifier("orderId", orderId);
        errors.Identifiers("couponIds", body?.CouponIds, 0, CouponRedemptions.MaxCouponsPerOrder);
        if (body?.Reason is { Length: > 200 })
        {
            errors.Add("reason", "must be at most 200 characters.");
        }

        if (errors.Any)
        {
            return errors.Result();
        }

        var result = await redemptions.ReleaseAsync(orderId, user.UserId(), body?.CouponIds, body?.Reason ?? "cancelled by the shopper", cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? Results.Ok(View(orderId, result)) : ShopProblems.RedemptionRefused(result);
    }

    private static RedemptionView View(string orderId, RedemptionResult result) =>
        new(orderId, result.Status, result.Message, result.Coupons.Select(c => CouponView.Of(c)).ToArray());

    /// <summary>
    /// The shopper's available coupons as the rule engine sees them: all of them, or only <paramref name="only"/>, in which case
    /// the first id that is not an available coupon of the user is returned as missing.
    /// </summary>
    private static async Task<(List<Coupon> Coupons, string? Missing)> WalletAsync(string userId, IReadOnlyList<string>? only, ICouponStore coupons, ITemplateStore templates, CancellationToken cancellationToken)
    {
        var wallet = (await coupons.ListByUserAsync(userId, cancellationToken).ConfigureAwait(false))
            .Where(c => c.State == CouponState.Available)
            .ToDictionary(c => c.CouponId, StringComparer.Ordinal);
        var picked = new List<IssuedCoupon>();
        if (only is null)
        {
            picked.AddRange(wallet.Values);
        }
        else
        {
            foreach (var id in only)
            {
                if (!wallet.TryGetValue(id, out var coupon))
                {
                    return ([], id);
                }

                picked.Add(coupon);
            }
        }

        var cache = new Dictionary<string, CouponTemplate?>(StringComparer.Ordinal);
        var result = new List<Coupon>(picked.Count);
        foreach (var coupon in picked)
        {
            if (!cache.TryGetValue(coupon.TemplateId, out var template))
            {
                template = cache[coupon.TemplateId] = await templates.FindAsync(coupon.TemplateId, cancellationToken).ConfigureAwait(false);
            }

            if (template is not null)
            {
                result.Add(template.ToCoupon(coupon));
            }
        }

        return (result, null);
    }

    /// <summary>Idempotency keys are per user: the same header value from two users is two keys, and neither learns of the other.</summary>
    private static string ScopedKey(string userId, string key) =>
        "web:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(userId.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + userId + ":" + key)));
}
