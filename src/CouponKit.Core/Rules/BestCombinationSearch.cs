namespace CouponKit.Rules;

/// <summary>
/// Finds the best combination of coupons by depth-first branch and bound.
/// </summary>
/// <remarks>
/// <para>Coupons are decided one by one in the order of application, so each node applies one coupon to the remaining amounts
/// of its parent: the value of a combination is computed incrementally and exactly as the final quote computes it.</para>
/// <para>Bound: discounts only lower the amounts later coupons see, and most rules are monotone in those amounts (tiers never
/// give less for more, rounding is monotone), so they give at most what they give alone on the whole cart. Buy X get Y is not:
/// when an earlier item-level coupon empties a line, dearer units become the cheapest, so its bound is the value of its
/// dearest units (<see cref="PreparedCoupon.UpperBound"/>). A subtree can give at most its current value plus, for each
/// stacking group still free, the largest bound among its remaining coupons. Subtrees that cannot beat the best combination
/// found so far are cut.</para>
/// <para>Best means: the largest discount; then the largest gift value; then the fewest coupons; then the smallest coupon ids
/// (sorted, compared ordinally; each id is ranked once per quote, so a tie compares ints). Exclusive coupons are each compared
/// alone. A combination has at most <see cref="QuoteOptions.MaxStackingDepth"/> coupons. The search visits at most
/// <see cref="QuoteOptions.MaxSearchNodes"/> nodes (<see cref="Nodes"/> never exceeds it) and then stops with the best
/// combination found so far, <see cref="Exhausted"/>.</para>
/// </remarks>
internal sealed class BestCombinationSearch
{
    private readonly QuoteSession _session;
    private readonly PreparedCoupon[] _items;
    private readonly PreparedCoupon[] _exclusive;
    private readonly long[][] _states;
    private readonly long[] _shipping;
    private readonly bool[] _groupUsed;
    private readonly long[] _groupValue;
    private readonly long[] _groupGift;
    private readonly int[] _groupStamp;
    private readonly List<PreparedCoupon> _current = [];
    private readonly long _budget;
    private readonly int _maxDepth;
    private readonly int[] _currentRanks;
    private int[] _bestRanks = [];
    private PreparedCoupon[] _best = [];
    private long _bestValue;
    private long _bestGift;
    private int _stamp;

    public BestCombinationSearch(QuoteSession session, PreparedCoupon[] prepared)
    {
        _session = session;
        _items = prepared.Where(p => p.Rejection is null && !p.Exclusive).ToArray();
        _exclusive = prepared.Where(p => p.Rejection is null && p.Exclusive).ToArray();
        _budget = session.Options.MaxSearchNodes;
        _maxDepth = session.Options.MaxStackingDepth;

        // The tie-break on ids compares sorted ids ordinally. Rank every id once (ordinal order), so that a tie compares ints.
        var byId = _items.Concat(_exclusive).OrderBy(p => p.Id, StringComparer.Ordinal).ToArray();
        for (var r = 0; r < byId.Length; r++)
        {
            byId[r].IdRank = r;
        }

        _currentRanks = new int[Math.Max(1, Math.Min(_items.Length, _maxDepth))];
        _states = new long[_items.Length + 1][];
        for (var d = 0; d < _states.Length; d++)
        {
            _states[d] = new long[session.Base.Length];
        }

        _shipping = new long[_items.Length + 1];
        _groupUsed = new bool[session.GroupCount];
        _groupValue = new long[session.GroupCount];
        _groupGift = new long[session.GroupCount];
        _groupStamp = new int[session.GroupCount];
    }

    public long Nodes { get; private set; }

    public bool Exhausted { get; private set; }

    public IReadOnlyList<PreparedCoupon> Run()
    {
        Array.Copy(_session.Base, _states[0], _session.Base.Length);
        _shipping[0] = _session.BaseShipping;
        Search(0, 0, 0, 0);

        foreach (var coupon in _exclusive)
        {
            _current.Clear();
            _current.Add(coupon);
            if (IsBetter(coupon.StandaloneValue, coupon.StandaloneGift, _current))
            {
                Record(coupon.StandaloneValue, coupon.StandaloneGift);
            }
        }

        _current.Clear();
        return _best;
    }

    /// <summary>
    /// Compares two combinations by the tie-break on ids: sorted ids, ordinal, lexicographic. The reference definition; the search
    /// itself compares the equivalent ranks (<see cref="CompareRanks"/>).
    /// </summary>
    internal static int CompareIds(IReadOnlyList<PreparedCoupon> a, IReadOnlyList<PreparedCoupon> b)
    {
        var x = a.Select(p => p.Id).Order(StringComparer.Ordinal).ToArray();
        var y = b.Select(p => p.Id).Order(StringComparer.Ordinal).ToArray();
        for (var i = 0; i < Math.Min(x.Length, y.Length); i++)
        {
            var c = string.CompareOrdinal(x[i], y[i]);
            if (c != 0)
            {
                return c;
            }
        }

        return x.Length.CompareTo(y.Length);
    }

