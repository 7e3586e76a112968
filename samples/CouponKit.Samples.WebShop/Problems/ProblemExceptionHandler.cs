using System.Text.Json;
using CouponKit.Codes;
using CouponKit.EfCore;
using CouponKit.Issuance;
using CouponKit.Redis;
using CouponKit.RocketMQ;
using Microsoft.AspNetCore.Diagnostics;

namespace CouponKit.Samples.WebShop.Problems;

/// <summary>
/// Turns every exception that reaches the pipeline into a <see cref="Microsoft.AspNetCore.Mvc.ProblemDetails"/>: bad input (the
/// core's typed exceptions, <see cref="ArgumentException"/>, unreadable JSON) is a 4xx with the exception's stable code (another
/// merchant's template is a 404 identical to an unknown template's), a failed
/// dependency is a 503, anything else a 500. Outside Development the answer carries no exception text or stack trace.
/// </summary>
internal sealed partial class ProblemExceptionHandler : IExceptionHandler
{
    private readonly IProblemDetailsService _problems;
    private readonly IHostEnvironment _environment;
    private readonly ILogger<ProblemExceptionHandler> _logger;

    public ProblemExceptionHandler(IProblemDetailsService problems, IHostEnvironment environment, ILogger<ProblemExceptionHandler> logger)
    {
        _problems = problems;
        _environment = environment;
        _logger = logger;
    }

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, code, detail) = Classify(exception);
        if (status >= 500)
        {
            LogFailure(_logger, exception, code, httpContext.Request.Path);
        }

        var problem = ShopProblems.Create(status, code, detail);
        if (_environment.IsDevelopment())
        {
            problem.Extensions["exception"] = exception.ToString();
        }

        httpContext.Response.StatusCode = status;
        return await _problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception }).ConfigureAwait(false);
    }

    internal static (int Status, string Code, string? Detail) Classify(Exception exception) => exception switch
    {
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => (413, "request_too_large", "The request body is larger than the shop accepts."),
        BadHttpRequestException bad => (bad.StatusCode is >= 400 and < 500 ? bad.StatusCode : 400, "malformed_request", Malformed(bad)),
        JsonException json => (400, "malformed_request", JsonDetail(json)),
        TemplateNotFoundException e => (404, e.ErrorCode, e.Message),

        // The core refused another merchant's template: answered exactly as an unknown one, so nothing about it leaks.
        CouponKit.Security.MerchantAccessDeniedException e => (404, "template_not_found", new TemplateNotFoundException(e.ResourceId).Message),
        IdempotencyKeyConflictException e => (422, e.ErrorCode, "The idempotency key was already used for a different request."),
        ConcurrencyConflictException or TemplateStateException => (409, ((CouponKitException)exception).ErrorCode, exception.Message),
        CouponKitStoreException or CouponKitRedisException => (503, "service_unavailable", "A dependency of the shop is unavailable; retry later."),
        RocketMQException => (503, "service_unavailable", "A dependency of the shop is unavailable; retry later."),
        CouponKitException e => (400, e.ErrorCode, e.Message),
        InvalidPromoCodeException e => (400, "invalid_promo_code", e.Message),
        ArgumentException e => (400, "invalid_argument", e.Message),
        _ => (500, "internal_error", "An unexpected error occurred; it was logged."),
    };

    private static string Malformed(BadHttpRequestException bad)
    {
        for (Exception? inner = bad; inner is not null; inner = inner.InnerException)
        {
            if (inner is JsonException json)
            {
                return JsonDetail(json);
            }
        }

        return bad.Message.StartsWith("Failed to read parameter", StringComparison.Ordinal) || bad.Message.StartsWith("Required parameter", StringComparison.Ordinal)
            ? "The request body is missing or is not the JSON this endpoint expects."
            : bad.Message;
    }

    private static string JsonDetail(JsonException json) => json.Path is { Length: > 0 } path
        ? $"The JSON is not valid at {path}: an unknown member, a wrong type or an out-of-range number."
        : "The body is not valid JSON.";

    [LoggerMessage(9000, LogLevel.Error, "Request to {Path} failed ({Code})", EventName = "RequestFailed")]
    private static partial void LogFailure(ILogger logger, Exception exception, string code, PathString path);
}
