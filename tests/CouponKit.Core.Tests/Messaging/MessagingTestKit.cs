using System.Collections.Concurrent;
using CouponKit.InMemory;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Redemption;
using CouponKit.Rules;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace CouponKit.Core.Tests.Messaging;

/// <summary>Builders and fakes shared by the messaging tests.</summary>
internal static class MessagingTestKit
{
    public static FakeTimeProvider Clock() => new(Shop.Now);

    public static OutboxMessage Message(string id, string tag = "Tag", string key = "key-1", DateTimeOffset? deliverAt = null, string topic = CouponTopics.Coupon) =>
        new(id, topic, tag, key, "{}", Shop.Now, deliverAt);

    public static Subscription Subscription(string group, params string[] tags) => new()
    {
        ConsumerGroup = group,
        Topic = CouponTopics.Coupon,
        Tags = tags,
    };

    /// <summary>Adds an active template and one available coupon of it for a user, straight in the store.</summary>
    public static async Task<IssuedCoupon> SeedCouponAsync(InMemoryCouponKitStore store, string couponId = "coupon-1", string userId = "user-1")
    {
        var templateId = "tpl-" + couponId;
        var draft = new TemplateDraft
        {
            Id = templateId,
            Name = "10 off",
            Rule = new FixedAmountRule(Shop.Cny(10)),
            TotalInventory = 100,
            Validity = CouponValidity.Between(Shop.Now.AddDays(-1), Shop.Now.AddDays(30)),
        };
        await store.AddAsync(CouponTemplate.Restore(templateId, draft, TemplateState.Active, 1, Shop.Now, Shop.Now), [], default);
        var coupon = new IssuedCoupon(couponId, templateId, userId, CouponState.Available, Shop.Now.AddDays(-1), Shop.Now.AddDays(30), Shop.Now, ClaimChannels.Grab, null, 1);
        var outcome = await ((ICouponStore)store).IssueAsync(new IssueCommand("claim-" + couponId, coupon, 1, []), default);
        Assert.Equal(IssueStatus.Issued, outcome.Status);
        return coupon;
    }

    /// <summary>Puts messages straight in the store's outbox.</summary>
    public static Task AddToOutboxAsync(InMemoryCouponKitStore store, string templateId, params OutboxMessage[] messages)
    {
        var draft = new TemplateDraft
        {
            Id = templateId,
            Name = "carrier",
            Rule = new FixedAmountRule(Shop.Cny(1)),
            TotalInventory = 1,
            Validity = CouponValidity.Between(Shop.Now.AddDays(-1), Shop.Now.AddDays(1)),
        };
        return store.AddAsync(CouponTemplate.Restore(templateId, draft, TemplateState.Draft, 1, Shop.Now, Shop.Now), messages, default);
    }

    public static async Task<IssuedCoupon> CouponAsync(InMemoryCouponKitStore store, string couponId) =>
        (await ((ICouponStore)store).FindAsync(couponId, default))!;

    public static Task WithTimeout(this Task task) => task.WaitAsync(TimeSpan.FromSeconds(10));

    public static Task<T> WithTimeout<T>(this Task<T> task) => task.WaitAsync(TimeSpan.FromSeconds(10));
}

/// <summary>A handler that records what it receives, and optionally fails.</summary>
internal sealed class RecordingHandler(TimeProvider time, Func<IncomingMessage, int, Task>? behaviour = null)
{
    private int _calls;

    public ConcurrentQueue<(IncomingMessage Message, DateTimeOffset At)> Received { get; } = new();

    public int Calls => Volatile.Read(ref _calls);

    public IReadOnlyList<string> Ids => Received.Select(r => r.Message.Message.MessageId).ToArray();

    public Task HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        var n = Interlocked.Increment(ref _calls);
        Received.Enqueue((message, time.GetUtcNow()));
        return behaviour?.Invoke(message, n) ?? Task.CompletedTask;
    }
}

/// <summary>A logger that keeps every entry.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, EventId Id, string Text, Exception? Error)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, eventId, formatter(state, exception), exception));

    public int Count(int eventId) => Entries.Count(e => e.Id.Id == eventId);
}

/// <summary>A message bus that records publications and fails when told to.</summary>
internal sealed class FakeBus : IMessageBus
{
    private readonly object _gate = new();
    private readonly List<OutboxMessage> _published = [];

    public Func<OutboxMessage, int, bool> Fails { get; set; } = (_, _) => false;

    public int Calls { get; private set; }

    public IReadOnlyList<OutboxMessage> Published
    {
        get
        {
            lock (_gate)
            {
                return _published.ToArray();
            }
        }
    }

    public TaskCompletionSource<OutboxMessage> FirstPublished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task PublishAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Calls++;
            if (Fails(message, Calls))
            {
                throw new InvalidOperationException("broker down");
            }

            _published.Add(message);
        }

        FirstPublished.TrySetResult(message);
        return Task.CompletedTask;
    }

    public Task<IAsyncDisposable> SubscribeAsync(Subscription subscription, Func<IncomingMessage, CancellationToken, Task> handler, CancellationToken cancellationToken) =>
        throw new NotSupportedException();
}

/// <summary>A points ledger that counts refunds, and fails the first ones when told to.</summary>
internal sealed class CountingLedger(int failures = 0) : IPointsLedger
{
    private int _calls;
    private int _refunds;

    public int Calls => Volatile.Read(ref _calls);

    public int Refunds => Volatile.Read(ref _refunds);

    public Task<bool> TryDeductAsync(string userId, long points, string idempotencyKey, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task RefundAsync(string userId, long points, string idempotencyKey, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _calls) <= failures)
        {
            throw new InvalidOperationException("ledger down");
        }

        Interlocked.Increment(ref _refunds);
        return Task.CompletedTask;
    }
}
