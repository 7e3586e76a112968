using System.Text;

namespace CouponKit.Samples.WebShop.Tests.Problems;

/// <summary>
/// Hostile input through the HTTP API: malformed JSON, huge arrays, negative and overflowing amounts, wrong currencies, unknown
/// ids, SQL and script fragments, a replayed idempotency key with another body. Invariant: every answer is a 4xx ProblemDetails
/// (never a 500), and the business tables are byte for byte the same afterwards.
/// </summary>
public sealed class HostileInputTests : IClassFixture<HostileInputTests.SeededFactory>
{
    private const string Line = "{\"lineId\":\"L1\",\"sku\":\"S\",\"unitPrice\":250,\"quantity\":1}";
    private readonly SeededFactory _factory;

    public HostileInputTests(SeededFactory factory) => _factory = factory;

    public static TheoryData<string, string, string, string?> Cases()
    {
        static string Cart(string lines, string currency = "CNY", string extra = "") => $"{{\"cart\":{{\"currency\":\"{currency}\",\"lines\":[{lines}]{extra}}}}}";
        static string LineWith(string unitPrice, string quantity) => $"{{\"lineId\":\"L1\",\"sku\":\"S\",\"unitPrice\":{unitPrice},\"quantity\":{quantity}}}";
        static string Lines(int count) => string.Join(',', Enumerable.Range(0, count).Select(i => $"{{\"lineId\":\"L{i}\",\"sku\":\"S\",\"unitPrice\":1,\"quantity\":1}}"));
        static string Ids(int count) => "[" + string.Join(',', Enumerable.Range(0, count).Select(i => $"\"c{i}\"")) + "]";
        static string Template(string rule = "{\"kind\":\"thresholdRebate\",\"threshold\":199,\"off\":30}", string inventory = "10", string name = "\"t\"", string currency = "CNY", string validity = "\"validDays\":7") =>
            $"{{\"name\":{name},\"currency\":\"{currency}\",\"rule\":{rule},\"totalInventory\":{inventory},{validity}}}";
        var nested = new StringBuilder();
        for (var i = 0; i < 64; i++)
        {
            nested.Append("{\"cart\":");
        }

        nested.Append("null").Append('}', 64);

        return new TheoryData<string, string, string, string?>
        {
            // Malformed JSON and wrong shapes.
            { "user", "POST /quotes", string.Empty, null },
            { "user", "POST /quotes", "{", null },
            { "user", "POST /quotes", "null", null },
            { "user", "POST /quotes", "[]", null },
            { "user", "POST /quotes", "\"cart\"", null },
            { "user", "POST /quotes", "{\"cart\":{\"currency\":\"CNY\",\"lines\":[" + Line + "]}", null },
            { "user", "POST /quotes", Cart(Line, extra: ",\"evil\":true"), null },
            { "user", "POST /quotes", nested.ToString(), null },
            { "user", "POST /quotes", Cart(LineWith("\"250\"", "1")), null },
            { "user", "POST /quotes", Cart(LineWith("250", "1.5")), null },
            { "user", "POST /quotes", Cart("null"), null },
            { "user", "POST /quotes", "{\"cart\":{\"currency\":\"CNY\",\"lines\":\"L1\"}}", null },

            // Negative and overflowing amounts.
            { "user", "POST /quotes", Cart(LineWith("-10", "1")), null },
            { "user", "POST /quotes", Cart(LineWith("250", "-1")), null },
            { "user", "POST /quotes", Cart(LineWith("250", "0")), null },
            { "user", "POST /quotes", Cart(LineWith("250", "2147483648")), null },
            { "user", "POST /quotes", Cart(LineWith("1e400", "1")), null },
            { "user", "POST /quotes", Cart(LineWith("79228162514264337593543950335", "2")), null },
            { "user", "POST /quotes", Cart(LineWith("100000000000000000", "1000000")), null },
            { "user", "POST /quotes", Cart(LineWith("0.001", "1")), null },
            { "user", "POST /quotes", Cart(Line, extra: ",\"shippingFee\":-1"), null },

            // Wrong currencies.
            { "user", "POST /quotes", Cart(Line, currency: "ZZZ"), null },
            { "user", "POST /quotes", Cart(Line, currency: "<script>alert(1)</script>"), null },
            { "user", "POST /quotes", Cart(Line, currency: "' OR 1=1 --"), null },
            { "user", "POST /orders/o-usd/lock", "{\"couponIds\":[\"{coupon}\"],\"cart\":{\"currency\":\"USD\",\"lines\":[" + Line + "]}}", null },

            // Huge or degenerate arrays.
            { "user", "POST /quotes", Cart(Lines(101)), null },
            { "user", "POST /quotes", Cart(Lines(10_000)), null },
            { "user", "POST /quotes", Cart(string.Empty), null },
            { "user", "POST /quotes", Cart(LineWith("1", "1") + "," + LineWith("2", "1")), null },
            { "user", "POST /quotes", Cart(Line, extra: string.Empty).TrimEnd('}') + "},\"couponIds\":" + Ids(51) + "}", null },
            { "user", "POST /orders/o-many/lock", "{\"couponIds\":" + Ids(5_000) + "}", null },
            { "user", "POST /orders/o-empty/lock", "{\"couponIds\":[]}", null },
            { "user", "POST /orders/o-null/lock", "{\"couponIds\":[null]}", null },
            { "user", "POST /orders/o-dup/lock", "{\"couponIds\":[\"{coupon}\",\"{coupon}\"]}", null },
            { "user", "POST /orders/o-str/lock", "{\"couponIds\":\"{coupon}\"}", null },
            { "user", "POST /orders/o-num/cancel", "{\"couponIds\":[1,2]}", null },

            // Unknown ids, SQL and script fragments.
            { "user", "POST /coupons/claims", "{\"templateId\":\"'; DROP TABLE ck_coupons; --\"}", "k-sql" },
            { "user", "POST /coupons/claims", "{\"templateId\":\"<script>alert(1)</script>\"}", "k-script" },
            { "user", "POST /coupons/claims", "{\"templateId\":\"\"}", "k-empty" },
            { "user", "POST /coupons/claims", "{\"templateId\":\"" + new string('t', 129) + "\"}", "k-long" },
            { "user", "POST /coupons/claims", "{\"templateId\":\"" + new string('t', 10_000) + "\"}", "k-huge" },
            { "user", "POST /coupons/claims", "{\"templateId\":\"a\\u0000b\"}", "k-nul" },
            { "user", "POST /coupons/claims", "{\"templateId\":42}", "k-num" },
            { "user", "POST /coupons/claims", "{\"templateId\":\"{template}\"}", new string('k', 101) },
            { "user", "POST /coupons/claims", "{\"templateId\":\"{template2}\"}", SeededFactory.SeedKey },
            { "user", "POST /quotes", Cart(Line, extra: string.Empty).TrimEnd('}') + "},\"couponIds\":[\"' OR '1'='1\"]}", null },
            { "user", "POST /orders/o-sql/lock", "{\"couponIds\":[\"'; DELETE FROM ck_coupons; --\"]}", null },
            { "user", "POST /orders/" + new string('o', 129) + "/lock", "{\"couponIds\":[\"{coupon}\"]}", null },
            { "user", "POST /orders/a%01b/lock", "{\"couponIds\":[\"{coupon}\"]}", null },
            { "user", "POST /orders/never-locked/confirm", null!, null },
            { "user", "POST /orders/o-reason/cancel", "{\"reason\":\"" + new string('r', 300) + "\"}", null },
            { "user", "GET /merchant/templates/{template}", null!, null },

            // Merchant input.
            { "merchant", "POST /merchant/templates", Template(inventory: "-1"), null },
            { "merchant", "POST /merchant/templates", Template(inventory: "2147483648"), null },
            { "merchant", "POST /merchant/templates", Template(inventory: "100000001"), null },
            { "merchant", "POST /merchant/templates", Template(rule: "{\"kind\":\"percentOff\",\"percent\":1000}"), null },
            { "merchant", "POST /merchant/templates", Template(rule: "{\"kind\":\"percentOff\",\"percent\":-5}"), null },
            { "merchant", "POST /merchant/templates", Template(rule: "{\"kind\":\"buyXGetY\"}"), null },
            { "merchant", "POST /merchant/templates", Template(rule: "{\"kind\":\"nope\"}"), null },
            { "merchant", "POST /merchant/templates", Template(rule: "{\"kind\":3,\"percent\":10}"), null },
            { "merchant", "POST /merchant/templates", Template(rule: "{\"kind\":\"thresholdRebate\",\"threshold\":-199,\"off\":30}"), null },
            { "merchant", "POST /merchant/templates", Template(rule: "{\"kind\":\"fixedAmount\",\"off\":0.001}"), null },
            { "merchant", "POST /merchant/templates", Template(name: "\"" + new string('n', 10_000) + "\""), null },
            { "merchant", "POST /merchant/templates", Template(name: "\"\""), null },
            { "merchant", "POST /merchant/templates", Template(currency: "ZZZ"), null },
            { "merchant", "POST /merchant/templates", Template(validity: "\"validDays\":0"), null },
            { "merchant", "POST /merchant/templates", Template(validity: "\"validDays\":100000"), null },
            { "merchant", "POST /merchant/templates", Template(validity: "\"validFrom\":\"2030-01-02T00:00:00Z\",\"validUntil\":\"2030-01-01T00:00:00Z\""), null },
            { "merchant", "PUT /merchant/templates/{template}/inventory", "{\"totalInventory\":0}", null },
            { "merchant", "PUT /merchant/templates/{template}/inventory", "{\"totalInventory\":\"ten\"}", null },
            { "merchant", "POST /merchant/templates/{template}/state", "{\"action\":\"explode\"}", null },
            { "merchant", "GET /merchant/templates/' OR 1=1 --", null!, null },
            { "merchant", "GET /merchant/templates/m-hostile.<script>", null!, null },
            { "merchant", "POST /coupons/claims", "{\"templateId\":\"{template}\"}", "k-merchant" },
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task HostileRequest_Is4xxProblem_AndChangesNothing(string role, string request, string? body, string? idempotencyKey)
    {
        var seed = await _factory.SeedAsync();
        var parts = request.Split(' ', 2);
        var path = Fill(parts[1], seed);
        var client = role == "merchant" ? _factory.Merchant(SeededFactory.MerchantId) : _factory.User(SeededFactory.UserId);
        var before = _factory.DumpBusinessTables();

        var response = await Shop.SendRawAsync(client, new HttpMethod(parts[0]), path, body is null ? null : Fill(body, seed), idempotencyKey);

        await Shop.AssertClientProblemAsync(response);
        Assert.Equal(before, _factory.DumpBusinessTables());
    }

    [Fact]
    public async Task WrongContentType_Is415Problem()
    {
        var client = _factory.User(SeededFactory.UserId);
        using var content = new StringContent("templateId=x", Encoding.UTF8, "application/x-www-form-urlencoded");

        var response = await client.PostAsync(new Uri("/coupons/claims", UriKind.Relative), content);

        await Shop.AssertProblemAsync(response, System.Net.HttpStatusCode.UnsupportedMediaType);
    }

    private static string Fill(string text, Seed seed) =>
        text.Replace("{coupon}", seed.CouponId, StringComparison.Ordinal).Replace("{template2}", seed.OtherTemplateId, StringComparison.Ordinal).Replace("{template}", seed.TemplateId, StringComparison.Ordinal);

    /// <summary>What the fixture seeded.</summary>
    /// <param name="TemplateId">A template of the merchant.</param>
    /// <param name="OtherTemplateId">Another template of the merchant.</param>
    /// <param name="CouponId">The user's coupon of the first template, claimed with <see cref="SeededFactory.SeedKey"/>.</param>
    public sealed record Seed(string TemplateId, string OtherTemplateId, string CouponId);

    /// <summary>The host with two templates and one claimed coupon, seeded once.</summary>
    public sealed class SeededFactory : WebShopFactory
    {
        /// <summary>The merchant.</summary>
        public const string MerchantId = "m-hostile";

        /// <summary>The user.</summary>
        public const string UserId = "hostile";

        /// <summary>The idempotency key of the seeded claim.</summary>
        public const string SeedKey = "seed-key";

        private readonly SemaphoreSlim _gate = new(1, 1);
        private Seed? _seed;

        /// <summary>Seeds once and returns what was seeded.</summary>
        /// <returns>The seed.</returns>
        public async Task<Seed> SeedAsync()
        {
            await _gate.WaitAsync();
            try
            {
                if (_seed is null)
                {
                    var merchant = Merchant(MerchantId);
                    var template = await Shop.CreateTemplateAsync(merchant);
                    var other = await Shop.CreateTemplateAsync(merchant);
                    _seed = new Seed(template, other, await Shop.ClaimAsync(User(UserId), template, SeedKey));

                    // The claim's Issued event goes on working after the answer (the reminder in the notify table): let it
                    // finish, so that the before/after comparison sees only what a hostile request does.
                    await WhenQuietAsync();
                }

                return _seed;
            }
            finally
            {
                _gate.Release();
            }
        }

        /// <inheritdoc />
        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _gate.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
