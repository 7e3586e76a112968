using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using CouponKit.Codes;
using CouponKit.Core.Tests.PromoCodes;
using CouponKit.InMemory;
using CouponKit.Issuance;
using CouponKit.Ports;
using CouponKit.Security;
using Microsoft.Extensions.Options;

namespace CouponKit.Core.Tests.Security;

/// <summary>
/// Issue 11, promo codes are secrets: stored as HMAC-SHA256 under a rotatable key, compared in constant time, never logged in
/// full, and guessing locks the user (and the IP) out exponentially after the configured misses.
/// </summary>
public sealed class PromoCodeGuessingTests : IDisposable
{
    private readonly SecurityMetrics _metrics = new();

    public void Dispose() => _metrics.Dispose();

    [Fact]
    public async Task RedeemAsync_TenThousandRandomGuessesAgainstOneUser_LockedOutAfterTheConfiguredMissesAndNoCodeIsLogged()
    {
        var options = Keyed(new PromoCodeRedemptionOptions { AttemptsPerUser = 1_000_000, AttemptsPerIp = 1_000_000, FreeMissesPerUser = 5 });
        var (shop, sut, logger, throttle) = Build(options);
        var template = await shop.ActiveTemplateAsync();
        var real = await sut.CreateCodesAsync(template.Id, 100, 1);
        var guesses = new PromoCodeGenerator().Generate(10_000);

        var results = new List<PromoCodeRedemptionResult>();
        foreach (var guess in guesses)
        {
            results.Add(await Redeem(sut, guess, "mallory"));
        }

        Assert.Equal(5, shop.Counting.Lookups);
        Assert.All(results.Take(5), r => Assert.Equal(PromoCodeRejection.Unknown, r.Rejection));
        Assert.All(results.Skip(5), r =>
        {
            Assert.Equal(PromoCodeRejection.RateLimited, r.Rejection);
            Assert.Equal(options.LockoutBase, r.RetryAfter);
        });
        Assert.Equal(5, (await throttle.GetAsync("promo:user:mallory", CancellationToken.None)).Misses);
        Assert.Equal(5, _metrics.Count(SecurityReasons.PromoCodeMiss, SecurityReasons.OperationRedeem));
        Assert.Equal(9_995, _metrics.Count(SecurityReasons.PromoCodeLockedOut, SecurityReasons.OperationRedeem));

        // Each further miss after a lock-out doubles it: 1, 2, 4 minutes.
        shop.Time.Advance(options.LockoutBase);
        Assert.Equal(PromoCodeRejection.Unknown, (await Redeem(sut, guesses[0], "mallory")).Rejection);
        Assert.Equal(options.LockoutBase * 2, (await Redeem(sut, guesses[1], "mallory")).RetryAfter);
        shop.Time.Advance(options.LockoutBase * 2);
        Assert.Equal(PromoCodeRejection.Unknown, (await Redeem(sut, guesses[2], "mallory")).Rejection);
        Assert.Equal(options.LockoutBase * 4, (await Redeem(sut, guesses[3], "mallory")).RetryAfter);

        // Another user is not locked out, and a real code still works for them.
        Assert.True((await Redeem(sut, real[0], "alice")).IsRedeemed);

        // No code appears in the captured log, whole or formatted with separators: index every window of the log (with the
        // separators and white space taken out) as long as a code, and look each code up.
        Assert.NotEmpty(logger.Lines);
        var log = string.Join("\n", logger.Lines);
        var squeezed = PromoCode.Normalize(log.ToUpperInvariant());
        var length = guesses[0].Length;
        Assert.All(guesses.Concat(real), code => Assert.Equal(length, code.Length));
        var windows = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i + length <= squeezed.Length; i++)
        {
            windows.Add(squeezed.Substring(i, length));
        }

