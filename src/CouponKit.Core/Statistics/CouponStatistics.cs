using CouponKit.Issuance;
using CouponKit.Ports;
using CouponKit.Rules;

namespace CouponKit.Statistics;

/// <summary>
/// Statistics per template: coupons issued, claimed, locked, used, expired and released, and the discount granted. The discount
/// comes from what the shop records with <see cref="RecordDiscountsAsync"/> when an order is placed: CouponKit's TCC steps
/// carry no amounts, so the quote the order was placed with is the source of the amounts.
/// </summary>
public sealed class CouponStatistics
{
    private readonly IStatisticsStore _statistics;
    private readonly ICouponDiscountStore _discounts;
    private readonly ITemplateStore? _templates;
    private readonly Telemetry.CouponKitMetrics _metrics;

    /// <summary>Initializes a new instance of the <see cref="CouponStatistics"/> class.</summary>
    /// <param name="statistics">The statistics store.</param>
    /// <param name="discounts">The recorded discounts.</param>
    /// <param name="templates">The template store, to check who owns a template; needed by the overloads taking a <see cref="Security.MerchantActor"/>.</param>
    /// <param name="meterFactory">Creates the <c>CouponKit</c> meter; <see langword="null"/> for a process-wide one.</param>
    public CouponStatistics(IStatisticsStore statistics, ICouponDiscountStore discounts, ITemplateStore? templates = null, System.Diagnostics.Metrics.IMeterFactory? meterFactory = null)
    {
        _statistics = statistics ?? throw new ArgumentNullException(nameof(statistics));
        _discounts = discounts ?? throw new ArgumentNullException(nameof(discounts));
        _templates = templates;
        _metrics = Telemetry.CouponKitMetrics.For(meterFactory);
    }

    /// <summary>Computes the statistics of one of the actor's templates; another owner's are refused.</summary>
    /// <param name="actor">Who acts.</param>
    /// <param name="templateId">The template.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The statistics.</returns>
    /// <exception cref="ArgumentException">The id is malformed.</exception>
    /// <exception cref="TemplateNotFoundException">The template does not exist.</exception>
    /// <exception cref="Security.MerchantAccessDeniedException">The template belongs to another owner.</exception>
    /// <exception cref="InvalidOperationException">No template store was given to the constructor.</exception>
    public async Task<TemplateStatistics> GetTemplateAsync(Security.MerchantActor actor, string templateId, CancellationToken cancellationToken = default)
    {
        Guard.Identifier(templateId, nameof(templateId));
        var templates = _templates ?? throw new InvalidOperationException("CouponStatistics needs an ITemplateStore to check who owns a template.");
        await CouponTemplates.RequireOwnedAsync(templates, actor, templateId, Security.SecurityReasons.OperationStatistics, _metrics, cancellationToken).ConfigureAwait(false);
        return await GetTemplateAsync(templateId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Computes a template's statistics.</summary>
    /// <param name="templateId">The template.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The statistics.</returns>
    /// <exception cref="ArgumentException">The id is malformed.</exception>
    /// <exception cref="TemplateNotFoundException">The template does not exist.</exception>
    public async Task<TemplateStatistics> GetTemplateAsync(string templateId, CancellationToken cancellationToken = default)
    {
        Guard.Identifier(templateId, nameof(templateId));
        return await _statistics.GetTemplateStatisticsAsync(templateId, cancellationToken).ConfigureAwait(false)
            ?? throw new TemplateNotFoundException(templateId);
    }

    /// <summary>
    /// Records the discount each applied coupon of a quote gives an order. Call it when the order is placed with the quote
    /// (after its coupons are locked), and again if the order is re-priced before payment: the last amount recorded for an order
    /// and coupon counts. Reconciliation compares these amounts with the shop's order records.
    /// </summary>
    /// <param name="orderId">The order.</param>
    /// <param name="quote">The quote the order was placed with.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    /// <exception cref="ArgumentException">The order id is malformed.</exception>
    public Task RecordDiscountsAsync(string orderId, Quote quote, CancellationToken cancellationToken = default)
    {
        Guard.Identifier(orderId, nameof(orderId));
        ArgumentNullException.ThrowIfNull(quote);
        var discounts = quote.Applied.Select(a => new CouponDiscount(orderId, a.CouponId, a.Discount)).ToArray();
        return discounts.Length == 0 ? Task.CompletedTask : _discounts.RecordAsync(discounts, cancellationToken);
    }
}
