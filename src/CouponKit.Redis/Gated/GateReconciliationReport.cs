namespace CouponKit.Redis;

/// <summary>What a warm-up or a reconciliation of a template's claim gate found, and whether it repaired it.</summary>
/// <param name="TemplateId">The template.</param>
/// <param name="DatabaseRemaining">The inventory the database may still issue.</param>
/// <param name="InFlight">Claims the gate accepted that have not reached the database (counted as taken).</param>
/// <param name="ExpectedStock">The stock the gate should hold: <paramref name="DatabaseRemaining"/> − <paramref name="InFlight"/>, at least 0.</param>
/// <param name="Differences">Each difference found, in the order found.</param>
/// <param name="Repaired"><see langword="true"/> when Redis now holds the expected state.</param>
public sealed record GateReconciliationReport(string TemplateId, int DatabaseRemaining, int InFlight, int ExpectedStock, IReadOnlyList<GateDrift> Differences, bool Repaired)
{
    /// <summary>Gets a value indicating whether Redis agreed with the database.</summary>
    public bool InSync => Differences.Count == 0;
}

/// <summary>One difference between the claim gate in Redis and the database.</summary>
/// <param name="TemplateId">The template.</param>
public abstract record GateDrift(string TemplateId);

/// <summary>The gate's stock differs from the database's remaining inventory minus the claims in flight.</summary>
/// <param name="TemplateId">The template.</param>
/// <param name="RedisStock">The stock in Redis; <see langword="null"/> when the gate was not warmed up.</param>
/// <param name="ExpectedStock">The stock expected.</param>
public sealed record StockDrift(string TemplateId, int? RedisStock, int ExpectedStock) : GateDrift(TemplateId);

/// <summary>The gate counts a different number of coupons for a user than the database holds plus the user's claims in flight.</summary>
/// <param name="TemplateId">The template.</param>
/// <param name="UserId">The user.</param>
/// <param name="RedisCount">The count in Redis.</param>
/// <param name="ExpectedCount">The count expected.</param>
public sealed record HolderDrift(string TemplateId, string UserId, int RedisCount, int ExpectedCount) : GateDrift(TemplateId);

/// <summary>A claim key reserved in the gate with no coupon in the database and no claim in flight (its reservation is freed).</summary>
/// <param name="TemplateId">The template.</param>
/// <param name="ClaimKey">The claim key.</param>
public sealed record OrphanReservation(string TemplateId, string ClaimKey) : GateDrift(TemplateId);

/// <summary>A claim accepted longer ago than <see cref="RedisCouponKitOptions.InFlightTimeout"/> that never reached the database (settled as failed).</summary>
/// <param name="TemplateId">The template.</param>
/// <param name="ClaimKey">The claim key.</param>
/// <param name="AcceptedAt">When the gate accepted it.</param>
public sealed record AbandonedClaim(string TemplateId, string ClaimKey, DateTimeOffset AcceptedAt) : GateDrift(TemplateId);
