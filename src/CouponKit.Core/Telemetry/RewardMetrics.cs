using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace CouponKit.Telemetry;

/// <summary>The instruments of order rewards, on the <c>CouponKit</c> meter (one set per meter factory, or one for the process).</summary>
internal sealed class RewardMetrics
{
    private static readonly ConditionalWeakTable<IMeterFactory, RewardMetrics> PerFactory = new();
    private static readonly Lazy<RewardMetrics> Shared = new(() => new RewardMetrics(new Meter(CouponKitDiagnostics.Name)));

    private readonly Counter<long> _outcomes;

    private RewardMetrics(Meter meter)
    {
        _outcomes = meter.CreateCounter<long>("couponkit.reward.outcomes", "{outcome}", "Order reward decisions (on paid and refunded orders) by outcome.");
    }

    public static RewardMetrics For(IMeterFactory? factory) =>
        factory is null ? Shared.Value : PerFactory.GetValue(factory, f => new RewardMetrics(f.Create(CouponKitDiagnostics.Name)));

    /// <summary>Counts one outcome. The tag is a fixed vocabulary (<c>Rewards.RewardOutcome</c>): never an id.</summary>
    public void Outcome(string outcome) => _outcomes.Add(1, new KeyValuePair<string, object?>("couponkit.reward.outcome", outcome));
}
