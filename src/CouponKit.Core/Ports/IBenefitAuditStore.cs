using CouponKit.Issuance;

namespace CouponKit.Ports;

/// <summary>Lists a template's issued coupons with their draws and shares, for the audit of random draws and the statistics of benefits.</summary>
public interface IBenefitAuditStore
{
    /// <summary>Lists the coupons issued from a template.</summary>
    /// <param name="templateId">The template.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The coupons, in no particular order.</returns>
    Task<IReadOnlyList<IssuedCoupon>> ListIssuedAsync(string templateId, CancellationToken cancellationToken);
}
