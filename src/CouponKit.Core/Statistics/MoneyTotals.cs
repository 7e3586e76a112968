namespace CouponKit.Statistics;

/// <summary>Sums amounts per currency (CouponKit never converts currencies).</summary>
internal sealed class MoneyTotals
{
    private readonly SortedDictionary<string, Money> _totals = new(StringComparer.Ordinal);

    public void Add(Money amount)
    {
        var code = amount.Currency.Code;
        _totals[code] = _totals.TryGetValue(code, out var total) ? total + amount : amount;
    }

    public IReadOnlyList<Money> ToList() => _totals.Values.ToArray();
}
