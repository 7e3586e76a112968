using System.Diagnostics;
using System.Globalization;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Rules;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace CouponKit.EfCore.Tests.Postgres;

/// <summary>
/// Several app instances dispatch one outbox side by side on PostgreSQL: <c>FOR UPDATE SKIP LOCKED</c> gives each its own
/// messages, and a message is leased only while it is the oldest pending one of its key.
/// </summary>
[Collection(PostgresFixture.Name)]
public sealed class PostgresOutboxDispatchTests(PostgresServer server, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Messages = 3_000;
    private const int Keys = 100;
    private const int Dispatchers = 3;
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
    private PostgresDatabase? _database;

    public async Task InitializeAsync() => _database = await PostgresDatabase.CreateAsync(server, "dispatch");

    public async Task DisposeAsync() => await _database!.DisposeAsync();

    // Invariant: with three dispatchers (three service providers, as three app instances would have) on one database, each of
    // 3,000 messages over 100 keys reaches the bus exactly once, and the messages of a key arrive in the order they were written.
    [Fact]
    public async Task ThreeDispatchers_3000MessagesOver100Keys_DeliverEachOnceInOrderPerKey()
    {
        var store = _database!.CreateStore();
        for (var batch = 0; batch < Messages / Keys; batch++)
        {
            var messages = Enumerable.Range(batch * Keys, Keys)
                .Select(n => new OutboxMessage($"m-{n}", "couponkit-test", "Tested", $"key-{n % Keys}", n.ToString(CultureInfo.InvariantCulture), T0))
                .ToArray();
            await store.AddAsync(Template($"t{batch}"), messages, default);
        }

        var bus = new RecordingBus();
        var providers = Enumerable.Range(0, Dispatchers).Select(i => Instance(bus, i)).ToArray();
        var clock = Stopwatch.StartNew();
        using var safety = new CancellationTokenSource(TimeSpan.FromSeconds(120)); // a guard against a hang, not a speed check
        try
        {
            foreach (var provider in providers)
            {
                await provider.GetRequiredService<OutboxDispatcher>().StartAsync(default);
            }

            await bus.WaitForAsync(Messages, safety.Token);
        }
        finally
        {
            foreach (var provider in providers)
            {
                await provider.GetRequiredService<OutboxDispatcher>().StopAsync(default);
                await provider.DisposeAsync();
            }
        }

        output.WriteLine($"{Messages:N0} messages dispatched by {Dispatchers} dispatchers in {clock.Elapsed.TotalMilliseconds:N0} ms");
        var published = bus.Published;
        foreach (var group in published.GroupBy(p => p.Dispatcher).OrderBy(g => g.Key))
        {
            output.WriteLine($"dispatcher {group.Key}: {group.Count():N0}");
        }

        Assert.Equal(Messages, published.Count);
        Assert.Equal(Messages, published.Select(p => p.Message.MessageId).Distinct().Count());
        Assert.All(
            published.GroupBy(p => p.Message.Key),
            key => Assert.Equal(key.Select(p => int.Parse(p.Message.Body, CultureInfo.InvariantCulture)).Order(), key.Select(p => int.Parse(p.Message.Body, CultureInfo.InvariantCulture))));
        Assert.Equal(Dispatchers, published.Select(p => p.Dispatcher).Distinct().Count());
        Assert.Equal(0L, await _database.ScalarAsync("SELECT count(*) FROM ck_outbox WHERE \"Status\" <> 1"));
    }

    private static CouponTemplate Template(string id) => CouponTemplate.Restore(
        id,
        new TemplateDraft
        {
            Id = id,
            Name = "10 off 100",
            Rule = new ThresholdRebateRule(Threshold.Spend(Money.Of(100m, "CNY")), Money.Of(10m, "CNY")),
            TotalInventory = 10,
            Validity = CouponValidity.ForDaysAfterClaim(7),
        },
        TemplateState.Active,
        1,
        T0,
        T0);

    /// <summary>One app instance: its own container, context pool and dispatcher, publishing to the shared recording bus.</summary>
    private ServiceProvider Instance(RecordingBus bus, int index)
    {
        var services = new ServiceCollection();
        services.AddPooledDbContextFactory<CouponKitDbContext>(o => o.UseNpgsql(_database!.ConnectionString));
        services.AddCouponKit().UseEntityFrameworkCore<CouponKitDbContext>();
        services.AddSingleton(bus.For(index));
        services.Configure<OutboxDispatcherOptions>(o =>
        {
            o.BatchSize = 25;
            o.PollInterval = TimeSpan.FromMilliseconds(20);
        });
        return services.BuildServiceProvider();
    }
}
