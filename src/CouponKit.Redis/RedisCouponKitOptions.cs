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

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(Configuration) && ConnectionMultiplexerFactory is null)
        {
            yield return new ValidationResult(
                "Set RedisCouponKitOptions.Configuration (a StackExchange.Redis configuration string) or ConnectionMultiplexerFactory, or register an IConnectionMultiplexer before UseRedis.",
                [nameof(Configuration), nameof(ConnectionMultiplexerFactory)]);
        }
    }
}
