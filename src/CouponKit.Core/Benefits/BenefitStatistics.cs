using CouponKit.Issuance;
using CouponKit.Ports;

namespace CouponKit.Benefits;

/// <summary>
/// The distribution of what a template actually issued against what it was configured to issue: per prize for weighted lucky
/// coupons, per value range for uniform ones and for split red envelopes, with the chi-square statistic of the difference and
/// an audit that replays every recorded draw from its seed.
/// </summary>
public sealed class BenefitStatistics
{
    /// <summary>The number of ranges a uniform draw or a split envelope is summarised in.</summary>
    public const int RangeBuckets = 10;

    private readonly ITemplateStore _templates;
    private readonly IBenefitAuditStore _audit;

    /// <summary>Initializes a new instance of the <see cref="BenefitStatistics"/> class.</summary>
    /// <param name="templates">The template store.</param>
    /// <param name="audit">The issued coupons with their draws.</param>
    public BenefitStatistics(ITemplateStore templates, IBenefitAuditStore audit)
    {
        _templates = templates ?? throw new ArgumentNullException(nameof(templates));
        _audit = audit ?? throw new ArgumentNullException(nameof(audit));
    }

    /// <summary>Computes a template's issued distribution against its configured one.</summary>
    /// <param name="templateId">The template.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The distribution.</returns>
    /// <exception cref="ArgumentException">The id is malformed.</exception>
    /// <exception cref="TemplateNotFoundException">The template does not exist.</exception>
    public async Task<BenefitDistribution> GetDistributionAsync(string templateId, CancellationToken cancellationToken = default)
    {
        Guard.Identifier(templateId, nameof(templateId));
        var template = await _templates.FindAsync(templateId, cancellationToken).ConfigureAwait(false) ?? throw new TemplateNotFoundException(templateId);
        var coupons = await _audit.ListIssuedAsync(templateId, cancellationToken).ConfigureAwait(false);
        return template.Benefit switch
        {
            LuckyCouponBenefit { Draw: WeightedDraw weighted } => Weighted(template, weighted, coupons),
            LuckyCouponBenefit { Draw: UniformDraw uniform } => Uniform(template, uniform, coupons),
            SplitRedEnvelopeBenefit split => Split(template, split, coupons),
            _ => Fixed(template, coupons),
        };
    }

    private static BenefitDistribution Weighted(CouponTemplate template, WeightedDraw draw, IReadOnlyList<IssuedCoupon> coupons)
    {
        var counts = new long[draw.Prizes.Count];
        var failures = 0;
        var values = new List<Money>();
        foreach (var coupon in coupons)
        {
            if (coupon.Draw is not { PrizeIndex: { } index } recorded || index < 0 || index >= counts.Length || !LuckyDraws.Replay(draw, recorded))
            {
                failures++;
                continue;
            }

            counts[index]++;
            values.Add(recorded.Value);
        }

        var buckets = draw.Prizes.Select((p, i) => new DistributionBucket(p.Value, p.Value, draw.ProbabilityOf(i), counts[i])).ToArray();
        var mean = draw.Prizes.Sum(p => p.Value.Amount * p.Weight) / draw.TotalWeight;
        return Build(template, buckets, values, draw.Currency, mean, failures, coupons.Count);
    }

    private static BenefitDistribution Uniform(CouponTemplate template, UniformDraw draw, IReadOnlyList<IssuedCoupon> coupons)
    {
        var edges = Edges(draw.MinMinorUnits, draw.MaxMinorUnits);
        var span = (double)(draw.MaxMinorUnits - draw.MinMinorUnits + 1);
        var counts = new long[edges.Count];
        var failures = 0;
        var values = new List<Money>();
        foreach (var coupon in coupons)
        {
            if (coupon.Draw is not { } recorded || !LuckyDraws.Replay(draw, recorded))
            {
                failures++;
                continue;
            }

            counts[BucketOf(edges, recorded.Value.ToMinorUnits())]++;
            values.Add(recorded.Value);
        }

        var buckets = edges.Select((e, i) => new DistributionBucket(
            Money.FromMinorUnits(e.From, draw.Currency), Money.FromMinorUnits(e.To, draw.Currency), (e.To - e.From + 1) / span, counts[i])).ToArray();
        var mean = (draw.Min.Amount + draw.Max.Amount) / 2m;
        return Build(template, buckets, values, draw.Currency, mean, failures, coupons.Count);
    }