    /// <summary>
    /// Compares two sorted rank sequences lexicographically, then by length: the same order as <see cref="CompareIds"/> on
    /// the ids, because ranks follow the ordinal order of distinct ids.
    /// </summary>
    internal static int CompareRanks(ReadOnlySpan<int> x, ReadOnlySpan<int> y)
    {
        var n = Math.Min(x.Length, y.Length);
        for (var i = 0; i < n; i++)
        {
            if (x[i] != y[i])
            {
                return x[i] < y[i] ? -1 : 1;
            }
        }

        return x.Length.CompareTo(y.Length);
    }

    /// <summary>Writes the ranks of <paramref name="selection"/> into <paramref name="ranks"/>, sorted (insertion sort: a handful of ints).</summary>
    internal static void SortedRanks(IReadOnlyList<PreparedCoupon> selection, Span<int> ranks)
    {
        for (var i = 0; i < selection.Count; i++)
        {
            var r = selection[i].IdRank;
            var j = i - 1;
            while (j >= 0 && ranks[j] > r)
            {
                ranks[j + 1] = ranks[j];
                j--;
            }

            ranks[j + 1] = r;
        }
    }

    private void Search(int next, int depth, long value, long gift)
    {
        // Count a node only when it is visited: Nodes never exceeds the budget.
        if (Nodes >= _budget)
        {
            Exhausted = true;
            return;
        }

        Nodes++;
        if (depth >= _maxDepth)
        {
            return;
        }

        for (var j = next; j < _items.Length; j++)
        {
            if (Exhausted || !CanImprove(j, value, gift))
            {
                return;
            }

            var coupon = _items[j];
            if (_groupUsed[coupon.GroupId])
            {
                continue;
            }

            var state = _states[depth + 1];
            Array.Copy(_states[depth], state, state.Length);
            var shipping = _shipping[depth];
            var outcome = _session.Apply(coupon, state, ref shipping, null);
            if (!outcome.Applies)
            {
                continue;
            }

            _shipping[depth + 1] = shipping;
            var newValue = value + outcome.LinesDiscount + outcome.ShippingDiscount;
            var newGift = gift + (outcome.Gift ? coupon.StandaloneGift : 0);
            _groupUsed[coupon.GroupId] = true;
            _current.Add(coupon);
            if (IsBetter(newValue, newGift, _current))
            {
                Record(newValue, newGift);
            }

            Search(j + 1, depth + 1, newValue, newGift);
            _current.RemoveAt(_current.Count - 1);
            _groupUsed[coupon.GroupId] = false;
        }
    }

    /// <summary>Whether adding coupons from position <paramref name="from"/> on could beat the best combination.</summary>
    private bool CanImprove(int from, long value, long gift)
    {
        _stamp++;
        long optimisticValue = 0;
        long optimisticGift = 0;
        for (var k = from; k < _items.Length; k++)
        {
            var coupon = _items[k];
            var g = coupon.GroupId;
            if (_groupUsed[g])
            {
                continue;
            }

            if (_groupStamp[g] != _stamp)
            {
                _groupStamp[g] = _stamp;
                _groupValue[g] = coupon.UpperBound;
                _groupGift[g] = coupon.StandaloneGift;
                optimisticValue += coupon.UpperBound;
                optimisticGift += coupon.StandaloneGift;
                continue;
            }

            if (coupon.UpperBound > _groupValue[g])
            {
                optimisticValue += coupon.UpperBound - _groupValue[g];
                _groupValue[g] = coupon.UpperBound;
            }

            if (coupon.StandaloneGift > _groupGift[g])
            {
                optimisticGift += coupon.StandaloneGift - _groupGift[g];
                _groupGift[g] = coupon.StandaloneGift;
            }
        }

        var boundValue = value + optimisticValue;
        if (boundValue != _bestValue)
        {
            return boundValue > _bestValue;
        }

        var boundGift = gift + optimisticGift;
        if (boundGift != _bestGift)
        {
            return boundGift > _bestGift;
        }

        // Only a tie is possible: it wins only with no more coupons than the best.
        return _current.Count + 1 <= _best.Length;
    }

    private bool IsBetter(long value, long gift, List<PreparedCoupon> selection)
    {
        if (value != _bestValue)
        {
            return value > _bestValue;
        }

        if (gift != _bestGift)
        {
            return gift > _bestGift;
        }

        if (selection.Count != _best.Length)
        {
            return selection.Count < _best.Length;
        }

        var ranks = _currentRanks.Length >= selection.Count ? _currentRanks.AsSpan(0, selection.Count) : new int[selection.Count];
        SortedRanks(selection, ranks);
        return CompareRanks(ranks, _bestRanks) < 0;
    }

    private void Record(long value, long gift)
    {
        _bestValue = value;
        _bestGift = gift;
        _best = [.. _current];
        _bestRanks = new int[_best.Length];
        SortedRanks(_best, _bestRanks);
    }
}
