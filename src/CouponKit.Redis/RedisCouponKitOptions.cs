using System.ComponentModel.DataAnnotations;
using StackExchange.Redis;

namespace CouponKit.Redis;

/// <summary>Options of CouponKit's Redis adapter (<c>UseRedis</c>): how to connect and how to name keys.</summary>
public sealed class RedisCouponKitOptions : IValidatableObject
{
    /// <summary>The default <see cref="KeyPrefix"/>.</summary>
    public const string DefaultKeyPrefix = "couponkit";

    /// <summary>Gets or sets the StackExchange.Redis configuration string (for example <c>localhost:6379,abortConnect=false</c>).</summary>
    /// <value>The default value is <see langword="null"/>. One of this, <see cref="ConnectionMultiplexerFactory"/> or an
    /// <see cref="IConnectionMultiplexer"/> registered before <c>UseRedis</c> is required.</value>
    public string? Configuration { get; set; }

    /// <summary>Gets or sets a factory of the connection, used instead of <see cref="Configuration"/> (called once, lazily).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<IServiceProvider, IConnectionMultiplexer>? ConnectionMultiplexerFactory { get; set; }

    /// <summary>Gets or sets the prefix of every key CouponKit writes (<c>{prefix}:{templateId}:stock</c>, ...).</summary>
    /// <value>The default value is <c>couponkit</c>. 1 to 64 characters of letters, digits, <c>_ . : -</c>.</value>
    [Required]
    [RegularExpression("^[A-Za-z0-9_.:-]{1,64}$")]
    public string KeyPrefix { get; set; } = DefaultKeyPrefix;

    /// <summary>Gets or sets the Redis database number (ignored by Redis Cluster, which has only database 0).</summary>
    /// <value>The default value is <c>-1</c>: the connection's default database.</value>
    [Range(-1, 1023)]
    public int Database { get; set; } = -1;

    /// <summary>
    /// Gets or sets a value indicating whether a claim goes to the database (synchronously, <c>CouponClaims</c>) when Redis
    /// does not answer, instead of failing closed with <see cref="CouponKitRedisException"/>. Either way nothing is issued
    /// without a database record; with the fallback the database takes the whole load of the sale while Redis is down, and
    /// the gate's counts drift until the next reconciliation (which the gate's stock and holders then follow).
    /// </summary>
    /// <value>The default value is <see langword="false"/> (fail closed).</value>
    public bool FallbackToDatabase { get; set; }

    /// <summary>Gets or sets how long a cached template lives after it was written (a safety net: change events keep it current).</summary>
    /// <value>The default value is 1 hour. 1 second to 30 days.</value>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00", ErrorMessage = "TemplateCacheExpiry must be between 1 second and 30 days.")]
    public TimeSpan TemplateCacheExpiry { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets how long a claim accepted by the gate is remembered for polling (from its acceptance).</summary>
    /// <value>The default value is 1 day. 1 minute to 30 days, and longer than <see cref="InFlightTimeout"/>.</value>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00", ErrorMessage = "PendingClaimRetention must be between 1 minute and 30 days.")]
    public TimeSpan PendingClaimRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// Gets or sets how long reconciliation counts an accepted claim that has not reached the database as in flight; after
    /// that it is abandoned (settled as failed and its reservation freed). Keep it above the issue consumer's whole retry budget.
    /// </summary>
    /// <value>The default value is 6 hours. 1 second to 7 days.</value>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00", ErrorMessage = "InFlightTimeout must be between 1 second and 7 days.")]
    public TimeSpan InFlightTimeout { get; set; } = TimeSpan.FromHours(6);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PendingClaimRetention <= InFlightTimeout)
        {
            yield return new ValidationResult(
                "RedisCouponKitOptions.PendingClaimRetention must be longer than InFlightTimeout, or reconciliation cannot tell an in-flight claim from an orphan reservation.",
                [nameof(PendingClaimRetention), nameof(InFlightTimeout)]);
        }

        if (string.IsNullOrWhiteSpace(Configuration) && ConnectionMultiplexerFactory is null)
        {
            yield return new ValidationResult(
                "Set RedisCouponKitOptions.Configuration (a StackExchange.Redis configuration string) or ConnectionMultiplexerFactory, or register an IConnectionMultiplexer before UseRedis.",
                [nameof(Configuration), nameof(ConnectionMultiplexerFactory)]);
        }
    }
}
