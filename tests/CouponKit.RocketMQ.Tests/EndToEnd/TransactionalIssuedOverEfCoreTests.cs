using CouponKit.Caching;
using CouponKit.EfCore;
using CouponKit.InMemory;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Rules;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using V2 = CouponKit.RocketMQ.Protocol.V2;

namespace CouponKit.RocketMQ.Tests.EndToEnd;

/// <summary>
/// A claim on CouponKit.EfCore (SQLite) whose Issued event is a RocketMQ transactional message
/// (<see cref="RocketMQOptions.TransactionalIssuedEvents"/>), through the test proxy, to a consumer of Issued: the core's
/// <see cref="ExpiryWorker"/>, which schedules the coupon's expiry reminder (its inbox makes a second delivery a no-op). The
/// template cache (<see cref="TemplateCacheConsumer"/>) consumes TemplateChanged, not Issued; it is shown next to it.
/// Check-backs are answered by the EF Core resolver from the claim row.
/// </summary>
public sealed class TransactionalIssuedOverEfCoreTests
{
    [Fact]
    public async Task Claim_IssuedIsCommittedTransactionalMessage_ConsumerSchedulesTheReminder_DuplicateHasNoSecondEffect()
    {
        await using var e2e = await EfHarness.StartAsync();
        var template = await e2e.CreateTemplateAsync(inventory: 10);

        var claim = await e2e.Claims.ClaimAsync(new ClaimRequest { TemplateId = template.Id, User = new UserProfile("alice"), IdempotencyKey = "k-alice" });

        Assert.True(claim.IsIssued);
        await Eventually.TrueAsync(() => e2e.Reminders.Rows.Count == 1 && e2e.Delivered.Count == 1);
        var issued = Assert.Single(e2e.Bus.Broker.MessagesOf(CouponTopics.Coupon), m => m.SystemProperties.Tag == CouponTopics.Issued);
        Assert.Equal(V2.MessageType.Transaction, issued.SystemProperties.MessageType);
        var end = Assert.Single(e2e.Bus.Broker.EndTransactions);
        Assert.Equal((V2.TransactionResolution.Commit, V2.TransactionSource.SourceClient), (end.Resolution, end.Source));
        Assert.Equal(0, await e2e.CountOutboxRowsAsync(CouponTopics.Issued)); // not through the outbox
        Assert.Equal(("alice", template.Id), (e2e.Reminders.Rows[0].UserId, e2e.Reminders.Rows[0].TemplateId));
        var delivered = e2e.Delivered.Messages[0].Message;
        Assert.Equal(CouponEvents.Issued(claim.Coupon!, "k-alice").MessageId, delivered.MessageId);

        // The same event again (an outbox replay, a second producer): delivered, recognized by the inbox, no second effect.
        await e2e.Bus.Bus.PublishAsync(delivered, TestTimeout.Token());
        await Eventually.TrueAsync(() => e2e.Delivered.Count == 2);
        Assert.Single(e2e.Reminders.Rows);
        Assert.True(await e2e.Bus.Services.GetRequiredService<IInboxStore>().ContainsAsync(ExpiryWorker.ReminderGroup, delivered.MessageId, TestTimeout.Token()));
    }

    [Fact]
    public async Task TemplateCacheConsumerCachesTheActivatedTemplate_ThenTheClaimsIssuedReachesItsConsumerTransactionally()
    {
        await using var e2e = await EfHarness.StartAsync(configure: s => s.AddSingleton<ITemplateCache, InMemoryTemplateCache>());
        e2e.Bus.Broker.CreateConsumerGroup(TemplateCacheConsumer.ConsumerGroup);
        await using var cacheSubscription = await e2e.Bus.Services.GetRequiredService<TemplateCacheConsumer>().SubscribeAsync(null, TestTimeout.Token(30));
        var template = await e2e.CreateTemplateAsync(inventory: 10);

        // TemplateChanged goes through the EF Core outbox and its dispatcher to RocketMQ, then to the cache consumer.
        var dispatcher = e2e.Bus.Services.GetRequiredService<OutboxDispatcher>();
        while (await dispatcher.DispatchOnceAsync(TestTimeout.Token()) > 0)
        {
        }

        var cache = e2e.Bus.Services.GetRequiredService<ITemplateCache>();
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            while ((await cache.GetAsync(template.Id, wait.Token))?.Version != template.Version)
            {
                await Task.Delay(10, wait.Token);
            }
        }

        var claim = await e2e.Claims.ClaimAsync(new ClaimRequest { TemplateId = template.Id, User = new UserProfile("alice"), IdempotencyKey = "k-alice" });

