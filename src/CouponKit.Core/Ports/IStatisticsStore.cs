using CouponKit.Statistics;

namespace CouponKit.Ports;

/// <summary>Counts what happened to the coupons of a template.</summary>
public interface IStatisticsStore
{
    /// <summary>
    /// Computes a template's statistics from the stored coupons, operation records and recorded discounts. The counts of states
    /// are a snapshot; the counts of locks and releases are from the operation records.
    /// </summary>
    /// <param name="templateId">The template.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The statistics, or <see langword="null"/> when the template is unknown.</returns>
    Task<TemplateStatistics?> GetTemplateStatisticsAsync(string templateId, CancellationToken cancellationToken);
}
