using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using CouponKit.Redemption;

namespace CouponKit.Telemetry;

/// <summary>CouponKit's instruments, created once per meter factory (or once for the process when there is none).</summary>
internal sealed class CouponKitMetrics
{
    private static readonly ConditionalWeakTable<IMeterFactory, CouponKitMetrics> PerFactory = new();
    private static readonly Lazy<CouponKitMetrics> Shared = new(() => new CouponKitMetrics(new Meter(CouponKitDiagnostics.Name)));

    private readonly Counter<long> _claims;
    private readonly Counter<long> _redemptionSteps;
    private readonly Histogram<double> _redemptionDuration;
    private readonly Counter<long> _securityRefusals;

    private CouponKitMetrics(Meter meter)
    {
        _claims = meter.CreateCounter<long>("couponkit.claim.attempts", "{attempt}", "Claim attempts by outcome.");
        _redemptionSteps = meter.CreateCounter<long>("couponkit.redemption.steps", "{step}", "TCC steps by phase and status.");
        _redemptionDuration = meter.CreateHistogram<double>("couponkit.redemption.duration", "s", "How long a TCC step (lock, confirm, release) takes.");
        _securityRefusals = meter.CreateCounter<long>("couponkit.security.refusals", "{refusal}", "Requests refused for ownership, tenancy, guessing or size limits, by reason and operation.");
    }

    public static ActivitySource ActivitySource { get; } = new(CouponKitDiagnostics.Name);

    public static CouponKitMetrics For(IMeterFactory? factory) =>
        factory is null ? Shared.Value : PerFactory.GetValue(factory, f => new CouponKitMetrics(f.Create(CouponKitDiagnostics.Name)));

    public void Claim(string outcome) => _claims.Add(1, new KeyValuePair<string, object?>("couponkit.claim.outcome", outcome));

    public void RedemptionStep(TccPhase phase, RedemptionResult result, TimeSpan elapsed)
    {
        var phaseTag = new KeyValuePair<string, object?>("couponkit.tcc.phase", phase.ToString());
        _redemptionSteps.Add(
            1,
            phaseTag,
            new KeyValuePair<string, object?>("couponkit.tcc.status", result.Status.ToString()),
            new KeyValuePair<string, object?>("couponkit.tcc.refusal", result.Refusal.ToString()));
        _redemptionDuration.Record(elapsed.TotalSeconds, phaseTag);
    }

    /// <summary>Counts a security refusal. Tags are a fixed vocabulary (see <see cref="Security.SecurityReasons"/>): never an id.</summary>
    public void SecurityRefusal(string reason, string operation) =>
        _securityRefusals.Add(
            1,
            new KeyValuePair<string, object?>("couponkit.security.reason", reason),
            new KeyValuePair<string, object?>("couponkit.security.operation", operation));
}
