using CouponKit.Issuance;
using CouponKit.Ports;

namespace CouponKit.InMemory;

/// <content>The audit of benefits: a template's coupons with their draws and shares.</content>
public sealed partial class InMemoryCouponKitStore : IBenefitAuditStore
{
    /// <inheritdoc />
    bool ICouponStore.AssignsIssueSequence => true;

    /// <inheritdoc />
    public Task<IReadOnlyList<IssuedCoupon>> ListIssuedAsync(string templateId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<IssuedCoupon>>(_coupons.Values.Where(c => c.TemplateId == templateId).ToArray());
        }
    }
}