        Assert.True(claim.IsIssued);
        await Eventually.TrueAsync(() => e2e.Delivered.Count == 1 && e2e.Reminders.Rows.Count == 1);
        Assert.Equal(TemplateState.Active, (await cache.GetAsync(template.Id, TestTimeout.Token()))!.State);
        Assert.Equal(V2.MessageType.Transaction, Assert.Single(e2e.Bus.Broker.MessagesOf(CouponTopics.Coupon), m => m.SystemProperties.Tag == CouponTopics.Issued).SystemProperties.MessageType);
    }

    [Fact]
    public async Task CrashAfterTheLocalCommit_BeforeEndTransaction_CheckBackFindsTheClaimRowAndCommits()
    {
        await using var e2e = await EfHarness.StartAsync(Crash.AfterCommit);
        var template = await e2e.CreateTemplateAsync(inventory: 10);

        var crash = await Assert.ThrowsAsync<InvalidOperationException>(() => e2e.Claims.ClaimAsync(new ClaimRequest { TemplateId = template.Id, User = new UserProfile("alice"), IdempotencyKey = "k-alice" }));

        Assert.Equal(CrashingStore.Message, crash.Message);
        var coupon = await e2e.Bus.Services.GetRequiredService<ICouponStore>().FindByClaimKeyAsync("k-alice", TestTimeout.Token());
        Assert.NotNull(coupon); // the local transaction committed
        Assert.Empty(e2e.Bus.Broker.EndTransactions);
        Assert.Equal(0, e2e.Delivered.Count);

        e2e.Bus.Time.Advance(e2e.Bus.Broker.Options.TransactionCheckDelay);
        await Eventually.TrueAsync(() => e2e.Delivered.Count == 1 && e2e.Reminders.Rows.Count == 1);

        Assert.Equal([TransactionOutcome.Committed], e2e.Checks);
        var end = Assert.Single(e2e.Bus.Broker.EndTransactions);
        Assert.Equal((V2.TransactionResolution.Commit, V2.TransactionSource.SourceServerCheck), (end.Resolution, end.Source));
        Assert.Equal(CouponEvents.Issued(coupon, "k-alice").MessageId, e2e.Delivered.Messages[0].Message.MessageId);
    }

    [Fact]
    public async Task LocalTransactionNeverCommitted_CheckBackSaysUnknownThenRollsBackAfterTheGracePeriod_ConsumerNeverSeesIt()
    {
        await using var e2e = await EfHarness.StartAsync(Crash.BeforeCommit);
        var template = await e2e.CreateTemplateAsync(inventory: 10);

        await Assert.ThrowsAsync<InvalidOperationException>(() => e2e.Claims.ClaimAsync(new ClaimRequest { TemplateId = template.Id, User = new UserProfile("alice"), IdempotencyKey = "k-alice" }));

        // Within the grace period (1 minute here) the resolver cannot tell a slow transaction from a dead one: unknown. The
        // broker checks every 10 s; the sixth check, one minute after the claim, rolls it back.
        while (e2e.Checks is not [.., TransactionOutcome.RolledBack])
        {
            Assert.True(e2e.Checks.Count < 10, "the check-back never rolled back");
            var before = e2e.Checks.Count;
            e2e.Bus.Time.Advance(e2e.Bus.Broker.Options.TransactionCheckDelay);
            await Eventually.TrueAsync(() => e2e.Checks.Count == before + 1);
        }

        await Eventually.TrueAsync(() => e2e.Bus.Broker.EndTransactions.Count == 1);
        Assert.Equal([.. Enumerable.Repeat(TransactionOutcome.Unknown, 5), TransactionOutcome.RolledBack], e2e.Checks);
        var end = Assert.Single(e2e.Bus.Broker.EndTransactions);
        Assert.Equal((V2.TransactionResolution.Rollback, V2.TransactionSource.SourceServerCheck), (end.Resolution, end.Source));
        Assert.Null(await e2e.Bus.Services.GetRequiredService<ICouponStore>().FindByClaimKeyAsync("k-alice", TestTimeout.Token()));

        // A later claim is delivered; the rolled-back one never is.
        var bob = await e2e.Claims.ClaimAsync(new ClaimRequest { TemplateId = template.Id, User = new UserProfile("bob"), IdempotencyKey = "k-bob" });
        await Eventually.TrueAsync(() => e2e.Delivered.Count == 1);
        Assert.Equal(CouponEvents.Issued(bob.Coupon!, "k-bob").MessageId, e2e.Delivered.Messages[0].Message.MessageId);
        Assert.Equal(["bob"], e2e.Reminders.Rows.Select(r => r.UserId));
    }

    [Fact]
    public async Task ClaimRefusedByTheStore_HalfMessageRolledBackAtOnce_ConsumerNeverSeesIt()
    {
        await using var e2e = await EfHarness.StartAsync();
        var template = await e2e.CreateTemplateAsync(inventory: 1);

        var alice = await e2e.Claims.ClaimAsync(new ClaimRequest { TemplateId = template.Id, User = new UserProfile("alice"), IdempotencyKey = "k-alice" });
        var bob = await e2e.Claims.ClaimAsync(new ClaimRequest { TemplateId = template.Id, User = new UserProfile("bob"), IdempotencyKey = "k-bob" });

        Assert.True(alice.IsIssued);
        Assert.Equal(ClaimRejection.SoldOut, bob.Rejection);
        Assert.Equal(
            [(V2.TransactionResolution.Commit, V2.TransactionSource.SourceClient), (V2.TransactionResolution.Rollback, V2.TransactionSource.SourceClient)],
            e2e.Bus.Broker.EndTransactions.Select(e => (e.Resolution, e.Source)));
        await Eventually.TrueAsync(() => e2e.Delivered.Count == 1);
        await Eventually.TrueAsync(() => e2e.Bus.Broker.AcksAccepted == 1); // else the clock below outruns the invisible duration: redelivered
        e2e.Bus.Time.Advance(e2e.Bus.Broker.Options.TransactionCheckDelay * 3); // no check-back revives it
        await Eventually.TrueAsync(() => e2e.Bus.Broker.WaitingReceivers > 0);
        Assert.Equal(0, e2e.Bus.Broker.TransactionChecksSent);
        Assert.Equal(["alice"], e2e.Delivered.Messages.Select(m => CouponEvents.Read<CouponEvents.CouponIssued>(m.Message).UserId));
    }

    internal enum Crash
    {
        None,
        AfterCommit,
        BeforeCommit,
    }

    /// <summary>The bus harness with CouponKit on EF Core over a SQLite file, Issued sent transactionally, and the reminder consumer subscribed.</summary>
    private sealed class EfHarness : IAsyncDisposable
    {
        private readonly string _path;
        private readonly IAsyncDisposable _subscription;
        private readonly CountingResolver _checks;

        private EfHarness(BusHarness bus, string path, IAsyncDisposable subscription, Received delivered, CountingResolver checks)
        {
            Bus = bus;
            _checks = checks;
            _path = path;
            _subscription = subscription;
            Delivered = delivered;
        }

        public BusHarness Bus { get; }

        public Received Delivered { get; }

        /// <summary>Gets the EF Core resolver's answers to the broker's check-backs, in order.</summary>
        public IReadOnlyList<TransactionOutcome> Checks => _checks.Outcomes;

        public CouponClaims Claims => Bus.Services.GetRequiredService<CouponClaims>();

        /// <summary>Gets the notify table's rows (in the database: <c>UseEntityFrameworkCore</c> maps the notify table too).</summary>
        public NotifyRows Reminders => new(Bus.Services.GetRequiredService<INotifyStore>()
            .ListDueAsync(new DateTimeOffset(9999, 1, 1, 0, 0, 0, TimeSpan.Zero), 10_000, CancellationToken.None).GetAwaiter().GetResult());

        private string ConnectionString => new SqliteConnectionStringBuilder { DataSource = _path, DefaultTimeout = 30 }.ToString();

        public static async Task<EfHarness> StartAsync(Crash crash = Crash.None, Action<IServiceCollection>? configure = null)
        {
            var path = Path.Combine(Path.GetTempPath(), $"couponkit-rmq-{Guid.NewGuid():N}.db");
            var connection = new SqliteConnectionStringBuilder { DataSource = path, DefaultTimeout = 30 }.ToString();
            var bus = await BusHarness.StartAsync(
                services =>
                {
                    configure?.Invoke(services);
                    services.AddDbContextFactory<CouponKitDbContext>(o => o.UseSqlite(connection));
                    services.AddCouponKit().UseEntityFrameworkCore<CouponKitDbContext>();
                    services.Configure<EfCoreTransactionCheckOptions>(o => o.GracePeriod = TimeSpan.FromMinutes(1));
                    var resolver = services.Last(d => d.ServiceType == typeof(ITransactionCheckResolver));
                    services.AddSingleton(sp => new CountingResolver((ITransactionCheckResolver)ActivatorUtilities.CreateInstance(sp, resolver.ImplementationType!)));
                    services.AddSingleton<ITransactionCheckResolver>(sp => sp.GetRequiredService<CountingResolver>());
                    if (crash != Crash.None)
                    {
                        var store = services.Last(d => d.ServiceType == typeof(ICouponStore));
                        services.AddSingleton<ICouponStore>(sp => new CrashingStore((ICouponStore)store.ImplementationFactory!(sp), crash));
                    }
                },
                o => o.TransactionalIssuedEvents = true);
            bus.Broker.CreateConsumerGroup(ExpiryWorker.ReminderGroup);
            var factory = bus.Services.GetRequiredService<IDbContextFactory<CouponKitDbContext>>();
            await using (var db = await factory.CreateDbContextAsync())
            {
                await db.Database.EnsureCreatedAsync();
            }

            var worker = bus.Services.GetRequiredService<ExpiryWorker>();
            var delivered = new Received();
            var subscription = await bus.Bus.SubscribeAsync(
                new Subscription { ConsumerGroup = ExpiryWorker.ReminderGroup, Topic = CouponTopics.Coupon, Tags = [CouponTopics.Issued] },
                async (incoming, token) =>
                {
                    await worker.HandleIssuedAsync(incoming, token);
                    await delivered.Handle(incoming, token);
                },
                TestTimeout.Token(30));
            return new EfHarness(bus, path, subscription, delivered, bus.Services.GetRequiredService<CountingResolver>());
        }

        public async Task<CouponTemplate> CreateTemplateAsync(int inventory)
        {
            var templates = Bus.Services.GetRequiredService<CouponTemplates>();
            var template = await templates.CreateAsync(new TemplateDraft
            {
                Name = "Spend 100 get 20",
                Rule = new ThresholdRebateRule(Threshold.Spend(Money.Of(100, "CNY")), Money.Of(20, "CNY")),
                TotalInventory = inventory,
                Validity = CouponValidity.ForDaysAfterClaim(7),
            });
            return await templates.ActivateAsync(template.Id);
        }

        public async Task<long> CountOutboxRowsAsync(string tag)
        {
            await using var connection = new SqliteConnection(ConnectionString);
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM ck_outbox WHERE Tag = $tag";
            command.Parameters.AddWithValue("$tag", tag);
            return (long)(await command.ExecuteScalarAsync())!;
        }

        public async ValueTask DisposeAsync()
        {
            await _subscription.DisposeAsync();
            await Bus.DisposeAsync();
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { string.Empty, "-wal", "-shm", "-journal" })
            {
                File.Delete(_path + suffix);
            }
        }
    }

    /// <summary>Records what the registered resolver answered.</summary>
    private sealed class CountingResolver(ITransactionCheckResolver inner) : ITransactionCheckResolver
    {
        private readonly List<TransactionOutcome> _outcomes = [];

        public IReadOnlyList<TransactionOutcome> Outcomes
        {
            get
            {
                lock (_outcomes)
                {
                    return _outcomes.ToList();
                }
            }
        }

        public async Task<TransactionOutcome> ResolveAsync(OutboxMessage message, CancellationToken cancellationToken)
        {
            var outcome = await inner.ResolveAsync(message, cancellationToken);
            lock (_outcomes)
            {
                _outcomes.Add(outcome);
            }

            return outcome;
        }
    }

    /// <summary>The process "dies" once, after (or before) the store's transaction: the exception stands for the crash.</summary>
    private sealed class CrashingStore(ICouponStore inner, Crash crash) : ICouponStore
    {
        public const string Message = "the process died";
        private int _crashed;

        public async Task<IssueOutcome> IssueAsync(IssueCommand command, CancellationToken cancellationToken)
        {
            var crashNow = Interlocked.Exchange(ref _crashed, 1) == 0;
            if (crashNow && crash == Crash.BeforeCommit)
            {
                throw new InvalidOperationException(Message);
            }

            var outcome = await inner.IssueAsync(command, cancellationToken);
            return crashNow && crash == Crash.AfterCommit ? throw new InvalidOperationException(Message) : outcome;
        }

        public Task<IssuedCoupon?> FindByClaimKeyAsync(string claimKey, CancellationToken cancellationToken) => inner.FindByClaimKeyAsync(claimKey, cancellationToken);

        public Task<IssuedCoupon?> FindAsync(string couponId, CancellationToken cancellationToken) => inner.FindAsync(couponId, cancellationToken);

        public Task<IReadOnlyList<IssuedCoupon>> ListByUserAsync(string userId, CancellationToken cancellationToken) => inner.ListByUserAsync(userId, cancellationToken);
    }
}

/// <summary>The rows of the notify table, earliest reminder first.</summary>
internal sealed record NotifyRows(IReadOnlyList<ExpiryReminder> Rows);
