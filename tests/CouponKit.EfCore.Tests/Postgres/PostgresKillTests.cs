using System.Collections.Concurrent;
using System.Diagnostics;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace CouponKit.EfCore.Tests.Postgres;

/// <summary>
/// The PostgreSQL server dies (<c>pg_ctl stop -m immediate</c>) in the middle of a claim burst and comes back: no coupon is
/// lost or issued twice, and the outbox then delivers every Issued event exactly once to an idempotent consumer. Each test
/// has a cluster of its own, which it kills.
/// </summary>
[Collection(PostgresFixture.Name)]
public sealed class PostgresKillTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Claimers = 16;
    private const int Attempts = 5_000;
    private const int Stock = 2_000;
    private const string ConsumerGroup = "kill-test-consumer";
    private PostgresServer? _server;
    private PostgresDatabase? _database;

    public async Task InitializeAsync()
    {
        _server = await PostgresServer.StartNewAsync();
        _database = await PostgresDatabase.CreateAsync(_server, "kill");
    }

    public async Task DisposeAsync()
    {
        await _database!.DisposeAsync();
        await _server!.DisposeAsync();
    }

    // Invariant: 16 claimers make 5,000 claims (5,000 users, one key each, 1 per user) on 2,000 coupons; the server is killed
    // when a quarter of the stock is issued and restarted; a claim that failed is tried again with its same key until it gets an
    // answer. Afterwards: every key answered with a coupon is the claim row of exactly that coupon; coupons == claim rows ==
    // Issued outbox rows == issued stock == 2,000 (nothing lost, nothing twice, the decrement never without its coupon). Then a
    // dispatcher publishes the outbox to a bus that delivers every message twice, into a consumer de-duplicating through the
    // inbox: every Issued event has its effect exactly once.
    [Fact]
    public async Task ClaimBurst_ServerKilledAndRestarted_NoCouponLostOrTwice_EachEventHandledOnce()
    {
        var clock = Stopwatch.StartNew();
        await using var provider = PostgresKit.Create(_database!.ConnectionString, o =>
        {
            o.MaxAttempts = 3;
            o.RetryBackoff = TimeSpan.FromMilliseconds(10);
            o.MaxRetryBackoff = TimeSpan.FromMilliseconds(50);
        });
        await PostgresKit.ActiveTemplateAsync(provider, Stock, perUserLimit: 1);
        var claims = provider.GetRequiredService<CouponClaims>();
        var results = new ClaimResult[Attempts];
        var failures = new ConcurrentBag<CouponKitStoreException>();
        var issued = 0;
        var killAt = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var burst = Task.WhenAll(Enumerable.Range(0, Claimers).Select(claimer => Task.Run(async () =>
        {
            for (var i = claimer; i < Attempts; i += Claimers)
            {
                var request = new ClaimRequest { TemplateId = "t1", User = new UserProfile($"user-{i}"), IdempotencyKey = $"key-{i}" };
                for (var retry = 0; results[i] is null; retry++)
                {
                    try
                    {
                        results[i] = await claims.ClaimAsync(request);
                    }
                    catch (CouponKitStoreException ex) when (retry < 1_000)
                    {
                        failures.Add(ex);
                        await Task.Delay(50);
                    }
                }

                if (results[i].IsIssued && Interlocked.Increment(ref issued) == Stock / 4)
                {
                    killAt.TrySetResult();
                }
            }
        })));

        await Task.WhenAny(killAt.Task, burst);
        Assert.False(burst.IsCompleted, "the burst ended before the kill");
        await _server!.KillAsync();
        await Task.Delay(500); // the outage: claims fail meanwhile, and are tried again
        await _server.StartAsync();
        await burst;

        output.WriteLine($"claim burst with a kill: {clock.Elapsed.TotalMilliseconds:N0} ms, {failures.Count:N0} failed calls tried again");
        Assert.NotEmpty(failures);
        Assert.All(failures, f => Assert.False(string.IsNullOrEmpty(f.Operation)));

        var coupons = await _database.ScalarAsync("SELECT count(*) FROM ck_coupons");
        Assert.Equal(Stock, coupons);
        Assert.Equal(coupons, await _database.ScalarAsync("SELECT count(DISTINCT \"ClaimKey\") FROM ck_coupons"));
        Assert.Equal(coupons, await _database.ScalarAsync($"SELECT count(*) FROM ck_outbox WHERE \"Tag\" = '{CouponTopics.Issued}'"));
        Assert.Equal(coupons, await _database.ScalarAsync("SELECT count(DISTINCT \"UserId\") FROM ck_coupons"));
        Assert.Equal(new TemplateStock(Stock, Stock), await provider.GetRequiredService<ITemplateStore>().GetStockAsync("t1", default));
        Assert.Equal(Stock, results.Count(r => r.IsIssued));
        Assert.All(results, r => Assert.True(r.IsIssued || r.Rejection == ClaimRejection.SoldOut, r.ToString()));
        var store = provider.GetRequiredService<ICouponStore>();
        for (var i = 0; i < Attempts; i++)
        {
            if (results[i].IsIssued)
            {
                Assert.Equal(results[i].Coupon!.CouponId, (await store.FindByClaimKeyAsync($"key-{i}", default))?.CouponId);
            }
        }

        // The outbox, to a consumer that gets every message twice and de-duplicates through the inbox.
        var effects = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var bus = new TwiceDeliveringBus(provider.GetRequiredService<IInboxStore>(), effects);
        await using (var dispatching = PostgresKit.Create(_database.ConnectionString, bus: bus, dispatcher: o =>
        {
            o.PollInterval = TimeSpan.FromMilliseconds(20);
            o.BatchSize = 100;
        }))
        {
            var dispatcher = dispatching.GetRequiredService<OutboxDispatcher>();
            await dispatcher.StartAsync(default);
            using var safety = new CancellationTokenSource(TimeSpan.FromMinutes(5)); // a guard against a hang, not a speed check
            while (!safety.IsCancellationRequested && await _database.ScalarAsync("SELECT count(*) FROM ck_outbox WHERE \"Status\" = 0") > 0)
            {
                await Task.Delay(100);
            }

            await dispatcher.StopAsync(default);
        }

        output.WriteLine($"with the dispatch: {clock.Elapsed.TotalMilliseconds:N0} ms, {bus.Deliveries:N0} deliveries");
        var couponIds = await _database.ListAsync("SELECT \"CouponId\" FROM ck_coupons");
        Assert.Equal(couponIds.Select(id => $"coupon:{id}:issued").Order(StringComparer.Ordinal), effects.Keys.Order(StringComparer.Ordinal));
        Assert.All(effects, e => Assert.Equal(1, e.Value));
        Assert.True(bus.Deliveries >= 2 * Stock);
        Assert.Equal(Stock, await _database.ScalarAsync($"SELECT count(*) FROM ck_inbox WHERE \"ConsumerGroup\" = '{ConsumerGroup}'"));
    }

    // Invariant: with the server down, a store call fails with a CouponKitStoreException naming the operation (not a raw
    // provider exception), and the same call succeeds once the server is back.
    [Fact]
    public async Task GetStockAsync_ServerDown_ThrowsStoreExceptionNamingTheOperation()
    {
        var store = _database!.CreateStore(options: new EfCoreCouponKitOptions { MaxAttempts = 2, RetryBackoff = TimeSpan.Zero });
        await store.AddAsync(PostgresFailedTransactionTests.Template("t1", 5), [], default);
        Assert.Equal(new TemplateStock(5, 0), await store.GetStockAsync("t1", default));

        await _server!.KillAsync();
        var ex = await Assert.ThrowsAsync<CouponKitStoreException>(() => store.GetStockAsync("t1", default));
        await _server.StartAsync();

        Assert.Equal("GetStockAsync", ex.Operation);
        Assert.Equal("store_failure", ex.ErrorCode);
        Assert.IsAssignableFrom<Npgsql.NpgsqlException>(ex.InnerException); // the provider's error, not EF Core's wrapper
        Assert.Equal(new TemplateStock(5, 0), await store.GetStockAsync("t1", default));
    }

    /// <summary>Delivers each message twice to a consumer that records its message id in the inbox before its effect counts.</summary>
    private sealed class TwiceDeliveringBus(IInboxStore inbox, ConcurrentDictionary<string, int> effects) : IMessageBus
    {
        private int _deliveries;

        public int Deliveries => Volatile.Read(ref _deliveries);

        public async Task PublishAsync(OutboxMessage message, CancellationToken cancellationToken)
        {
            for (var delivery = 0; delivery < 2; delivery++)
            {
                Interlocked.Increment(ref _deliveries);
                if (message.Tag == CouponTopics.Issued && await inbox.TryRecordAsync(ConsumerGroup, message.MessageId, cancellationToken))
                {
                    effects.AddOrUpdate(message.MessageId, 1, (_, n) => n + 1);
                }
            }
        }

        public Task<IAsyncDisposable> SubscribeAsync(Subscription subscription, Func<IncomingMessage, CancellationToken, Task> handler, CancellationToken cancellationToken) =>
            throw new NotSupportedException("This bus only publishes.");
    }
}
