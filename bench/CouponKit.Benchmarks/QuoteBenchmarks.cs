using BenchmarkDotNet.Attributes;
using CouponKit.Rules;

namespace CouponKit.Benchmarks;

/// <summary>
/// A 50-line cart against 20 candidate coupons in 4 stacking groups: the best combination compared with evaluating each
/// coupon once, in the same run.
/// </summary>
/// <remarks>
/// The baseline is what any quote must do at the least: <see cref="QuoteSession.Prepare"/> validates the coupons, compiles
/// their scopes to line indices, sorts them in the order of application and evaluates each one alone on the cart, once.
/// <see cref="Quote"/> is the public entry point: the same preparation, then the branch-and-bound search, the reason for every
/// coupon not used and the per-line allocation of the result.
/// </remarks>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class QuoteBenchmarks
{
    private readonly QuoteEngine _engine = new();
    private Cart _cart = null!;
    private Coupon[] _coupons = [];
    private Coupon[] _chosen = [];

    /// <summary>Gets or sets the coupon set; <see cref="CouponSet.Realistic"/> is the one the target is about.</summary>
    [Params(CouponSet.Realistic, CouponSet.Tight, CouponSet.Ties)]
    public CouponSet Coupons { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _cart = ShopData.CreateCart();
        _coupons = ShopData.CreateCoupons(Coupons, _cart);
        var quote = _engine.Quote(_cart, _coupons);
        var ids = quote.Applied.Select(a => a.CouponId).ToHashSet(StringComparer.Ordinal);
        _chosen = _coupons.Where(c => ids.Contains(c.Id)).ToArray();
    }

    /// <summary>Evaluates each of the 20 coupons alone on the cart, once (with scope compilation and validation).</summary>
    [Benchmark(Baseline = true)]
    public object EvaluateEachCouponOnce() => new QuoteSession(_cart, _engine.Options).Prepare(_coupons);

    /// <summary>The preparation plus the best-combination search, without reasons or building the result (for diagnosis).</summary>
    [Benchmark]
    public object PrepareAndSearch()
    {
        var session = new QuoteSession(_cart, _engine.Options);
        var search = new BestCombinationSearch(session, session.Prepare(_coupons));
        return search.Run();
    }

    /// <summary>The whole quote: preparation, best combination, a reason for every coupon not used, the allocated result.</summary>
    [Benchmark]
    public Quote Quote() => _engine.Quote(_cart, _coupons);

    /// <summary>Checkout: validating the combination the quote chose.</summary>
    [Benchmark]
    public CouponValidation Validate() => _engine.Validate(_cart, _chosen);
}
