using System.Diagnostics;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace CouponKit.EfCore.Tests.Postgres;

/// <summary>The core's flash-sale race, through <see cref="CouponClaims"/> on the EF Core store on PostgreSQL.</summary>
[Collection(PostgresFixture.Name)]
public sealed class PostgresClaimConcurrencyTests(PostgresServer server, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Tasks = 64;
    private const int Attempts = 100_000;
    private const int UserCount = 20_000;
    private const int Stock = 1_000;
    private PostgresDatabase? _database;

    public async Task InitializeAsync() => _database = await PostgresDatabase.CreateAsync(server, "claims");

    public async Task DisposeAsync() => await _database!.DisposeAsync();

    // Invariant: 64 claimers make 100,000 attempts from 20,000 users on 1,000 coupons, 1 per user (one attempt in ten retries
    // an earlier key of the same user). The database ends with exactly 1,000 coupons, 1,000 claim rows and 1,000 Issued outbox
    // rows; no user holds two; every key that was answered with a coupon maps to that one coupon; every other answer is
    // SoldOut or LimitReached.
    [Fact]
    public async Task ClaimAsync_64ClaimersRaceFor1000Coupons_IssuesExactlyTheStock()
    {
        await using var provider = PostgresKit.Create(_database!.ConnectionString);
        await PostgresKit.ActiveTemplateAsync(provider, Stock, perUserLimit: 1);
        var claims = provider.GetRequiredService<CouponClaims>();
        var requests = Plan(new Random(20261123));
        var results = new ClaimResult[Attempts];
        var clock = Stopwatch.StartNew();

        await Task.WhenAll(Enumerable.Range(0, Tasks).Select(task => Task.Run(async () =>
        {
            for (var i = task; i < Attempts; i += Tasks)
            {
                results[i] = await claims.ClaimAsync(requests[i]);
            }
        })));

        clock.Stop();
        output.WriteLine($"{Attempts:N0} claims by {Tasks} claimers on PostgreSQL took {clock.Elapsed.TotalMilliseconds:N0} ms ({Attempts / clock.Elapsed.TotalSeconds:N0}/s)");
        Assert.Equal(Stock, await _database.ScalarAsync("SELECT count(*) FROM ck_coupons"));
        Assert.Equal(Stock, await _database.ScalarAsync("SELECT count(DISTINCT \"ClaimKey\") FROM ck_coupons"));
        Assert.Equal(Stock, await _database.ScalarAsync($"SELECT count(*) FROM ck_outbox WHERE \"Tag\" = '{CouponTopics.Issued}'"));
        Assert.Equal(0, await _database.ScalarAsync("SELECT count(*) FROM (SELECT \"UserId\" FROM ck_coupons GROUP BY \"UserId\" HAVING count(*) > 1) AS twice"));
        Assert.Equal(new TemplateStock(Stock, Stock), await provider.GetRequiredService<ITemplateStore>().GetStockAsync("t1", default));
        Assert.Equal(Stock, results.Count(r => r.IsIssued && !r.IsReplay));
        Assert.All(results.Where(r => !r.IsIssued), r => Assert.Contains(r.Rejection, new ClaimRejection?[] { ClaimRejection.SoldOut, ClaimRejection.LimitReached }));

        var coupons = provider.GetRequiredService<ICouponStore>();
        var byKey = requests.Zip(results).Where(p => p.Second.IsIssued).GroupBy(p => p.First.IdempotencyKey, p => p.Second.Coupon!).ToList();
        Assert.Equal(Stock, byKey.Count);
        foreach (var key in byKey)
        {
            var coupon = Assert.Single(key.DistinctBy(c => c.CouponId));
            Assert.Equal(coupon.CouponId, (await coupons.FindByClaimKeyAsync(key.Key, default))!.CouponId);
        }
    }

    /// <summary>The attempts: random users, fresh keys, and one in ten a retry of an earlier attempt of the same user.</summary>
    private static ClaimRequest[] Plan(Random random)
    {
        var lastKey = new string?[UserCount];
        var users = Enumerable.Range(0, UserCount).Select(u => new UserProfile($"user-{u}")).ToArray();
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
