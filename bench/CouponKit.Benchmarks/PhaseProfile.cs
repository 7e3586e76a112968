using System.Diagnostics;
using System.Globalization;
using CouponKit.Rules;

namespace CouponKit.Benchmarks;

/// <summary>
/// A rough Stopwatch breakdown of a quote, by phase and by coupon, to see where the time goes. Not a substitute for the
/// BenchmarkDotNet figures: single process, no statistics beyond the best of a few rounds.
/// </summary>
internal static class PhaseProfile
{
    private static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(400);

    public static void Run(TextWriter output)
    {
        // A first pass only warms up (tiered JIT, dynamic PGO); the second is printed.
        Pass(TextWriter.Null);
        Pass(output);
        Arithmetic(output);
        Interleaved(output);
    }

    /// <summary>
    /// The ratio Quote / EvaluateEachCouponOnce measured interleaved, batch against batch, so that a busy machine slows both
    /// alike: the median of the per-round ratios, and the ratio of the fastest batches.
    /// </summary>
    private static void Interleaved(TextWriter output)
    {
        var cart = ShopData.CreateCart();
        var engine = new QuoteEngine();
        output.WriteLine();
        output.WriteLine("== Interleaved: Quote / EvaluateEachCouponOnce, 301 rounds of ~2 ms batches each");
        foreach (var set in Enum.GetValues<CouponSet>())
        {
            var coupons = ShopData.CreateCoupons(set, cart);
            Func<object> baseline = () => new QuoteSession(cart, engine.Options).Prepare(coupons);
            Func<object> quote = () => engine.Quote(cart, coupons);
            var a = Calls(baseline);
            var b = Calls(quote);
            const int Rounds = 301;
            var ratios = new double[Rounds];
            var timesA = new double[Rounds];
            var timesB = new double[Rounds];
            for (var r = 0; r < Rounds; r++)
            {
                if (r % 2 == 0)
                {
                    timesA[r] = Batch(baseline, a);
                    timesB[r] = Batch(quote, b);
                }
                else
                {
                    timesB[r] = Batch(quote, b);
                    timesA[r] = Batch(baseline, a);
                }

                ratios[r] = timesB[r] / timesA[r];
            }

            Array.Sort(ratios);
            var medianA = Median(timesA);
            var medianB = Median(timesB);
            output.WriteLine(Inv($"   {set,-9} baseline median {medianA / 1000,7:0.0} us (min {timesA.Min() / 1000,6:0.0}), Quote median {medianB / 1000,7:0.0} us (min {timesB.Min() / 1000,6:0.0});  ratio: median of rounds {ratios[Rounds / 2],5:0.00}x, of medians {medianB / medianA,5:0.00}x, of minima {timesB.Min() / timesA.Min(),5:0.00}x"));
        }
    }

    private static int Calls(Func<object> action)
    {
        var watch = Stopwatch.StartNew();
        var calls = 0;
        while (watch.Elapsed < TimeSpan.FromMilliseconds(200))
        {
            action();
            calls++;
        }

        return Math.Max(1, calls / 100);
    }

