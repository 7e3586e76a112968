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
        CouponCheckout checkout,
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

        // The core checks every named id (the user's, available, accepted by the cart's shop) before pricing anything.
        var cart = Carts.Build(body.Cart!, user.UserId(), time.GetUtcNow());
        var result = await checkout.QuoteAsync(cart, body.CouponIds, cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? Results.Ok(QuoteView.Of(result.Value!)) : ShopProblems.CouponRefused(result.Refusal!);
    }

    private static async Task<IResult> LockAsync(
        string orderId,
        LockBody body,
        ClaimsPrincipal user,
        CouponRedemptions redemptions,
        CouponCheckout checkout,
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
            // Check the chosen coupons against the order's cart before locking: the shop must accept them and the rules must
            // apply. A coupon that is not the user's, or not available, is left to the Try, which refuses it exactly as the
            // core does for an unknown one.
            var cart = Carts.Build(body.Cart, userId, time.GetUtcNow());
            var checkedOut = await checkout.ValidateAsync(cart, body.CouponIds!, cancellationToken).ConfigureAwait(false);
            if (checkedOut.Refusal is { Reason: CouponKit.Security.CouponAccessReason.NotAcceptedByShop } refusal)
            {
                return ShopProblems.CouponRefused(refusal);
            }

            if (checkedOut.Value is { } validation)
            {
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

    /// <summary>Idempotency keys are per user: the same header value from two users is two keys, and neither learns of the other.</summary>
    private static string ScopedKey(string userId, string key) =>
        "web:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(userId.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + userId + ":" + key)));
}
