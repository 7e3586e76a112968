using System.Collections.Concurrent;
using CouponKit.EfCore;
using CouponKit.InMemory;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Redemption;
using CouponKit.Rules;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace CouponKit.Samples.Scenario;

/// <summary>What the flash sale ended with.</summary>
/// <param name="Users">The simulated users.</param>
/// <param name="Requests">The claims sent, retries included.</param>
/// <param name="Issued">The coupons issued (first answers).</param>
/// <param name="Replays">The retries answered with the coupon already issued.</param>
/// <param name="Rejections">The rejections, by reason.</param>
/// <param name="Stock">The template's stock afterwards, as the store has it.</param>
/// <param name="Winners">The users who won a coupon, with its id, ordered by user id.</param>
public sealed record FlashSaleResult(
    int Users,
    int Requests,
    int Issued,
    int Replays,
    IReadOnlyDictionary<ClaimRejection, int> Rejections,
    TemplateStock Stock,
    IReadOnlyList<(string UserId, string CouponId)> Winners);

/// <summary>
/// The issuance and redemption side of the shop for chapters 6 to 9: <c>AddCouponKit()</c> on SQLite (a file in a temporary
/// folder, deleted on dispose) or in memory, the in-process bus, and a fake clock so that every run prints the same.
/// </summary>
public sealed class IssuanceShop : IDisposable
{
    /// <summary>The template's id.</summary>
    public const string TemplateId = "flash-1111";

    /// <summary>The template's name.</summary>
    public const string TemplateName = "11.11 flash sale: 30 off 199";

    /// <summary>The coupons the merchant puts up.</summary>
    public const int Stock = 1_000;

    /// <summary>The simulated users.</summary>
    public const int Users = 20_000;

    /// <summary>The concurrent tasks sending claims.</summary>
    public const int Parallelism = 16;

    /// <summary>The winners, and as many losers, who click again after the rush with the same idempotency key.</summary>
    public const int Retries = 50;