        Assert.DoesNotContain(guesses.Concat(real), windows.Contains);
        Assert.Contains(PromoCode.Mask(guesses[0]), log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedeemAsync_GuessesFromOneIpAcrossUsers_LockTheIpOut()
    {
        var options = new PromoCodeRedemptionOptions { AttemptsPerUser = 1_000, AttemptsPerIp = 1_000_000, FreeMissesPerIp = 7 };
        var (shop, sut, _, _) = Build(options);
        await shop.ActiveTemplateAsync();
        var guesses = new PromoCodeGenerator().Generate(200);

        var results = new List<PromoCodeRedemptionResult>();
        for (var i = 0; i < guesses.Count; i++)
        {
            results.Add(await Redeem(sut, guesses[i], $"user-{i}", "203.0.113.7"));
        }

        Assert.Equal(7, shop.Counting.Lookups);
        Assert.All(results.Skip(7), r => Assert.Equal(PromoCodeRejection.RateLimited, r.Rejection));
        Assert.Equal(PromoCodeRejection.Unknown, (await Redeem(sut, guesses[0], "someone", "203.0.113.8")).Rejection);
    }

    [Fact]
    public async Task CreateCodesAsync_WithAKey_StoresOnlyTheKeyedHash()
    {
        var options = Keyed(new PromoCodeRedemptionOptions());
        var (shop, sut, _, _) = Build(options);
        var template = await shop.ActiveTemplateAsync();
        var code = (await sut.CreateCodesAsync(template.Id, 1, 1)).Single();
        var hasher = new PromoCodeHasher(options.Hashing);

        var stored = hasher.Hash(code);

        Assert.StartsWith("k1:", stored, StringComparison.Ordinal);
        Assert.NotEqual(PromoCodeRedemptions.HashOf(code), stored[3..]);
        Assert.True(hasher.Verify(code, stored));
        Assert.False(hasher.Verify(new PromoCodeGenerator().Generate(), stored));
        Assert.False(hasher.Verify(code, PromoCodeRedemptions.HashOf(code))); // an unkeyed hash is not accepted once keys are set
        Assert.True((await Redeem(sut, code, "alice")).IsRedeemed);
        Assert.Equal(1, shop.Codes.RedemptionsOf(stored));
    }

    [Fact]
    public async Task RedeemAsync_AfterKeyRotation_OldCodesStillRedeemUntilTheOldKeyIsRemoved()
    {
        var first = Keyed(new PromoCodeRedemptionOptions());
        var (shop, before, _, _) = Build(first);
        var template = await shop.ActiveTemplateAsync(perUserLimit: 5);
        var codes = await before.CreateCodesAsync(template.Id, 2, 10);

        var rotated = Keyed(new PromoCodeRedemptionOptions(), ("k2", true), ("k1", false));
        var after = Sut(shop, rotated);
        var newCode = (await after.CreateCodesAsync(template.Id, 1, 10)).Single();
        Assert.True((await Redeem(after, codes[0], "alice")).IsRedeemed);
        Assert.True((await Redeem(after, newCode, "alice")).IsRedeemed);
        Assert.StartsWith("k2:", new PromoCodeHasher(rotated.Hashing).Hash(newCode), StringComparison.Ordinal);

        var retired = Keyed(new PromoCodeRedemptionOptions(), ("k2", true));
        var later = Sut(shop, retired);
        Assert.Equal(PromoCodeRejection.Unknown, (await Redeem(later, codes[1], "bob")).Rejection);
        Assert.True((await Redeem(later, newCode, "bob")).IsRedeemed);
    }

    [Fact]
    public void Options_BadKeys_FailValidation()
    {
        Assert.Throws<OptionsValidationException>(() => Sut(new PromoCodeHarness(), new PromoCodeRedemptionOptions { Hashing = new() { CurrentKeyId = "k1" } }));
        Assert.Throws<OptionsValidationException>(() => Sut(new PromoCodeHarness(), new PromoCodeRedemptionOptions { Hashing = new() { CurrentKeyId = "k1", Keys = { ["k1"] = Convert.ToBase64String(new byte[16]) } } }));
        Assert.Throws<OptionsValidationException>(() => Sut(new PromoCodeHarness(), new PromoCodeRedemptionOptions { Hashing = new() { CurrentKeyId = "k 1", Keys = { ["k 1"] = Key() } } }));
        Assert.Throws<OptionsValidationException>(() => Sut(new PromoCodeHarness(), new PromoCodeRedemptionOptions { FreeMissesPerUser = 0 }));
        var validation = new PromoCodeHashingOptions { CurrentKeyId = "k1", Keys = { ["k1"] = "not base64!" } }.Validate(new ValidationContext(new object()));
        Assert.NotEmpty(validation);
    }

    [Fact]
    public void Lockout_DoublesAndIsCappedWithoutOverflow()
    {
        var policy = new LockoutPolicy(3, TimeSpan.FromMinutes(1), TimeSpan.FromDays(1), TimeSpan.FromDays(1));

        Assert.Equal(TimeSpan.FromMinutes(1), InMemoryAttemptThrottle.Lockout(policy, 0));
        Assert.Equal(TimeSpan.FromMinutes(8), InMemoryAttemptThrottle.Lockout(policy, 3));
        Assert.Equal(TimeSpan.FromDays(1), InMemoryAttemptThrottle.Lockout(policy, 200));
        Assert.Equal(TimeSpan.FromDays(1), InMemoryAttemptThrottle.Lockout(policy, int.MaxValue));
    }

    private static string Key() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static PromoCodeRedemptionOptions Keyed(PromoCodeRedemptionOptions options, params (string Id, bool Current)[] keys)
    {
        keys = keys.Length == 0 ? [("k1", true)] : keys;
        foreach (var (id, current) in keys)
        {
            options.Hashing.Keys[id] = KeyOf(id);
            if (current)
            {
                options.Hashing.CurrentKeyId = id;
            }
        }

        return options;
    }

    /// <summary>A fixed key per id, so that a rotated configuration still knows the earlier keys.</summary>
    private static string KeyOf(string id) => Convert.ToBase64String(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes("test-key-" + id)));

    private static Task<PromoCodeRedemptionResult> Redeem(PromoCodeRedemptions sut, string code, string user, string? ip = null) =>
        sut.RedeemAsync(new PromoCodeRedemptionRequest { Code = code, User = new UserProfile(user, []), IdempotencyKey = Guid.NewGuid().ToString("N"), ClientIp = ip });

    private static PromoCodeRedemptions Sut(PromoCodeHarness shop, PromoCodeRedemptionOptions options, InMemoryAttemptThrottle? throttle = null, SecurityMetrics? metrics = null, ListLogger<PromoCodeRedemptions>? logger = null) =>
        new(shop.Counting, shop.Store, shop.Store, shop.Claims, shop.Limiter, shop.Time, Options.Create(options), throttle, meterFactory: metrics, logger: logger);

    private (PromoCodeHarness Shop, PromoCodeRedemptions Sut, ListLogger<PromoCodeRedemptions> Logger, InMemoryAttemptThrottle Throttle) Build(PromoCodeRedemptionOptions options)
    {
        var shop = new PromoCodeHarness();
        var logger = new ListLogger<PromoCodeRedemptions>();
        var throttle = new InMemoryAttemptThrottle(shop.Time);
        return (shop, Sut(shop, options, throttle, _metrics, logger), logger, throttle);
    }
}
