using CouponKit.Codes;
using CouponKit.Issuance;
using Microsoft.Extensions.Options;

namespace CouponKit.Core.Tests.PromoCodes;

public class PromoCodeRedemptionsTests
{
    [Fact]
    public async Task RedeemAsync_SingleUseCode_RedeemedOnceOverall()
    {
        var shop = new PromoCodeHarness();
        var template = await shop.ActiveTemplateAsync();
        var code = await shop.SingleCodeAsync(template.Id, maxRedemptions: 1);

        var first = await shop.RedeemAsync(code, "alice");
        var again = await shop.RedeemAsync(code, "alice");
        var other = await shop.RedeemAsync(code, "bob");

        Assert.True(first.IsRedeemed, first.ToString());
        Assert.Equal(ClaimChannels.PromoCode, first.Coupon!.Channel);
        Assert.Equal(template.Id, first.Coupon.TemplateId);
        Assert.Equal(PromoCodeRejection.AlreadyRedeemed, again.Rejection);
        Assert.Equal(PromoCodeRejection.UsedUp, other.Rejection);
        Assert.Single(shop.Store.Coupons);
    }

    [Fact]
    public async Task RedeemAsync_MultiUseCode_OncePerUserUpToMaxRedemptions()
    {
        var shop = new PromoCodeHarness();
        var template = await shop.ActiveTemplateAsync();
        var code = await shop.SingleCodeAsync(template.Id, maxRedemptions: 3);

        var users = new[] { "u1", "u2", "u3" };
        foreach (var user in users)
        {
            Assert.True((await shop.RedeemAsync(code, user)).IsRedeemed);
        }

        Assert.Equal(PromoCodeRejection.AlreadyRedeemed, (await shop.RedeemAsync(code, "u2")).Rejection);
        Assert.Equal(PromoCodeRejection.UsedUp, (await shop.RedeemAsync(code, "u4")).Rejection);
        Assert.Equal(users, shop.Store.Coupons.Select(c => c.UserId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RedeemAsync_SameRequestRetried_ReturnsTheSameCoupon()
    {
        var shop = new PromoCodeHarness();
        var template = await shop.ActiveTemplateAsync();
        var code = await shop.SingleCodeAsync(template.Id, maxRedemptions: 1);

        var first = await shop.RedeemAsync(code, "alice", key: "req-1");
        var retry = await shop.RedeemAsync(code, "alice", key: "req-1");

        Assert.True(retry.IsRedeemed);
        Assert.True(retry.IsReplay);
        Assert.Equal(first.Coupon!.CouponId, retry.Coupon!.CouponId);
        Assert.Single(shop.Store.Coupons);
    }

    [Fact]
    public async Task RedeemAsync_CodeTypedInLowerCaseWithDashes_Redeemed()
    {
        var shop = new PromoCodeHarness();
        var template = await shop.ActiveTemplateAsync();
        var code = await shop.SingleCodeAsync(template.Id, maxRedemptions: 1);

        var result = await shop.RedeemAsync(" " + PromoCode.Format(code).ToLowerInvariant() + " ", "alice");

        Assert.True(result.IsRedeemed, result.ToString());
    }

    [Fact]
    public async Task RedeemAsync_MistypedCode_MalformedWithoutTouchingTheStoreOrTheAttempts()
    {
        var shop = new PromoCodeHarness(new PromoCodeRedemptionOptions { AttemptsPerUser = 2 });
        var template = await shop.ActiveTemplateAsync();
        var code = await shop.SingleCodeAsync(template.Id, maxRedemptions: 1);

        for (var position = 0; position < code.Length; position++)
        {
            var result = await shop.RedeemAsync(Mistype(code, position), "alice");
            Assert.Equal(PromoCodeRejection.Malformed, result.Rejection);
        }

        Assert.Equal(PromoCodeRejection.Malformed, (await shop.RedeemAsync("", "alice")).Rejection);
        Assert.Equal(PromoCodeRejection.Malformed, (await shop.RedeemAsync("O0IL1", "alice")).Rejection);
        Assert.Equal(0, shop.Counting.Lookups);
        Assert.True((await shop.RedeemAsync(code, "alice")).IsRedeemed); // typos did not use up the user's 2 attempts
    }

    [Fact]
    public async Task RedeemAsync_TenThousandGuessesFromOneUser_OnlyTheAllowedAttemptsReachTheStore()
    {
        var options = new PromoCodeRedemptionOptions { AttemptsPerUser = 5, AttemptsPerIp = 1_000_000, AttemptWindow = TimeSpan.FromMinutes(15) };
        var shop = new PromoCodeHarness(options);
        var template = await shop.ActiveTemplateAsync();
        await shop.Sut.CreateCodesAsync(template.Id, 100, 1);
        var guesses = new PromoCodeGenerator().Generate(10_000);

        var results = new List<PromoCodeRedemptionResult>();
        for (var i = 0; i < guesses.Count; i++)
        {
            results.Add(await shop.RedeemAsync(guesses[i], "mallory", ip: $"198.51.100.{i % 250}"));
        }

        Assert.Equal(5, shop.Counting.Lookups);
        Assert.All(results.Take(5), r => Assert.Equal(PromoCodeRejection.Unknown, r.Rejection));
        Assert.All(results.Skip(5), r =>
        {
            Assert.Equal(PromoCodeRejection.RateLimited, r.Rejection);
            Assert.True(r.RetryAfter > TimeSpan.Zero);
        });

        shop.Time.Advance(TimeSpan.FromMinutes(3)); // a fifth of the window refills one attempt
        await shop.RedeemAsync(guesses[0], "mallory");
        Assert.Equal(6, shop.Counting.Lookups);
    }

    [Fact]
    public async Task RedeemAsync_GuessesFromOneIpAcrossManyUsers_ThrottledPerIp()
    {
        var shop = new PromoCodeHarness(new PromoCodeRedemptionOptions { AttemptsPerUser = 10, AttemptsPerIp = 20 });
        var template = await shop.ActiveTemplateAsync();
        var guesses = new PromoCodeGenerator().Generate(10_000);

        var limited = 0;
        for (var i = 0; i < guesses.Count; i++)
        {
            var result = await shop.RedeemAsync(guesses[i], $"user-{i}", ip: "203.0.113.7");
            limited += result.Rejection == PromoCodeRejection.RateLimited ? 1 : 0;
        }

        Assert.Equal(20, shop.Counting.Lookups);
        Assert.Equal(10_000 - 20, limited);
        Assert.True((await shop.RedeemAsync(guesses[0], "someone", ip: "203.0.113.8")).Rejection == PromoCodeRejection.Unknown);
    }

    [Fact]
    public async Task RedeemAsync_ClaimRefused_DoesNotUseUpTheCode()
    {
        var shop = new PromoCodeHarness();
        var template = await shop.ActiveTemplateAsync(audience: Audience.InSegments("vip"));
        var code = await shop.SingleCodeAsync(template.Id, maxRedemptions: 1);

        var guest = await shop.RedeemAsync(code, "guest");
        Assert.Equal(0, shop.Codes.RedemptionsOf(PromoCodeRedemptions.HashOf(code)));
        var vip = await shop.RedeemAsync(code, "vip-1", segments: "vip");

        Assert.Equal(PromoCodeRejection.NotIssued, guest.Rejection);
        Assert.Equal(ClaimRejection.NotEligible, guest.ClaimRejection);
        Assert.True(vip.IsRedeemed, vip.ToString());
        Assert.Equal(1, shop.Codes.RedemptionsOf(PromoCodeRedemptions.HashOf(code)));
    }

    [Fact]
    public async Task RedeemAsync_TemplateSoldOut_DoesNotUseUpTheCode()
    {
        var shop = new PromoCodeHarness();
        var template = await shop.ActiveTemplateAsync(inventory: 1);
        var code = await shop.SingleCodeAsync(template.Id, maxRedemptions: 5);

        Assert.True((await shop.RedeemAsync(code, "u1")).IsRedeemed);
        var late = await shop.RedeemAsync(code, "u2");

        Assert.Equal(PromoCodeRejection.NotIssued, late.Rejection);
        Assert.Equal(ClaimRejection.SoldOut, late.ClaimRejection);
        Assert.Equal(1, shop.Codes.RedemptionsOf(PromoCodeRedemptions.HashOf(code)));
    }

    [Fact]
    public async Task RedeemAsync_ClaimRateLimited_KeepsTheRedemptionAndALaterRequestCompletesIt()
    {
        var shop = new PromoCodeHarness(kit: new CouponKitOptions { ClaimsPerUser = 1, ClaimRateWindow = TimeSpan.FromMinutes(1) });
        var template = await shop.ActiveTemplateAsync(perUserLimit: 2);
        var codes = await shop.Sut.CreateCodesAsync(template.Id, 2, 1);

        Assert.True((await shop.RedeemAsync(codes[0], "alice")).IsRedeemed);
        var limited = await shop.RedeemAsync(codes[1], "alice", key: "first");
        var stolen = await shop.RedeemAsync(codes[1], "bob");
        shop.Time.Advance(TimeSpan.FromMinutes(1));
        var later = await shop.RedeemAsync(codes[1], "alice", key: "second");

        Assert.Equal(PromoCodeRejection.RateLimited, limited.Rejection);
        Assert.Equal(ClaimRejection.RateLimited, limited.ClaimRejection);
        Assert.Equal(PromoCodeRejection.UsedUp, stolen.Rejection); // the redemption is alice's while it is pending
        Assert.True(later.IsRedeemed, later.ToString());
        Assert.Equal(2, shop.Store.Coupons.Count);
    }

    [Fact]
    public async Task RedeemAsync_ManyUsersAtOnceOnASingleUseCode_ExactlyOneRedeems()
    {
        var shop = new PromoCodeHarness();
        var template = await shop.ActiveTemplateAsync();
        var code = await shop.SingleCodeAsync(template.Id, maxRedemptions: 1);

        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() => shop.RedeemAsync(code, $"u{i}"))));

        Assert.Single(results, r => r.IsRedeemed);
        Assert.All(results.Where(r => !r.IsRedeemed), r => Assert.Equal(PromoCodeRejection.UsedUp, r.Rejection));
        Assert.Single(shop.Store.Coupons);
    }

