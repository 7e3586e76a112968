using System.Diagnostics.Metrics;
using System.Globalization;

namespace CouponKit.LoadTest.Infrastructure;

/// <summary>Listens to CouponKit's <c>couponkit.claim.batch.size</c> histogram: how many claims each group commit wrote.</summary>
internal sealed class ClaimBatchSizes : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _batches;
    private long _claims;

    public ClaimBatchSizes()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "CouponKit" && instrument.Name == "couponkit.claim.batch.size")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((_, value, _, _) =>
        {
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _claims, value);
        });
        _listener.Start();
    }

    /// <summary>Gets how many batches and claims were recorded so far.</summary>
    public (long Batches, long Claims) Snapshot() => (Interlocked.Read(ref _batches), Interlocked.Read(ref _claims));

    /// <summary>The mean batch size between two snapshots.</summary>
    public static string Mean((long Batches, long Claims) start, (long Batches, long Claims) end)
    {
        var batches = end.Batches - start.Batches;
        return batches <= 0 ? "—" : ((end.Claims - start.Claims) / (double)batches).ToString("0.0", CultureInfo.InvariantCulture);
    }

    public void Dispose() => _listener.Dispose();
}