    private static double Batch(Func<object> action, int calls)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < calls; i++)
        {
            Sink<object>.Value = action();
        }

        return watch.Elapsed.TotalNanoseconds / calls;
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    /// <summary>
    /// The arithmetic under one proportional allocation over the 47 discountable lines, as QuoteSession.Allocate does it
    /// (Int128 product, division and remainder per line), next to the same with long when the product fits; and the cost of
    /// Money.FromMinorUnits, which BuildQuote calls for every allocation and every line.
    /// </summary>
    private static void Arithmetic(TextWriter output)
    {
        var cart = ShopData.CreateCart();
        var session = new QuoteSession(cart, QuoteOptions.Default);
        var amounts = session.Base.Where((_, i) => session.Lines[i].Traits == CartLineTraits.None).ToArray();
        var weight = amounts.Sum();
        const long discount = 88_000; // CNY 880.00, the best shop rebate of the realistic set
        var share = new long[amounts.Length];
        var fraction = new long[amounts.Length];
        var order = new int[amounts.Length];
        var comparer = new FractionComparer(fraction);
        var keyed = new Remainder[amounts.Length];

        var wide = Time(() =>
        {
            long left = discount;
            for (var k = 0; k < amounts.Length; k++)
            {
                var product = (Int128)discount * amounts[k];
                share[k] = (long)(product / weight);
                fraction[k] = (long)(product % weight);
                left -= share[k];
            }

            return left;
        });
        var narrow = Time(() =>
        {
            long left = discount;
            for (var k = 0; k < amounts.Length; k++)
            {
                // discount and a line are each far below 2^31 minor units here, so the product fits in a long.
                (share[k], fraction[k]) = Math.DivRem(discount * amounts[k], weight);
                left -= share[k];
            }

            return left;
        });
        var sort = Time(() =>
        {
            for (var k = 0; k < order.Length; k++)
            {
                order[k] = k;
            }

            Array.Sort(order, 0, order.Length, comparer);
            return order[0];
        });
        var keyedSort = Time(() =>
        {
            for (var k = 0; k < keyed.Length; k++)
            {
                keyed[k] = new Remainder(fraction[k], k);
            }

            Array.Sort(keyed);
            return keyed[0].Index;
        });
        var money = Time(() => Money.FromMinorUnits(123_456, Currency.CNY));
        var direct = Time(() => new Money(new decimal(123_456, 0, 0, false, 2), Currency.CNY));
        var realistic = ShopData.CreateCoupons(CouponSet.Realistic, cart);
        var covers = Time(() =>
        {
            var n = 0;
            foreach (var coupon in realistic)
            {
                foreach (var line in session.Lines)
                {
                    n += coupon.Scope.Covers(line) ? 1 : 0;
                }
            }

            return n;
        });
        var validate = Time(() =>
        {
            foreach (var coupon in realistic)
            {
                coupon.Validate();
            }

            return realistic.Length;
        });
        var ties = session.Prepare(ShopData.CreateCoupons(CouponSet.Ties, cart));
        IReadOnlyList<PreparedCoupon> first = [ties[0], ties[5], ties[10], ties[15]];
        IReadOnlyList<PreparedCoupon> second = [ties[1], ties[6], ties[11], ties[16]];
        var compareIds = Time(() => BestCombinationSearch.CompareIds(first, second));
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            BestCombinationSearch.CompareIds(first, second);
        }

        var compareIdsBytes = (GC.GetAllocatedBytesForCurrentThread() - before) / 1000;
        output.WriteLine(Inv($"== Pieces of Prepare (realistic set, {realistic.Length} coupons x {session.Lines.Length} lines)"));
        output.WriteLine(Inv($"   CouponScope.Covers for every coupon and line    {covers,8:0} ns"));
        output.WriteLine(Inv($"   Coupon.Validate for every coupon                {validate,8:0} ns"));
        output.WriteLine(Inv($"== Search bookkeeping"));
        output.WriteLine(Inv($"   BestCombinationSearch.CompareIds (4 vs 4, LINQ) {compareIds,8:0} ns, {compareIdsBytes} bytes allocated"));
        output.WriteLine(Inv($"== Arithmetic of one allocation over {amounts.Length} lines"));
        output.WriteLine(Inv($"   shares with Int128 (* / %), as Allocate does   {wide,8:0} ns"));
        output.WriteLine(Inv($"   shares with long (Math.DivRem)                  {narrow,8:0} ns"));
        output.WriteLine(Inv($"   largest-remainder sort, IComparer<int> as now   {sort,8:0} ns"));
        output.WriteLine(Inv($"   same order, struct keys (IComparable<T>)        {keyedSort,8:0} ns"));
        output.WriteLine(Inv($"   Money.FromMinorUnits (decimal division)        {money,8:0.0} ns"));
        output.WriteLine(Inv($"   new Money(new decimal(lo, 0, 0, false, 2))     {direct,8:0.0} ns"));
    }

    private static void Pass(TextWriter output)
    {
        var cart = ShopData.CreateCart();
        var engine = new QuoteEngine();
        var options = engine.Options;
        foreach (var set in Enum.GetValues<CouponSet>())
        {
            var coupons = ShopData.CreateCoupons(set, cart);
            var session = new QuoteSession(cart, options);
            var prepared = session.Prepare(coupons);
            var probe = new BestCombinationSearch(session, prepared);
            var best = probe.Run();
            var quote = engine.Quote(cart, coupons);
            var usable = prepared.Count(p => p.Rejection is null);

            output.WriteLine(Inv($"== {set}: {usable} of {prepared.Length} coupons usable alone, {probe.Nodes} search nodes, best {best.Count} coupons"));
            var prepare = Time(() => new QuoteSession(cart, options).Prepare(coupons));
            var session0 = Time(() => new QuoteSession(cart, options));
            var search = Time(() => new BestCombinationSearch(session, prepared).Run());
            var build = Time(() => session.BuildQuote(best, [], true, 0));
            var whole = Time(() => engine.Quote(cart, coupons));
            var explain = whole - prepare - search - build; // a difference of noisy figures
            Row(output, "new QuoteSession (sort lines, base amounts)", session0, prepare);
            Row(output, "Prepare = baseline (incl. the session)", prepare, prepare);
            Row(output, "BestCombinationSearch.Run", search, prepare);
            Row(output, "BuildQuote of the best (allocations, Money)", build, prepare);
            Row(output, "rest (difference): reasons for coupons not used", explain, prepare);
            Row(output, "Quote (whole)", whole, prepare);

            // What one application of each coupon costs on the untouched cart: the unit of work of the search.
            output.WriteLine("   one Apply per coupon, on the whole cart:");
            var state = new long[session.Base.Length];
            double applies = 0;
            foreach (var pc in prepared)
            {
                var ns = Time(() =>
                {
                    Array.Copy(session.Base, state, state.Length);
                    var shipping = session.BaseShipping;
                    return session.Apply(pc, state, ref shipping, null);
                });
                applies += ns;
                output.WriteLine(Inv($"     {pc.Id,-16} {pc.Coupon.Rule.Kind,-16} scope {pc.Scope.Length,2} lines  {ns,8:0} ns"));
            }

            output.WriteLine(Inv($"   sum of the {prepared.Length} single Applies: {applies:0} ns ({applies / prepare:P0} of the baseline); search per node: {search / Math.Max(1, probe.Nodes):0} ns"));
            output.WriteLine(Inv($"   quote: {quote.TotalDiscount} off, nodes {quote.SearchNodes}, proven {quote.IsProvenOptimal}"));
            output.WriteLine();
        }
    }

    private static void Row(TextWriter output, string what, double ns, double baseline) =>
        output.WriteLine(Inv($"   {what,-46} {ns / 1000,9:0.00} us   {ns / baseline,6:0.00}x baseline"));

    /// <summary>
    /// Nanoseconds per call: the fastest of 200 short batches (~0.5 ms each). On a busy machine the fastest batch is the one
    /// least disturbed, so this estimates the undisturbed cost; it reads lower than a mean.
    /// </summary>
    private static double Time<T>(Func<T> action)
    {
        long calls = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < Budget / 4)
        {
            Sink<T>.Value = action();
            calls++;
        }

        var perBatch = Math.Max(1, calls / 200);
        var best = double.MaxValue;
        for (var round = 0; round < 200; round++)
        {
            watch.Restart();
            for (long i = 0; i < perBatch; i++)
            {
                Sink<T>.Value = action();
            }

            best = Math.Min(best, watch.Elapsed.TotalNanoseconds / perBatch);
        }

        return best;
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static class Sink<T>
    {
        public static T? Value { get; set; }
    }

    /// <summary>A copy of QuoteSession's comparer: larger fraction first, ties to the earlier line.</summary>
    private sealed class FractionComparer(long[] fraction) : IComparer<int>
    {
        public int Compare(int x, int y)
        {
            var c = fraction[y].CompareTo(fraction[x]);
            return c != 0 ? c : x.CompareTo(y);
        }
    }

    /// <summary>The same order with the fraction carried in the key, so the sort needs no comparer object.</summary>
    private readonly record struct Remainder(long Fraction, int Index) : IComparable<Remainder>
    {
        public int CompareTo(Remainder other)
        {
            var c = other.Fraction.CompareTo(Fraction);
            return c != 0 ? c : Index.CompareTo(other.Index);
        }
    }
}
