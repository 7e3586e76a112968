using System.Diagnostics;
using CouponKit.Issuance;
using CouponKit.Messaging;
using Xunit.Abstractions;

namespace CouponKit.Core.Tests.Issuance;

public class CouponClaimsConcurrencyTests(ITestOutputHelper output)
{
    private const int Tasks = 64;
    private const int Attempts = 100_000;
    private const int UserCount = 20_000;
    private const int Stock = 1_000;

    // 64 tasks make 100,000 claim attempts from 20,000 users on a template with 1,000 in stock and 1 per user. About one
    // attempt in ten is a deliberate retry that reuses the key of an earlier attempt of the same user (and may run before it).
    // Exactly 1,000 coupons are issued, no user holds two, every key maps to one coupon, and every other attempt is told
    // SoldOut or LimitReached.
    [Fact]
    public async Task ClaimAsync_64TasksRaceFor1000Coupons_IssuesExactlyTheStockOncePerUserAndKey()
    {
        var kit = new TestKit(new CouponKitOptions { ClaimsPerUser = 1_000_000, ClaimsPerIp = 10_000_000 });
        await kit.ActiveAsync(TestKit.Draft() with { TotalInventory = Stock, PerUserLimit = 1 });
        var requests = Plan(new Random(20261123));
        var results = new ClaimResult[Attempts];
        var clock = Stopwatch.StartNew();

        await Task.WhenAll(Enumerable.Range(0, Tasks).Select(task => Task.Run(async () =>
        {
            for (var i = task; i < Attempts; i += Tasks)
            {
                results[i] = await kit.Claims.ClaimAsync(requests[i]);
            }
        })));

        clock.Stop();
        output.WriteLine($"{Attempts:N0} claims by {Tasks} tasks took {clock.Elapsed.TotalMilliseconds:N0} ms");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the claims took {clock.Elapsed}");
        var coupons = kit.Store.Coupons;
        Assert.Equal(Stock, coupons.Count);
        Assert.Equal(new(Stock, Stock), await kit.Templates.GetStockAsync("t1"));
        Assert.Equal(Stock, kit.Outbox(CouponTopics.Issued).Count);
        Assert.DoesNotContain(coupons.GroupBy(c => c.UserId), g => g.Count() > 1);
        Assert.Equal(Stock, results.Count(r => r.IsIssued && !r.IsReplay));
        Assert.All(results.Where(r => !r.IsIssued), r => Assert.Contains(r.Rejection, new ClaimRejection?[] { ClaimRejection.SoldOut, ClaimRejection.LimitReached }));

        var userOfKey = requests.DistinctBy(r => r.IdempotencyKey).ToDictionary(r => r.IdempotencyKey, r => r.User.UserId);
        var byKey = requests.Zip(results).Where(p => p.Second.IsIssued).GroupBy(p => p.First.IdempotencyKey, p => p.Second.Coupon!).ToList();
        foreach (var key in byKey)
        {
            var coupon = Assert.Single(key.DistinctBy(c => c.CouponId));
            Assert.Equal(coupon.CouponId, (await kit.Store.FindByClaimKeyAsync(key.Key, CancellationToken.None))!.CouponId);
            Assert.Equal(userOfKey[key.Key], coupon.UserId);
        }

        Assert.Equal(Stock, byKey.Count);
        Assert.Equal(coupons.Select(c => c.CouponId).Order(), byKey.Select(k => k.First().CouponId).Order());
        Assert.Contains(results, r => r.IsReplay);
    }

    /// <summary>The attempts: random users, fresh keys, and one in ten a retry of an earlier attempt of the same user.</summary>
    private static ClaimRequest[] Plan(Random random)
    {
        var lastKey = new string?[UserCount];
        var users = Enumerable.Range(0, UserCount).Select(u => TestKit.User($"user-{u}")).ToArray();
        var requests = new ClaimRequest[Attempts];
        for (var i = 0; i < Attempts; i++)
        {
            var user = random.Next(UserCount);
            var key = lastKey[user] is { } earlier && random.Next(10) == 0 ? earlier : $"attempt-{i}";
            lastKey[user] = key;
            requests[i] = new ClaimRequest { TemplateId = "t1", User = users[user], IdempotencyKey = key };
        }

        return requests;
    }
}
