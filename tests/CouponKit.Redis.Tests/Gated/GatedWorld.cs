using System.Collections.Concurrent;
using CouponKit.Caching;
using CouponKit.EfCore;
using CouponKit.InMemory;
using CouponKit.Issuance;
using CouponKit.Issuance.Gated;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Redis.Tests.Fixtures;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CouponKit.Redis.Tests.Gated;

/// <summary>
/// CouponKit on SQLite (EF Core) and Redis, with the in-memory bus: the gated claims, their issue consumer, the template
/// cache consumer and the outbox dispatcher (swept by hand), for the async-flow tests. The bus and the coupon store can be
/// wrapped (chaos bus, refusing store).
/// </summary>
internal sealed class GatedWorld : IAsyncDisposable
{
    private readonly string _dbPath;
    private readonly List<IAsyncDisposable> _subscriptions = [];

    private GatedWorld(ServiceProvider services, string dbPath)
    {
        Services = services;
        _dbPath = dbPath;
    }

    public ServiceProvider Services { get; }

    public CouponTemplates Templates => Services.GetRequiredService<CouponTemplates>();

    public GatedClaims Claims => Services.GetRequiredService<GatedClaims>();

    public RedisGateReconciler Reconciler => Services.GetRequiredService<RedisGateReconciler>();

    public ICouponStore Coupons => Services.GetRequiredService<ICouponStore>();

    public IPendingClaimStore Pending => Services.GetRequiredService<IPendingClaimStore>();

    public IClaimHolderSource Holders => Services.GetRequiredService<IClaimHolderSource>();

    public InMemoryMessageBus Bus => Services.GetRequiredService<InMemoryMessageBus>();

    public IDeadLetterStore DeadLetters => Services.GetRequiredService<IDeadLetterStore>();

    public static async Task<GatedWorld> CreateAsync(
        string redisConfiguration,
        string? prefix = null,
        Action<RedisCouponKitOptions>? redis = null,
        Action<GatedClaimOptions>? gated = null,
        Func<IServiceProvider, IMessageBus, IMessageBus>? wrapBus = null,
        Func<ICouponStore, ICouponStore>? wrapStore = null)
    {
        var dbPath = Path.Combine(Path.GetTempPath(), $"couponkit-redis-{Guid.NewGuid():N}.db");
        var connection = new SqliteConnectionStringBuilder { DataSource = dbPath, DefaultTimeout = 30, Pooling = true }.ToString();
        var services = new ServiceCollection();
        services.AddDbContextFactory<CouponKitDbContext>(o => o.UseSqlite(connection));
        services.AddCouponKit(o => { o.ClaimsPerUser = 1_000_000; o.ClaimsPerIp = 1_000_000; })
            .UseEntityFrameworkCore<CouponKitDbContext>()
            .UseRedis(o =>
            {
                o.Configuration = redisConfiguration;
                o.KeyPrefix = prefix ?? RedisServerFixture.NewPrefix();
                redis?.Invoke(o);
            });
        services.Configure<GatedClaimOptions>(o =>
        {
            o.MaxDeliveryAttempts = 5;
            o.InitialBackoff = TimeSpan.FromMilliseconds(20);
            o.MaxBackoff = TimeSpan.FromMilliseconds(100);
            gated?.Invoke(o);
        });
        services.Replace(ServiceDescriptor.Singleton<IRateLimiter>(sp => new InMemoryRateLimiter(TimeProvider.System)));
        if (wrapBus is not null)
        {
            services.Replace(ServiceDescriptor.Singleton(sp => wrapBus(sp, sp.GetRequiredService<InMemoryMessageBus>())));
        }

        if (wrapStore is not null)
        {
            var store = services.Last(d => d.ServiceType == typeof(ICouponStore));
            services.Replace(ServiceDescriptor.Singleton(sp => wrapStore((ICouponStore)store.ImplementationFactory!(sp))));
        }

        var provider = services.BuildServiceProvider();
        await using (var db = await provider.GetRequiredService<IDbContextFactory<CouponKitDbContext>>().CreateDbContextAsync())
        {
            await db.Database.EnsureCreatedAsync();
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        }

        var world = new GatedWorld(provider, dbPath);
        world._subscriptions.Add(await provider.GetRequiredService<GatedIssueConsumer>().SubscribeAsync());
        return world;
    }

    /// <summary>Subscribes the template cache consumer with a short backoff (so an outage is retried within the test).</summary>
    public async Task SubscribeCacheAsync(Func<IncomingMessage, CancellationToken, Task>? around = null)
    {
        var consumer = Services.GetRequiredService<TemplateCacheConsumer>();
        var subscription = new Subscription
        {
            ConsumerGroup = TemplateCacheConsumer.ConsumerGroup,
            Topic = CouponTopics.Coupon,
            Tags = [CouponTopics.TemplateChanged],
            MaxDeliveryAttempts = 1_000,
            InitialBackoff = TimeSpan.FromMilliseconds(50),
            MaxBackoff = TimeSpan.FromMilliseconds(200),
        };
        _subscriptions.Add(await Services.GetRequiredService<IMessageBus>().SubscribeAsync(subscription, around ?? consumer.HandleAsync, default));
    }

