using System.Diagnostics.Metrics;
using CouponKit.Telemetry;

namespace CouponKit.EfCore.Telemetry;

/// <summary>The EF Core adapter's instruments, on CouponKit's meter.</summary>
internal static class EfCoreMetrics
{
    private static readonly Meter Meter = new(CouponKitDiagnostics.Name);

    private static readonly Histogram<int> ClaimBatchSize = Meter.CreateHistogram<int>(
        "couponkit.claim.batch.size",
        "{claim}",
        "How many claims one group commit (EfCoreCouponKitOptions.ClaimBatchSize) wrote in one transaction.");

    public static void ClaimBatch(int claims) => ClaimBatchSize.Record(claims);
}
