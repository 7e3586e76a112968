using CouponKit.InMemory;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CouponKit.Core.Tests.PromoCodes;

/// <summary>Promo code redemptions wired on in-memory ports, a fake clock and a store that counts lookups.</summary>
internal sealed class PromoCodeHarness
{
    public PromoCodeHarness(PromoCodeRedemptionOptions? options = null, CouponKitOptions? kit = null, IPromoCodeStore? codes = null)
    {
        Counting = new CountingPromoCodeStore(codes ?? Codes);
        Limiter = new InMemoryRateLimiter(Time);
        Templates = new CouponTemplates(Store, Time);
        Claims = new CouponClaims(Store, Store, Limiter, new InMemoryPointsLedger(), new FakeMessageBus(), Time, Options.Create(kit ?? new CouponKitOptions()));
        Sut = new PromoCodeRedemptions(Counting, Store, Store, Claims, Limiter, Time, Options.Create(options ?? new PromoCodeRedemptionOptions()));
    }

    public FakeTimeProvider Time { get; } = new(Shop.Now);

    public InMemoryCouponKitStore Store { get; } = new();

    public InMemoryPromoCodeStore Codes { get; } = new();

    public CountingPromoCodeStore Counting { get; }

    public InMemoryRateLimiter Limiter { get; }

    public CouponTemplates Templates { get; }

    public CouponClaims Claims { get; }

    public PromoCodeRedemptions Sut { get; }

    public async Task<CouponTemplate> ActiveTemplateAsync(int inventory = 1_000, Audience? audience = null, ClaimChannels channels = ClaimChannels.All, int perUserLimit = 1)
    {
        var template = await Templates.CreateAsync(new TemplateDraft
        {
            Name = "10 off 100",
            Rule = Shop.Rebate(100, 10),
            TotalInventory = inventory,
            Validity = CouponValidity.ForDaysAfterClaim(30),
            Audience = audience ?? Audience.Everyone,
            Channels = channels,
            PerUserLimit = perUserLimit,
        });
        return await Templates.ActivateAsync(template.Id);
    }

    public async Task<string> SingleCodeAsync(string templateId, int maxRedemptions) =>
        (await Sut.CreateCodesAsync(templateId, 1, maxRedemptions)).Single();

    public Task<PromoCodeRedemptionResult> RedeemAsync(string code, string user, string? key = null, string? ip = null, params string[] segments) =>
        Sut.RedeemAsync(new PromoCodeRedemptionRequest
        {
            Code = code,
            User = new UserProfile(user, segments),
            IdempotencyKey = key ?? Guid.NewGuid().ToString("N"),
            ClientIp = ip,
        });
}

/// <summary>Counts the calls that reach the promo code store.</summary>
internal sealed class CountingPromoCodeStore(IPromoCodeStore inner) : IPromoCodeStore
{
    private int _lookups;
    private int _releases;

    public int Lookups => Volatile.Read(ref _lookups);

    public int Releases => Volatile.Read(ref _releases);

    public Task<IReadOnlyList<string>> AddAsync(IReadOnlyList<PromoCodeEntry> codes, CancellationToken cancellationToken) => inner.AddAsync(codes, cancellationToken);

    public Task<PromoCodeRedeemOutcome> TryRedeemAsync(string codeHash, string userId, string requestKey, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _lookups);
        return inner.TryRedeemAsync(codeHash, userId, requestKey, cancellationToken);
    }

    public Task ReleaseAsync(string codeHash, string userId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _releases);
        return inner.ReleaseAsync(codeHash, userId, cancellationToken);
    }
}

/// <summary>Reports the first codes of the first batch as already stored, as a collision with an earlier batch would.</summary>
internal sealed class CollidingPromoCodeStore(IPromoCodeStore inner, int collisions) : IPromoCodeStore
{
    private bool _collided;

    public List<string> Reported { get; } = [];

    public async Task<IReadOnlyList<string>> AddAsync(IReadOnlyList<PromoCodeEntry> codes, CancellationToken cancellationToken)
    {
        if (_collided)
        {
            return await inner.AddAsync(codes, cancellationToken);
        }

        _collided = true;
        var refused = codes.Take(collisions).Select(c => c.CodeHash).ToList();
        Reported.AddRange(refused);
        var added = await inner.AddAsync(codes.Skip(collisions).ToList(), cancellationToken);
        return [.. refused, .. added];
    }

    public Task<PromoCodeRedeemOutcome> TryRedeemAsync(string codeHash, string userId, string requestKey, CancellationToken cancellationToken) =>
        inner.TryRedeemAsync(codeHash, userId, requestKey, cancellationToken);

    public Task ReleaseAsync(string codeHash, string userId, CancellationToken cancellationToken) => inner.ReleaseAsync(codeHash, userId, cancellationToken);
}

/// <summary>A message bus that only records what is published (CouponClaims needs one for refunds).</summary>
internal sealed class FakeMessageBus : IMessageBus
{
    public List<OutboxMessage> Published { get; } = [];

    public Task PublishAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        lock (Published)
        {
            Published.Add(message);
        }

        return Task.CompletedTask;
    }

    public Task<IAsyncDisposable> SubscribeAsync(Subscription subscription, Func<IncomingMessage, CancellationToken, Task> handler, CancellationToken cancellationToken) =>
        Task.FromResult<IAsyncDisposable>(new Nothing());

    private sealed class Nothing : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
