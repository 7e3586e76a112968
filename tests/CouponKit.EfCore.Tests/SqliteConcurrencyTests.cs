using System.Collections.Concurrent;
using CouponKit.EfCore.Stores;
using CouponKit.Issuance;
using CouponKit.Ports;
using CouponKit.Redemption;
using CouponKit.Rules;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace CouponKit.EfCore.Tests;

/// <summary>SQLite serialises writers: busy and conflicts are retried inside the store and never surface.</summary>
public sealed class SqliteConcurrencyTests(ITestOutputHelper output) : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
    private readonly SqliteDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task IssueAsync_32ConcurrentClaimers_NoStoreFailureIsLogged()
    {
        var logger = new CountingLogger();
        var store = new EfCoreCouponKitStore<CouponKitDbContext>(_database.Factory, TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new EfCoreCouponKitOptions()), logger);
        await store.AddAsync(Template("t1", 100), [], default);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 32).SelectMany(claimer => Enumerable.Range(0, 4).Select(i => (claimer, i))).Select(x => Task.Run(() =>
            store.IssueAsync(new IssueCommand($"k-{x.claimer}-{x.i}", new IssuedCoupon($"c-{x.claimer}-{x.i}", "t1", $"u{x.claimer}", CouponState.Available, T0, T0.AddDays(7), T0, ClaimChannels.Grab, null, 1), 2, []), default))));

        output.WriteLine($"retries: {logger.Counts.GetValueOrDefault(2000)}, failures: {logger.Counts.GetValueOrDefault(2001)}");
        Assert.Equal(64, outcomes.Count(o => o.Status == IssueStatus.Issued));
        Assert.Equal(64, outcomes.Count(o => o.Status == IssueStatus.LimitReached));
        Assert.Equal(0, logger.Counts.GetValueOrDefault(2001));
        Assert.Equal(new TemplateStock(100, 64), await store.GetStockAsync("t1", default));
    }

    private static CouponTemplate Template(string id, int inventory) => CouponTemplate.Restore(
        id,
        new TemplateDraft
        {
            Id = id,
            Name = "10 off 100",
            Rule = new ThresholdRebateRule(Threshold.Spend(Money.Of(100m, "CNY")), Money.Of(10m, "CNY")),
            TotalInventory = inventory,
            Validity = CouponValidity.ForDaysAfterClaim(7),
            PerUserLimit = 2,
        },
        TemplateState.Active,
        1,
        T0,
        T0);

    private sealed class CountingLogger : ILogger<EfCoreCouponKitStore<CouponKitDbContext>>
    {
        public ConcurrentDictionary<int, int> Counts { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Counts.AddOrUpdate(eventId.Id, 1, (_, n) => n + 1);
    }
}
