namespace CouponKit.Benefits;

/// <summary>How a lucky coupon's face value is drawn: <see cref="Uniform"/> over a range, or from a <see cref="Weighted"/> table.</summary>
public abstract record LuckyDraw
{
    private protected LuckyDraw()
    {
    }

    /// <summary>Gets the currency of every value drawn.</summary>
    public abstract Currency Currency { get; }

    /// <summary>Gets the smallest value that can be drawn.</summary>
    public abstract Money Lowest { get; }

    /// <summary>Gets the largest value that can be drawn.</summary>
    public abstract Money Highest { get; }

    /// <summary>A value uniform over [<paramref name="min"/>, <paramref name="max"/>] in whole minor units (3.00–20.00 gives 1,701 equally likely values).</summary>
    /// <param name="min">The lowest value, above zero.</param>
    /// <param name="max">The highest value, at least <paramref name="min"/>, same currency.</param>
    /// <returns>The draw.</returns>
    /// <exception cref="InvalidBenefitException">The range is empty (min above max), not positive, or mixes currencies.</exception>
    public static UniformDraw Uniform(Money min, Money max) => new(min, max);

    /// <summary>A value from a table: each prize is drawn with probability weight / sum of weights (1: 50 off, 20: 10 off, 79: 3 off).</summary>
    /// <param name="prizes">The prizes; weights must be non-negative and sum to a positive total.</param>
    /// <returns>The draw.</returns>
    /// <exception cref="InvalidBenefitException">The table is empty, a weight is negative, the weights do not sum to a positive total, or the prizes mix currencies.</exception>
    public static WeightedDraw Weighted(params WeightedPrize[] prizes) => new(prizes);
}

/// <summary>A value uniform over a range, in whole minor units.</summary>
public sealed record UniformDraw : LuckyDraw
{
    /// <summary>The most distinct values a range may hold (minor units from min to max).</summary>
    public const long MaxSpan = 1L << 40;

    /// <summary>Initializes a new instance of the <see cref="UniformDraw"/> class.</summary>
    /// <param name="min">The lowest value, above zero.</param>
    /// <param name="max">The highest value, at least <paramref name="min"/>, same currency.</param>
    /// <exception cref="InvalidBenefitException">The range is empty (min above max), not positive, or mixes currencies.</exception>
    public UniformDraw(Money min, Money max)
    {
        MinMinorUnits = Benefit.MinorUnitsOf(min, "min");
        MaxMinorUnits = Benefit.MinorUnitsOf(max, "max");
        if (!min.Currency.Equals(max.Currency))
        {
            throw new InvalidBenefitException(BenefitError.CurrencyMismatch, "max", $"min is in {min.Currency.Code} and max in {max.Currency.Code}.");
        }

        if (MinMinorUnits > MaxMinorUnits)
        {
            throw new InvalidBenefitException(BenefitError.RangeInverted, "min", $"min {min} is above max {max}.");
        }

        if (MaxMinorUnits - MinMinorUnits >= MaxSpan)
        {
            throw new InvalidBenefitException(BenefitError.RangeTooWide, "max", $"the range {min}–{max} holds more than {MaxSpan} values.");
        }

        Min = min;
        Max = max;
    }

    /// <summary>Gets the lowest value.</summary>
    public Money Min { get; }

    /// <summary>Gets the highest value.</summary>
    public Money Max { get; }

    /// <inheritdoc />
    public override Currency Currency => Min.Currency;

    /// <inheritdoc />
    public override Money Lowest => Min;

    /// <inheritdoc />
    public override Money Highest => Max;

    internal long MinMinorUnits { get; }

    internal long MaxMinorUnits { get; }
}

/// <summary>One row of a <see cref="WeightedDraw"/>.</summary>
/// <param name="Value">The face value, above zero.</param>
/// <param name="Weight">The relative weight, zero or more.</param>
public sealed record WeightedPrize(Money Value, long Weight);

/// <summary>A value drawn from a table of prizes, each with probability weight / total weight.</summary>
public sealed record WeightedDraw : LuckyDraw
{
    /// <summary>The most prizes a table may hold.</summary>
    public const int MaxPrizes = 1_000;

    /// <summary>The largest total weight.</summary>
    public const long MaxTotalWeight = 1L << 53;

    private readonly WeightedPrize[] _prizes;

    /// <summary>Initializes a new instance of the <see cref="WeightedDraw"/> class.</summary>
    /// <param name="prizes">The prizes; weights must be non-negative and sum to a positive total.</param>
    /// <exception cref="InvalidBenefitException">The table is empty, a weight is negative, the weights do not sum to a positive total, or the prizes mix currencies.</exception>
    public WeightedDraw(IEnumerable<WeightedPrize> prizes)
    {
        _prizes = prizes?.ToArray() ?? throw new InvalidBenefitException(BenefitError.Missing, "prizes", "the prize table is required.");
        if (_prizes.Length is 0 or > MaxPrizes)
        {
            throw new InvalidBenefitException(BenefitError.Missing, "prizes", $"the prize table must hold 1 to {MaxPrizes} prizes, got {_prizes.Length}.");
        }

        var values = new long[_prizes.Length];
        long total = 0;
        for (var i = 0; i < _prizes.Length; i++)
        {
            var prize = _prizes[i] ?? throw new InvalidBenefitException(BenefitError.Missing, $"prizes[{i}]", "the prize is missing.");
            values[i] = Benefit.MinorUnitsOf(prize.Value, $"prizes[{i}].value");
            if (!prize.Value.Currency.Equals(_prizes[0].Value.Currency))
            {
                throw new InvalidBenefitException(BenefitError.CurrencyMismatch, $"prizes[{i}].value", $"the prizes mix {_prizes[0].Value.Currency.Code} and {prize.Value.Currency.Code}.");
            }

            if (prize.Weight < 0 || prize.Weight > MaxTotalWeight - total)
            {
                throw new InvalidBenefitException(BenefitError.WeightsNotPositive, $"prizes[{i}].weight", $"weights must be zero or more and sum to at most {MaxTotalWeight}, got {prize.Weight}.");
            }

            total += prize.Weight;
        }

        if (total <= 0)
        {
            throw new InvalidBenefitException(BenefitError.WeightsNotPositive, "prizes", "the weights do not sum to a positive total.");
        }

        ValuesMinorUnits = values;
        TotalWeight = total;
    }

    /// <summary>Gets the prizes, in the order given.</summary>
    public IReadOnlyList<WeightedPrize> Prizes => _prizes;

    /// <summary>Gets the sum of the weights.</summary>
    public long TotalWeight { get; }

    /// <inheritdoc />
    public override Currency Currency => _prizes[0].Value.Currency;

    /// <inheritdoc />
    public override Money Lowest => _prizes.Where(p => p.Weight > 0).Select(p => p.Value).Min();

    /// <inheritdoc />
    public override Money Highest => _prizes.Where(p => p.Weight > 0).Select(p => p.Value).Max();

    internal IReadOnlyList<long> ValuesMinorUnits { get; }

    /// <summary>Gets the probability of a prize.</summary>
    /// <param name="index">The prize's index.</param>
    /// <returns>Its weight over the total weight.</returns>
    public double ProbabilityOf(int index) => (double)_prizes[index].Weight / TotalWeight;

    /// <inheritdoc />
    public bool Equals(WeightedDraw? other) => other is not null && _prizes.SequenceEqual(other._prizes);

    /// <inheritdoc />
    public override int GetHashCode() => _prizes.Aggregate(_prizes.Length, (h, p) => HashCode.Combine(h, p));
}