    /// <summary>Publishes what the outbox holds (template changes), until it is empty.</summary>
    public async Task DispatchAsync()
    {
        var dispatcher = Services.GetRequiredService<OutboxDispatcher>();
        while (await dispatcher.DispatchOnceAsync(default) > 0)
        {
        }
    }

    /// <summary>Waits until the bus is idle and no claim of the template is pending (or fails after a minute).</summary>
    public async Task DrainAsync(string templateId, Func<Task>? whileWaiting = null)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (true)
        {
            await DispatchAsync();
            await Bus.WhenIdleAsync(guard.Token);
            if (whileWaiting is not null)
            {
                await whileWaiting();
            }

            if ((await Pending.ListPendingAsync(templateId, guard.Token)).Count == 0)
            {
                await Bus.WhenIdleAsync(guard.Token);
                return;
            }

            await Task.Delay(25, guard.Token);
        }
    }

    public async Task<CouponTemplate> CreateActiveAsync(string id, int inventory, int perUserLimit = 1)
    {
        await Templates.CreateAsync(Shop.Draft(id, inventory, perUserLimit));
        return await Templates.ActivateAsync(id);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var subscription in _subscriptions)
        {
            await subscription.DisposeAsync();
        }

        await Services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { string.Empty, "-wal", "-shm" })
        {
            File.Delete(_dbPath + suffix);
        }
    }
}

/// <summary>
/// A bus that misbehaves on the way out, deterministically (seeded): duplicates, delays (so reorders) the messages of the given
/// tags. Subscriptions go straight to the inner bus.
/// </summary>
internal sealed class ChaosBus(IMessageBus inner, int seed, double duplicate, double delay, TimeSpan maxDelay, params string[] tags) : IMessageBus
{
    private readonly Random _random = new(seed);
    private long _lastDueTicks;

    public int Duplicated;

    public int Delayed;

    /// <summary>Gets when the last delayed message becomes visible.</summary>
    public DateTimeOffset LastDue => new(Interlocked.Read(ref _lastDueTicks), TimeSpan.Zero);

    public async Task PublishAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        if (!tags.Contains(message.Tag))
        {
            await inner.PublishAsync(message, cancellationToken);
            return;
        }

        double a, b, c;
        lock (_random)
        {
            (a, b, c) = (_random.NextDouble(), _random.NextDouble(), _random.NextDouble());
        }

        var copies = a < duplicate ? 2 : 1;
        if (copies == 2)
        {
            Interlocked.Increment(ref Duplicated);
        }

        for (var i = 0; i < copies; i++)
        {
            var sent = message;
            if (b < delay || i == 1)
            {
                var due = TimeProvider.System.GetUtcNow() + (maxDelay * c);
                sent = message with { DeliverAt = due };
                Interlocked.Increment(ref Delayed);
                long seen;
                do
                {
                    seen = Interlocked.Read(ref _lastDueTicks);
                }
                while (due.UtcTicks > seen && Interlocked.CompareExchange(ref _lastDueTicks, due.UtcTicks, seen) != seen);
            }

            await inner.PublishAsync(sent, cancellationToken);
        }
    }

    public Task<IAsyncDisposable> SubscribeAsync(Subscription subscription, Func<IncomingMessage, CancellationToken, Task> handler, CancellationToken cancellationToken) =>
        inner.SubscribeAsync(subscription, handler, cancellationToken);
}

/// <summary>
/// A coupon store that refuses some inserts: claim keys picked by <paramref name="refuse"/> are refused (LimitReached as a
/// stand-in for any database refusal), those picked by <paramref name="failTransiently"/> throw on their first two tries, and
/// those picked by <paramref name="failAlways"/> always throw (their command is dead-lettered).
/// </summary>
internal sealed class RefusingCouponStore(ICouponStore inner, Func<string, bool> refuse, Func<string, bool> failTransiently, Func<string, bool> failAlways) : ICouponStore
{
    private readonly ConcurrentDictionary<string, int> _tries = new(StringComparer.Ordinal);

    public int Refused;

    public async Task<IssueOutcome> IssueAsync(IssueCommand command, CancellationToken cancellationToken)
    {
        var key = command.ClaimKey;
        var tries = _tries.AddOrUpdate(key, 1, (_, n) => n + 1);
        if (failAlways(key) || (failTransiently(key) && tries <= 2))
        {
            throw new TimeoutException("the database did not answer (test)");
        }

        if (refuse(key))
        {
            Interlocked.Increment(ref Refused);
            return new IssueOutcome(IssueStatus.LimitReached, null);
        }

        return await inner.IssueAsync(command, cancellationToken);
    }

    public Task<IssuedCoupon?> FindByClaimKeyAsync(string claimKey, CancellationToken cancellationToken) => inner.FindByClaimKeyAsync(claimKey, cancellationToken);

    public Task<IssuedCoupon?> FindAsync(string couponId, CancellationToken cancellationToken) => inner.FindAsync(couponId, cancellationToken);

    public Task<IReadOnlyList<IssuedCoupon>> ListByUserAsync(string userId, CancellationToken cancellationToken) => inner.ListByUserAsync(userId, cancellationToken);
}