    /// <summary>The shop's offset (China Standard Time).</summary>
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    private readonly string _folder;
    private readonly ServiceProvider _provider;
    private readonly List<IHostedService> _hosted;
    private FlashSaleResult? _sale;
    private IReadOnlyList<IssuedCoupon>? _claimed;
    private bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="IssuanceShop"/> class: builds the host and creates the database.</summary>
    /// <param name="onSqlite">Whether the stores are on SQLite; otherwise they stay in memory (<c>AddCouponKit()</c> alone).</param>
    public IssuanceShop(bool onSqlite)
    {
        OnSqlite = onSqlite;
        Clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 11, 0, 0, 0, Offset));
        _folder = Directory.CreateTempSubdirectory("couponkit-tour-").FullName;
        DatabasePath = Path.Combine(_folder, "couponkit.db");
        var connection = new SqliteConnectionStringBuilder { DataSource = DatabasePath, DefaultTimeout = 30, Pooling = true }.ToString();

        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Clock);
        var couponKit = services.AddCouponKit(o =>
        {
            o.LockTimeout = TimeSpan.FromMinutes(30);
            o.ClaimsPerUser = 1_000;
        });
        if (onSqlite)
        {
            services.AddDbContextFactory<CouponKitDbContext>(o => o.UseSqlite(connection));
            couponKit.UseEntityFrameworkCore<CouponKitDbContext>(o => o.MaxAttempts = 50);
        }

        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        if (onSqlite)
        {
            using var db = _provider.GetRequiredService<IDbContextFactory<CouponKitDbContext>>().CreateDbContext();
            db.Database.EnsureCreated();
            db.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
        }

        _hosted = _provider.GetServices<IHostedService>().ToList();
        foreach (var hosted in _hosted)
        {
            hosted.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        }
    }

    /// <summary>Gets the fake clock every service reads.</summary>
    public FakeTimeProvider Clock { get; }

    /// <summary>Gets whether the stores are on SQLite.</summary>
    public bool OnSqlite { get; }

    /// <summary>Gets the SQLite file (absent when the stores are in memory).</summary>
    public string DatabasePath { get; }

    /// <summary>Gets the flash sale's result, or null before it ran.</summary>
    public FlashSaleResult? Sale => _sale;

    /// <summary>Gets the current moment, in the shop's offset.</summary>
    public DateTimeOffset Now => Clock.GetUtcNow().ToOffset(Offset);

    /// <summary>Returns a service of the host.</summary>
    /// <typeparam name="T">The service.</typeparam>
    /// <returns>The service.</returns>
    public T Get<T>()
        where T : notnull => _provider.GetRequiredService<T>();

    /// <summary>The shoppers who claim a coupon on the SQLite host (chapters 7 to 9).</summary>
    public const int Shoppers = 10;

    /// <summary>Creates and activates the template.</summary>
    /// <returns>A task.</returns>
    public async Task CreateTemplateAsync()
    {
        var templates = Get<CouponTemplates>();
        var template = await templates.CreateAsync(new TemplateDraft
        {
            Id = TemplateId,
            Name = TemplateName,
            Rule = new ThresholdRebateRule(Threshold.Spend(Money.Of(199m, "CNY")), Money.Of(30m, "CNY")),
            TotalInventory = Stock,
            Validity = CouponValidity.ForDaysAfterClaim(7),
        });
        await templates.ActivateAsync(template.Id);
    }

    /// <summary>Claims a coupon of the template for a user, with the key <c>claim-{userId}</c>.</summary>
    /// <param name="userId">The user.</param>
    /// <returns>The result.</returns>
    public Task<ClaimResult> ClaimAsync(string userId) =>
        Get<CouponClaims>().ClaimAsync(new ClaimRequest { TemplateId = TemplateId, User = new UserProfile(userId), IdempotencyKey = "claim-" + userId });

    /// <summary>Creates and activates the template, then runs the flash sale; runs once, later calls return the first result.</summary>
    /// <param name="progress">Called with the number of users served so far.</param>
    /// <returns>The result.</returns>
    public async Task<FlashSaleResult> RunFlashSaleAsync(Action<int>? progress = null)
    {
        if (_sale is not null)
        {
            return _sale;
        }

        await CreateTemplateAsync();
        var templates = Get<CouponTemplates>();
        var claims = Get<CouponClaims>();
        var results = new ClaimResult[Users];
        var served = 0;
        await Parallel.ForAsync(0, Users, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (i, ct) =>
        {
            results[i] = await claims.ClaimAsync(new ClaimRequest { TemplateId = TemplateId, User = new UserProfile(UserId(i)), IdempotencyKey = Key(i) }, ct);
            var done = Interlocked.Increment(ref served);
            if (done % 250 == 0)
            {
                progress?.Invoke(done);
            }
        });

        // The impatient ones click again with the same key: a winner gets the same coupon back, not a second one. The first
        // winners and losers by user id, so that the counts are the same on every run (who wins is not).
        var byUser = Enumerable.Range(0, Users).ToArray();
        var again = byUser.Where(i => results[i].IsIssued).Take(Retries).Concat(byUser.Where(i => !results[i].IsIssued).Take(Retries)).ToArray();
        var retries = new ConcurrentBag<ClaimResult>();
        await Parallel.ForEachAsync(again, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (i, ct) =>
            retries.Add(await claims.ClaimAsync(new ClaimRequest { TemplateId = TemplateId, User = new UserProfile(UserId(i)), IdempotencyKey = Key(i) }, ct)));

        var all = results.Concat(retries).ToArray();
        var winners = results.Select((r, i) => (Result: r, UserId: UserId(i)))
            .Where(x => x.Result.IsIssued)
            .Select(x => (x.UserId, x.Result.Coupon!.CouponId))
            .OrderBy(x => x.UserId, StringComparer.Ordinal)
            .ToArray();
        _sale = new FlashSaleResult(
            Users,
            all.Length,
            all.Count(r => r.IsIssued && !r.IsReplay),
            all.Count(r => r.IsReplay),
            all.Where(r => r.Rejection is not null).GroupBy(r => r.Rejection!.Value).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count()),
            await templates.GetStockAsync(TemplateId),
            winners);
        await DeliverAsync();
        return _sale;
    }

    /// <summary>
    /// Creates the template and has <see cref="Shoppers"/> shoppers (u00001, u00002, ...) claim one coupon each, then delivers the
    /// Issued events (they schedule the expiry reminders). Runs once; later calls return the first coupons.
    /// </summary>
    /// <returns>The coupons, in shopper order.</returns>
    public async Task<IReadOnlyList<IssuedCoupon>> ClaimForShoppersAsync()
    {
        if (_claimed is not null)
        {
            return _claimed;
        }

        await CreateTemplateAsync();
        var coupons = new List<IssuedCoupon>();
        for (var i = 0; i < Shoppers; i++)
        {
            var result = await ClaimAsync(UserId(i));
            coupons.Add(result.Coupon ?? throw new InvalidOperationException(result.ToString()));
        }

        await DeliverAsync();
        _claimed = coupons;
        return coupons;
    }

    /// <summary>Sends what the outbox holds to the in-process bus and waits until its consumers are done.</summary>
    /// <returns>A task.</returns>
    public async Task DeliverAsync()
    {
        var dispatcher = Get<OutboxDispatcher>();
        while (await dispatcher.DispatchOnceAsync(CancellationToken.None) > 0)
        {
        }

        await Get<InMemoryMessageBus>().WhenIdleAsync();
    }

    /// <summary>Moves the fake clock on and waits for the delayed messages that fall due.</summary>
    /// <param name="by">How far.</param>
    /// <returns>A task.</returns>
    public async Task AdvanceAsync(TimeSpan by)
    {
        Clock.Advance(by);
        await Get<InMemoryMessageBus>().WhenIdleAsync();
    }

    /// <summary>Returns a coupon as the store has it now.</summary>
    /// <param name="couponId">The coupon.</param>
    /// <returns>The coupon.</returns>
    public async Task<IssuedCoupon> FindAsync(string couponId) =>
        await Get<ICouponStore>().FindAsync(couponId, CancellationToken.None) ?? throw new InvalidOperationException($"coupon {couponId} is not in the store");

    /// <summary>Counts the template's coupons in each state, as the store has them.</summary>
    /// <returns>The counts.</returns>
    public async Task<IReadOnlyDictionary<CouponState, int>> CountStatesAsync()
    {
        var stats = await Get<CouponKit.Statistics.CouponStatistics>().GetTemplateAsync(TemplateId);
        return new Dictionary<CouponState, int>
        {
            [CouponState.Available] = stats.Available,
            [CouponState.Locked] = stats.Locked,
            [CouponState.Used] = stats.Used,
            [CouponState.Expired] = stats.Expired,
        };
    }

    /// <summary>Stops the host and deletes the database's folder.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        for (var i = _hosted.Count - 1; i >= 0; i--)
        {
            _hosted[i].StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        _provider.DisposeAsync().AsTask().GetAwaiter().GetResult();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open: the temp folder is cleaned by the OS.
        }
    }

    private static string UserId(int i) => $"u{i + 1:D5}";

    private static string Key(int i) => $"flash-{i + 1:D5}";
}
