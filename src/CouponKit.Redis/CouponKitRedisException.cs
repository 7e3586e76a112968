namespace CouponKit.Redis;

/// <summary>
/// Thrown when Redis cannot be reached or fails a command (connection lost, timeout, script error). The claim path fails
/// closed on it: no coupon is issued and no rate-limit permit is granted while Redis does not answer.
/// </summary>
public sealed class CouponKitRedisException : CouponKitException
{
    /// <summary>The <see cref="CouponKitException.ErrorCode"/> of this exception.</summary>
    public const string Code = "redis_unavailable";

    /// <summary>Initializes a new instance of the <see cref="CouponKitRedisException"/> class.</summary>
    /// <param name="operation">What was being done (for example <c>claim-gate.reserve</c>).</param>
    /// <param name="message">What went wrong and what to check.</param>
    /// <param name="innerException">The Redis client's exception, if any.</param>
    public CouponKitRedisException(string operation, string message, Exception? innerException = null)
        : base(Code, message, innerException)
    {
        Operation = operation;
    }

    /// <summary>Gets what was being done (for example <c>claim-gate.reserve</c>, <c>rate-limit</c>, <c>connect</c>).</summary>
    public string Operation { get; }
}
