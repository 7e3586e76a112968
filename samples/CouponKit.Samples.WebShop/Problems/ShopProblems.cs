using CouponKit.Issuance;
using CouponKit.Redemption;
using Microsoft.AspNetCore.Mvc;

namespace CouponKit.Samples.WebShop.Problems;

/// <summary>
/// The web shop's problem types (RFC 9457): every error answer is a <see cref="ProblemDetails"/> with a stable <c>type</c>
/// (<c>urn:couponkit:problem:{code}</c>), a stable <c>title</c> per code, and the code again as the <c>code</c> extension.
/// </summary>
public static class ShopProblems
{
    /// <summary>The prefix of every problem type.</summary>
    public const string TypePrefix = "urn:couponkit:problem:";

    private static readonly Dictionary<string, string> Titles = new(StringComparer.Ordinal)
    {
        ["validation"] = "The request is not valid.",
        ["malformed_request"] = "The request body is not valid JSON for this endpoint.",
        ["request_too_large"] = "The request body is too large.",
        ["unauthorized"] = "A valid bearer token is required.",
        ["forbidden"] = "The token does not allow this operation.",
        ["not_found"] = "The resource does not exist.",
        ["method_not_allowed"] = "The method is not allowed on this resource.",
        ["rate_limited"] = "Too many requests; retry later.",
        ["template_not_found"] = "The coupon template does not exist.",
        ["coupon_not_found"] = "The coupon was not found for this user.",
        ["coupon_not_available"] = "The coupon is used, expired or locked by an order.",
        ["coupon_not_accepted"] = "The coupon is not accepted by this shop.",
        ["invalid_template"] = "The template definition is not valid.",
        ["invalid_cart"] = "The cart is not valid.",
        ["invalid_coupon"] = "The coupon or its rule is not valid.",
        ["invalid_argument"] = "An argument is not valid.",
        ["money_out_of_range"] = "An amount is out of range.",
        ["unknown_currency"] = "The currency is not known.",
        ["currency_mismatch"] = "Amounts of different currencies were mixed.",
        ["idempotency_key_conflict"] = "The idempotency key was already used for a different request.",
        ["concurrency_conflict"] = "Someone else changed the resource at the same time; reload and retry.",
        ["template_wrong_state"] = "The template's state does not allow this operation.",
        ["coupons_not_applicable"] = "The chosen coupons do not apply to the cart.",
        ["service_unavailable"] = "A dependency of the shop is unavailable; retry later.",
        ["internal_error"] = "An unexpected error occurred.",
    };

    /// <summary>Returns the type URI of a problem code.</summary>
    /// <param name="code">The code.</param>
    /// <returns>The type.</returns>
    public static string Type(string code) => TypePrefix + code;

    /// <summary>Returns the stable title of a problem code.</summary>
    /// <param name="code">The code.</param>
    /// <returns>The title.</returns>
    public static string Title(string code) => Titles.TryGetValue(code, out var title) ? title : "The request was refused.";

    /// <summary>Creates a problem.</summary>
    /// <param name="status">The HTTP status.</param>
    /// <param name="code">The stable code.</param>
    /// <param name="detail">What happened, for this request.</param>
    /// <returns>The problem.</returns>
    public static ProblemDetails Create(int status, string code, string? detail)
    {
        var problem = new ProblemDetails { Status = status, Type = Type(code), Title = Title(code), Detail = detail };
        problem.Extensions["code"] = code;
        return problem;
    }

    /// <summary>Answers with a problem.</summary>
    /// <param name="status">The HTTP status.</param>
    /// <param name="code">The stable code.</param>
    /// <param name="detail">What happened, for this request.</param>
    /// <param name="extensions">More members.</param>
    /// <returns>The result.</returns>
    public static IResult Result(int status, string code, string? detail, IDictionary<string, object?>? extensions = null)
    {
        var all = new Dictionary<string, object?>(StringComparer.Ordinal) { ["code"] = code };
        if (extensions is not null)
        {
            foreach (var (key, value) in extensions)
            {
                all[key] = value;
            }
        }

        return Results.Problem(detail, statusCode: status, title: Title(code), type: Type(code), extensions: all);
    }

