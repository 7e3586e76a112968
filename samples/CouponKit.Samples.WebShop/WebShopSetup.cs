using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using CouponKit.EfCore;
using CouponKit.Samples.WebShop.Contracts;
using CouponKit.Samples.WebShop.Endpoints;
using CouponKit.Samples.WebShop.Problems;
using CouponKit.Samples.WebShop.Security;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace CouponKit.Samples.WebShop;

/// <summary>Which database the stores are on (<c>CouponKit:Store</c>).</summary>
public enum StoreKind
{
    /// <summary>SQLite (the default): a file, no server.</summary>
    Sqlite,

    /// <summary>PostgreSQL, through Npgsql.</summary>
    PostgreSql,
}

/// <summary>Wires the web shop: CouponKit on the configured backend, JWT bearer auth, rate limiting, ProblemDetails and OpenAPI.</summary>
public static class WebShopSetup
{
    /// <summary>The connection string's name.</summary>
    public const string ConnectionStringName = "CouponKit";

    /// <summary>Adds the web shop's services.</summary>
    /// <param name="builder">The application builder.</param>
    /// <returns>The builder.</returns>
    public static WebApplicationBuilder AddWebShop(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var configuration = builder.Configuration;

        services.AddOptions<WebShopOptions>().Bind(configuration.GetSection(WebShopOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebShopOptions>, WebShopOptionsValidator>();

        AddCouponKit(services, configuration);
        AddSecurity(services);

        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Extensions["traceId"] = context.HttpContext.TraceIdentifier;
            if (context.ProblemDetails.Type is null || !context.ProblemDetails.Type.StartsWith(ShopProblems.TypePrefix, StringComparison.Ordinal))
            {
                // Answers the framework writes itself (unknown route, wrong method): give them a stable type too.
                var code = context.ProblemDetails.Status switch
                {
                    StatusCodes.Status404NotFound => "not_found",
                    StatusCodes.Status405MethodNotAllowed => "method_not_allowed",
                    StatusCodes.Status413PayloadTooLarge => "request_too_large",
                    StatusCodes.Status415UnsupportedMediaType or StatusCodes.Status400BadRequest => "malformed_request",
                    StatusCodes.Status401Unauthorized => "unauthorized",
                    StatusCodes.Status403Forbidden => "forbidden",
                    StatusCodes.Status429TooManyRequests => "rate_limited",
                    >= 500 => "internal_error",
                    _ => "request_refused",
                };
                context.ProblemDetails.Type = ShopProblems.Type(code);
                context.ProblemDetails.Title = ShopProblems.Title(code);
                context.ProblemDetails.Extensions["code"] = code;
            }
        });
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            o.SerializerOptions.MaxDepth = 16;
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false));
        });
        services.AddOpenApi();
        services.AddHealthChecks().AddCouponKit();
        return builder;
    }

    /// <summary>Adds the middleware and maps the endpoints.</summary>
    /// <param name="app">The application.</param>
    /// <returns>The application.</returns>
    public static WebApplication UseWebShop(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Configuration.GetValue("CouponKit:EnsureCreated", true))
        {
            // A sample's shortcut: production applies migrations instead (docs/operations.md).
            using var scope = app.Services.CreateScope();
            using var db = scope.ServiceProvider.GetRequiredService<IDbContextFactory<CouponKitDbContext>>().CreateDbContext();
            db.Database.EnsureCreated();
            if (db.Database.IsSqlite())
            {
                db.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
            }
        }

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(LimitBodySize);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();

        app.MapOpenApi().AllowAnonymous();
        app.MapHealthChecks("/health").AllowAnonymous();
        app.MapShopperEndpoints();
        app.MapMerchantEndpoints();
        if (app.Environment.IsDevelopment())
        {
            app.MapPost("/dev/tokens", (DevTokenBody body, DevTokenIssuer issuer) => body.Role switch
            {
                ShopClaims.UserRole when !string.IsNullOrWhiteSpace(body.Subject) => Results.Ok(new TokenView(issuer.ForUser(body.Subject))),
                ShopClaims.MerchantRole when !string.IsNullOrWhiteSpace(body.Subject) && ShopClaims.IsValidMerchantId(body.MerchantId) => Results.Ok(new TokenView(issuer.ForMerchant(body.Subject, body.MerchantId!))),
                _ => ShopProblems.Validation(new Dictionary<string, string[]> { ["role"] = ["give a subject and role user, or role merchant with a merchantId."] }),
            }).AllowAnonymous().WithTags("Development").WithSummary("Mints a development token (Development environment only).");
        }

        return app;
    }

    private static void AddCouponKit(IServiceCollection services, ConfigurationManager configuration)
    {
        var section = configuration.GetSection("CouponKit");
        var store = section.GetValue("Store", StoreKind.Sqlite);
        services.AddDbContextFactory<CouponKitDbContext>((sp, o) =>
        {
            var connection = sp.GetRequiredService<IConfiguration>().GetConnectionString(ConnectionStringName) ?? "Data Source=couponkit-webshop.db";
            if (store == StoreKind.PostgreSql)
            {
                o.UseNpgsql(connection);
            }
            else
            {
                o.UseSqlite(connection);
            }
        });

        var couponKit = services.AddCouponKit(o => section.GetSection("Core").Bind(o))
            .UseEntityFrameworkCore<CouponKitDbContext>(o => section.GetSection("EntityFrameworkCore").Bind(o));
        var health = services.AddHealthChecks();
        if (section.GetSection("Redis").Exists())
        {
            couponKit.UseRedis(o => section.GetSection("Redis").Bind(o));
            health.AddCouponKitRedis();
        }

        if (section.GetSection("RocketMQ").Exists())
        {
            couponKit.UseRocketMQ(o => section.GetSection("RocketMQ").Bind(o));
            health.AddCouponKitRocketMQ();
        }
    }

    private static void AddSecurity(IServiceCollection services)
    {
        services.AddSingleton<DevTokenIssuer>();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<IOptions<WebShopOptions>>((o, shop) =>
        {
            var jwt = shop.Value.Jwt;
            o.MapInboundClaims = false;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = jwt.Issuer,
                ValidAudience = jwt.Audience,
                IssuerSigningKey = jwt.SigningKey.Length >= 32 ? DevTokenIssuer.SigningKey(jwt) : null,
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                NameClaimType = ShopClaims.Subject,
                RoleClaimType = ShopClaims.Role,
                ClockSkew = TimeSpan.FromSeconds(30),
            };
            o.Events = new JwtBearerEvents
            {
                OnChallenge = async context =>
                {
                    context.HandleResponse();
                    context.Response.Headers.WWWAuthenticate = context.AuthenticateFailure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
                    var detail = context.AuthenticateFailure is null ? "The request has no bearer token." : "The bearer token is not valid (signature, issuer, audience or lifetime).";
                    await WriteProblemAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "unauthorized", detail).ConfigureAwait(false);
                },
                OnForbidden = context => WriteProblemAsync(context.HttpContext, StatusCodes.Status403Forbidden, "forbidden", "The token's role does not allow this operation."),
            };
        });
        services.AddAuthorizationBuilder()
            .AddPolicy(ShopClaims.UserPolicy, p => p.RequireAuthenticatedUser().RequireRole(ShopClaims.UserRole).RequireClaim(ShopClaims.Subject))
            .AddPolicy(ShopClaims.MerchantPolicy, p => p.RequireAuthenticatedUser().RequireRole(ShopClaims.MerchantRole)
                .RequireAssertion(c => ShopClaims.IsValidMerchantId(c.User.FindFirst(ShopClaims.MerchantId)?.Value)));

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            {
                var settings = http.RequestServices.GetRequiredService<IOptions<WebShopOptions>>().Value.RateLimit;
                var key = http.User.FindFirst(ShopClaims.Subject)?.Value is { } subject ? "user:" + subject : "ip:" + http.Connection.RemoteIpAddress;
                return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions { PermitLimit = settings.PermitLimit, Window = settings.Window, QueueLimit = 0 });
            });
            o.OnRejected = async (context, _) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }

                await WriteProblemAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, "rate_limited", "Too many requests from this user; retry later.").ConfigureAwait(false);
            };
        });
    }

    private static async Task LimitBodySize(HttpContext context, RequestDelegate next)
    {
        var max = context.RequestServices.GetRequiredService<IOptions<WebShopOptions>>().Value.MaxRequestBodyBytes;
        if (context.Request.ContentLength > max)
        {
            await WriteProblemAsync(context, StatusCodes.Status413PayloadTooLarge, "request_too_large", $"The request body must be at most {max} bytes.").ConfigureAwait(false);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = max;
        }

        await next(context).ConfigureAwait(false);
    }

    private static async Task WriteProblemAsync(HttpContext context, int status, string code, string detail)
    {
        context.Response.StatusCode = status;
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = ShopProblems.Create(status, code, detail) }).ConfigureAwait(false);
    }
}