    private static BenefitDistribution Split(CouponTemplate template, SplitRedEnvelopeBenefit split, IReadOnlyList<IssuedCoupon> coupons)
    {
        var shares = SplitRedEnvelope.SharesOf(split, template.TotalInventory);
        var edges = Edges(shares.Min(), shares.Max());
        var configured = new long[edges.Count];
        foreach (var share in shares)
        {
            configured[BucketOf(edges, share)]++;
        }

        var counts = new long[edges.Count];
        var values = new List<Money>();
        var failures = 0;
        foreach (var coupon in coupons)
        {
            if (coupon.IssueSequence is not { } index || index < 0 || index >= shares.Count)
            {
                failures++;
                continue;
            }

            counts[BucketOf(edges, shares[(int)index])]++;
            values.Add(Money.FromMinorUnits(shares[(int)index], split.Total.Currency));
        }

        var buckets = edges.Select((e, i) => new DistributionBucket(
            Money.FromMinorUnits(e.From, split.Total.Currency), Money.FromMinorUnits(e.To, split.Total.Currency), (double)configured[i] / shares.Count, counts[i])).ToArray();
        return Build(template, buckets, values, split.Total.Currency, split.Total.Amount / shares.Count, failures, coupons.Count);
    }

    private static BenefitDistribution Fixed(CouponTemplate template, IReadOnlyList<IssuedCoupon> coupons)
    {
        Money? value = template.Benefit switch
        {
            RedEnvelopeBenefit r => r.Amount,
            _ => null,
        };
        var buckets = value is { } v ? new[] { new DistributionBucket(v, v, 1d, coupons.Count) } : [];
        var values = value is { } w ? Enumerable.Repeat(w, coupons.Count).ToList() : [];
        return Build(template, buckets, values, value?.Currency, value?.Amount, 0, coupons.Count);
    }

    private static BenefitDistribution Build(CouponTemplate template, IReadOnlyList<DistributionBucket> buckets, List<Money> values, Currency? currency, decimal? configuredMean, int failures, int issued)
    {
        var n = buckets.Sum(b => b.IssuedCount);
        double chi = 0;
        foreach (var bucket in buckets.Where(b => b.ConfiguredProbability > 0))
        {
            var expected = n * bucket.ConfiguredProbability;
            chi += (bucket.IssuedCount - expected) * (bucket.IssuedCount - expected) / expected;
        }

        Money? total = currency is null ? null : values.Aggregate(Money.Zero(currency), (a, b) => a + b);
        Money? mean = total is { } t && values.Count > 0 ? new Money(t.Amount / values.Count, currency!) : null;
        return new BenefitDistribution(
            template.Id,
            template.Benefit.Kind,
            issued,
            total,
            configuredMean is { } m && currency is not null ? new Money(m, currency) : null,
            mean,
            buckets,
            n > 0 ? chi : 0,
            Math.Max(buckets.Count(b => b.ConfiguredProbability > 0) - 1, 0),
            failures);
    }

    private static List<(long From, long To)> Edges(long min, long max)
    {
        var span = max - min + 1;
        var count = (int)Math.Min(RangeBuckets, span);
        var edges = new List<(long From, long To)>(count);
        for (var i = 0; i < count; i++)
        {
            var from = min + (span * i / count);
            var to = min + (span * (i + 1) / count) - 1;
            edges.Add((from, to));
        }

        return edges;
    }

    private static int BucketOf(List<(long From, long To)> edges, long value)
    {
        for (var i = 0; i < edges.Count; i++)
        {
            if (value <= edges[i].To)
            {
                return i;
            }
        }

        return edges.Count - 1;
    }
}

/// <summary>A template's issued distribution against its configured one.</summary>
/// <param name="TemplateId">The template.</param>
/// <param name="Kind">The benefit kind.</param>
/// <param name="Issued">The coupons issued.</param>
/// <param name="IssuedTotal">The sum of the values issued (cash, face values), or <see langword="null"/> for coupons and points.</param>
/// <param name="ConfiguredMean">The mean value the configuration gives, or <see langword="null"/>.</param>
/// <param name="IssuedMean">The mean value actually issued, or <see langword="null"/>.</param>
/// <param name="Buckets">Per prize, or per value range: the configured probability and the count issued.</param>
/// <param name="ChiSquare">Pearson's chi-square statistic of the issued counts against the configured probabilities.</param>
/// <param name="DegreesOfFreedom">The degrees of freedom of <paramref name="ChiSquare"/>.</param>
/// <param name="AuditFailures">Coupons whose recorded draw or share does not replay from its seed (should be 0).</param>
public sealed record BenefitDistribution(
    string TemplateId,
    BenefitKind Kind,
    int Issued,
    Money? IssuedTotal,
    Money? ConfiguredMean,
    Money? IssuedMean,
    IReadOnlyList<DistributionBucket> Buckets,
    double ChiSquare,
    int DegreesOfFreedom,
    int AuditFailures);

/// <summary>One prize or value range of a <see cref="BenefitDistribution"/>.</summary>
/// <param name="From">The lowest value of the range (the prize for a weighted table).</param>
/// <param name="To">The highest value of the range.</param>
/// <param name="ConfiguredProbability">The probability the configuration gives it.</param>
/// <param name="IssuedCount">How many issued coupons fell in it.</param>
public sealed record DistributionBucket(Money From, Money To, double ConfiguredProbability, long IssuedCount);
