using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CouponKit.Samples.WebShop.Tests;

/// <summary>The calls and checks the tests share.</summary>
public static class Shop
{
    /// <summary>The prefix of the web shop's problem types.</summary>
    public const string ProblemTypePrefix = "urn:couponkit:problem:";

    /// <summary>A cart worth CNY 578.80 plus CNY 12 shipping: 2 × 89.90 rice, 1 × 399 earbuds.</summary>
    public static object Cart(decimal earbuds = 399m) => new
    {
        currency = "CNY",
        shippingFee = 12m,
        lines = new object[]
        {
            new { lineId = "L1", sku = "RICE-5KG", unitPrice = 89.90m, quantity = 2, categories = new[] { "grocery" } },
            new { lineId = "L2", sku = "EARBUDS", unitPrice = earbuds, quantity = 1, categories = new[] { "electronics" } },
        },
    };

    /// <summary>Creates an active template "30 off 199" with the given inventory, as a merchant.</summary>
    /// <param name="merchant">The merchant's client.</param>
    /// <param name="inventory">The inventory.</param>
    /// <param name="perUserLimit">The per-user limit.</param>
    /// <returns>The template id.</returns>
    public static async Task<string> CreateTemplateAsync(HttpClient merchant, int inventory = 10, int perUserLimit = 1)
    {
        var response = await merchant.PostAsJsonAsync("/merchant/templates", new
        {
            name = "30 off 199",
            currency = "CNY",
            rule = new { kind = "thresholdRebate", threshold = 199m, off = 30m },
            totalInventory = inventory,
            perUserLimit,
            validDays = 7,
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await JsonAsync(response))["id"]!.GetValue<string>();
    }

    /// <summary>Claims a coupon and returns its id.</summary>
    /// <param name="user">The user's client.</param>
    /// <param name="templateId">The template.</param>
    /// <param name="key">The idempotency key.</param>
    /// <returns>The coupon id.</returns>
    public static async Task<string> ClaimAsync(HttpClient user, string templateId, string? key = null)
    {
        var response = await PostClaimAsync(user, templateId, key ?? Guid.NewGuid().ToString("N"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await JsonAsync(response))["coupon"]!["couponId"]!.GetValue<string>();
    }

    /// <summary>Sends a claim.</summary>
    /// <param name="user">The user's client.</param>
    /// <param name="templateId">The template.</param>
    /// <param name="key">The idempotency key, or <see langword="null"/> for none.</param>
    /// <returns>The response.</returns>
    public static Task<HttpResponseMessage> PostClaimAsync(HttpClient user, string templateId, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/coupons/claims") { Content = JsonContent.Create(new { templateId }) };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        return user.SendAsync(request);
    }

    /// <summary>Sends a raw body.</summary>
    /// <param name="client">The client.</param>
    /// <param name="method">The method.</param>
    /// <param name="path">The path.</param>
    /// <param name="body">The body, sent as application/json.</param>
    /// <param name="idempotencyKey">An Idempotency-Key header, if any.</param>
    /// <returns>The response.</returns>
    public static Task<HttpResponseMessage> SendRawAsync(HttpClient client, HttpMethod method, string path, string? body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return client.SendAsync(request);
    }

    /// <summary>Reads a JSON body.</summary>
    /// <param name="response">The response.</param>
    /// <returns>The body.</returns>
    public static async Task<JsonNode> JsonAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync()) ?? throw new InvalidOperationException("empty body");

    /// <summary>
    /// Asserts a ProblemDetails answer: the status, the content type, a stable type of the shop's and a title, and no exception
    /// text (the host runs in Production).
    /// </summary>
    /// <param name="response">The response.</param>
    /// <param name="status">The status expected.</param>
    /// <param name="code">The problem code expected, or <see langword="null"/> for any.</param>
    /// <returns>The problem.</returns>
    public static async Task<JsonNode> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? code = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        return AssertProblemBody(response, text, code);
    }

    /// <summary>Asserts a 4xx ProblemDetails answer of any status.</summary>
    /// <param name="response">The response.</param>
    /// <returns>The problem.</returns>
    public static async Task<JsonNode> AssertClientProblemAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode is >= 400 and < 500, $"expected a 4xx, got {(int)response.StatusCode}: {text}");
        return AssertProblemBody(response, text, null);
    }

    private static JsonNode AssertProblemBody(HttpResponseMessage response, string text, string? code)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text) ?? throw new InvalidOperationException("empty problem");
        Assert.Equal((int)response.StatusCode, problem["status"]!.GetValue<int>());
        var type = problem["type"]!.GetValue<string>();
        Assert.StartsWith(ProblemTypePrefix, type, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(problem["title"]?.GetValue<string>()));
        Assert.Equal(type[ProblemTypePrefix.Length..], problem["code"]!.GetValue<string>());
        if (code is not null)
        {
            Assert.Equal(ProblemTypePrefix + code, type);
        }

        Assert.Null(problem["exception"]);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception:", text, StringComparison.Ordinal);
        return problem;
    }

    /// <summary>Reads a user's coupon by id from "my coupons".</summary>
    /// <param name="user">The user's client.</param>
    /// <param name="couponId">The coupon.</param>
    /// <returns>The coupon's state.</returns>
    public static async Task<string> StateOfAsync(HttpClient user, string couponId)
    {
        var mine = (await JsonAsync(await user.GetAsync(new Uri("/coupons/mine", UriKind.Relative)))).AsArray();
        return mine.Single(c => c!["couponId"]!.GetValue<string>() == couponId)!["state"]!.GetValue<string>();
    }

    /// <summary>Serializes with the web defaults.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The JSON.</returns>
    public static string Json(object value) => JsonSerializer.Serialize(value, JsonSerializerOptions.Web);
}