    /// <summary>Answers with a validation problem (400) listing the fields that are wrong.</summary>
    /// <param name="errors">The errors by field.</param>
    /// <returns>The result.</returns>
    public static IResult Validation(IDictionary<string, string[]> errors) =>
        Results.ValidationProblem(errors, "One or more fields are not valid.", title: Title("validation"), type: Type("validation"), extensions: new Dictionary<string, object?> { ["code"] = "validation" });

    /// <summary>Answers a claim that issued nothing: 429 when rate limited, 409 otherwise; the code is the rejection in snake case.</summary>
    /// <param name="result">The claim's result.</param>
    /// <param name="http">The request, for the <c>Retry-After</c> header.</param>
    /// <returns>The result.</returns>
    public static IResult ClaimRefused(ClaimResult result, HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(http);
        var rejection = result.Rejection ?? ClaimRejection.NotActive;
        var code = "claim_" + SnakeCase(rejection.ToString());
        if (rejection == ClaimRejection.RateLimited)
        {
            var after = (int)Math.Ceiling((result.RetryAfter ?? TimeSpan.FromSeconds(1)).TotalSeconds);
            http.Response.Headers.RetryAfter = Math.Max(1, after).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Result(StatusCodes.Status429TooManyRequests, code, result.Message, new Dictionary<string, object?> { ["reason"] = rejection.ToString() });
        }

        return Result(StatusCodes.Status409Conflict, code, result.Message, new Dictionary<string, object?> { ["reason"] = rejection.ToString() });
    }

    /// <summary>
    /// Answers a refused TCC step: 404 for a coupon or order that is unknown or another user's (told apart by nobody), 409 for the order's or the
    /// coupons' state; the code is <c>redemption_</c> and the refusal in snake case.
    /// </summary>
    /// <param name="result">The step's result.</param>
    /// <returns>The result.</returns>
    public static IResult RedemptionRefused(RedemptionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var refusal = result.Refusal.ToString();
        var status = refusal switch
        {
            nameof(RedemptionRefusal.CouponNotFound) or "OrderNotFound" => StatusCodes.Status404NotFound,
            nameof(RedemptionRefusal.OutsideValidity) => StatusCodes.Status422UnprocessableEntity,
            _ => StatusCodes.Status409Conflict,
        };
        return Result(status, "redemption_" + SnakeCase(refusal), result.Message, new Dictionary<string, object?> { ["reason"] = refusal });
    }

    /// <summary>
    /// Answers a coupon id the shopper may not use, as the core refused it: 404 <c>coupon_not_found</c> (unknown or another user's,
    /// told apart by nobody), 409 <c>coupon_not_available</c> (the shopper's own, used, expired or locked), 422
    /// <c>coupon_not_accepted</c> (the shopper's own, of a merchant that is not the order's shop; no merchant is named).
    /// </summary>
    /// <param name="refusal">The core's refusal.</param>
    /// <returns>The result.</returns>
    public static IResult CouponRefused(CouponKit.Security.CouponAccessRefusal refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        var (status, code) = refusal.Reason switch
        {
            CouponKit.Security.CouponAccessReason.NotAvailable => (StatusCodes.Status409Conflict, "coupon_not_available"),
            CouponKit.Security.CouponAccessReason.NotAcceptedByShop => (StatusCodes.Status422UnprocessableEntity, "coupon_not_accepted"),
            _ => (StatusCodes.Status404NotFound, "coupon_not_found"),
        };
        return Result(status, code, refusal.Message, new Dictionary<string, object?> { ["reason"] = refusal.Reason.ToString() });
    }

    /// <summary>Turns <c>SoldOut</c> into <c>sold_out</c>.</summary>
    /// <param name="name">A Pascal-case name.</param>
    /// <returns>The snake-case name.</returns>
    public static string SnakeCase(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var builder = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(name[i]));
        }

        return builder.ToString();
    }
}