    [Fact]
    public async Task RedeemAsync_EveryOutcome_NeverShowsTheFullCode()
    {
        var shop = new PromoCodeHarness(new PromoCodeRedemptionOptions { AttemptsPerUser = 4 });
        var template = await shop.ActiveTemplateAsync(inventory: 2, audience: Audience.InSegments("vip"));
        var code = await shop.SingleCodeAsync(template.Id, maxRedemptions: 10);
        var unknown = new PromoCodeGenerator().Generate();
        var mistyped = Mistype(code, 3);

        var results = new[]
        {
            await shop.RedeemAsync(code, "guest"), // not eligible
            await shop.RedeemAsync(code, "vip-1", key: "k1", segments: "vip"),
            await shop.RedeemAsync(code, "vip-1", key: "k1", segments: "vip"), // replay
            await shop.RedeemAsync(code, "vip-1", key: "k2", segments: "vip"), // already redeemed
            await shop.RedeemAsync(code, "vip-2", segments: "vip"),
            await shop.RedeemAsync(code, "vip-3", segments: "vip"), // sold out
            await shop.RedeemAsync(unknown, "vip-1"),
            await shop.RedeemAsync(mistyped, "vip-1"),
            await shop.RedeemAsync(code, "vip-1"), // rate-limited
        };

        Assert.Contains(results, r => r.Rejection == PromoCodeRejection.RateLimited);
        foreach (var result in results)
        {
            foreach (var secret in new[] { code, unknown, mistyped, PromoCode.Format(code) })
            {
                Assert.DoesNotContain(secret, result.Message, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(secret, result.ToString(), StringComparison.OrdinalIgnoreCase);
            }
        }

        Assert.Contains(PromoCode.Mask(unknown), results[6].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateCodesAsync_Count_ReturnsDistinctWellFormedCodesStoredByHash()
    {
        var shop = new PromoCodeHarness(new PromoCodeRedemptionOptions { Codes = new PromoCodeGeneratorOptions { Prefix = "SUMMER" } });
        var template = await shop.ActiveTemplateAsync();

        var codes = await shop.Sut.CreateCodesAsync(template.Id, 2_500, 1);

        Assert.Equal(2_500, codes.Distinct(StringComparer.Ordinal).Count());
        Assert.All(codes, c => Assert.True(PromoCode.IsWellFormed(c) && c.StartsWith("SUMMER", StringComparison.Ordinal)));
        Assert.Equal(2_500, shop.Codes.Count);
        Assert.Equal(64, PromoCodeRedemptions.HashOf(codes[0]).Length);
    }

    [Fact]
    public async Task CreateCodesAsync_CollisionWithStoredCodes_RegeneratesThem()
    {
        var inner = new CouponKit.InMemory.InMemoryPromoCodeStore();
        var colliding = new CollidingPromoCodeStore(inner, collisions: 3);
        var shop = new PromoCodeHarness(codes: colliding);
        var template = await shop.ActiveTemplateAsync();

        var codes = await shop.Sut.CreateCodesAsync(template.Id, 10, 1);

        Assert.Equal(10, codes.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(10, inner.Count);
        Assert.DoesNotContain(codes, c => colliding.Reported.Contains(PromoCodeRedemptions.HashOf(c)));
        foreach (var code in codes)
        {
            Assert.True((await shop.RedeemAsync(code, "u-" + code)).IsRedeemed);
        }
    }

    [Fact]
    public async Task CreateCodesAsync_TemplateWithoutPromoCodeChannel_Throws()
    {
        var shop = new PromoCodeHarness();
        var template = await shop.ActiveTemplateAsync(channels: ClaimChannels.Grab);

        var error = await Assert.ThrowsAsync<InvalidTemplateException>(() => shop.Sut.CreateCodesAsync(template.Id, 1, 1));
        Assert.Equal("channels", error.Field);
        await Assert.ThrowsAsync<TemplateNotFoundException>(() => shop.Sut.CreateCodesAsync("nope", 1, 1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => shop.Sut.CreateCodesAsync(template.Id, 0, 1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => shop.Sut.CreateCodesAsync(template.Id, 1, 0));
    }

    [Fact]
    public void Constructor_InvalidOptions_Throws()
    {
        Assert.Throws<OptionsValidationException>(() => new PromoCodeHarness(new PromoCodeRedemptionOptions { AttemptsPerUser = 0 }));
        Assert.Throws<OptionsValidationException>(() => new PromoCodeHarness(new PromoCodeRedemptionOptions { AttemptWindow = TimeSpan.Zero }));
    }

    private static string Mistype(string code, int position)
    {
        var symbol = PromoCode.Alphabet.IndexOf(code[position], StringComparison.Ordinal);
        var chars = code.ToCharArray();
        chars[position] = PromoCode.Alphabet[(symbol + 1) % PromoCode.Alphabet.Length];
        return new string(chars);
    }
}
