namespace CouponKit.RocketMQ;

/// <summary>
/// A RocketMQ request failed: the broker answered with a non-OK status <see cref="Code"/>, or the transport failed
/// (then <see cref="Code"/> is <see cref="RocketMQStatusCode.Unspecified"/> or <see cref="RocketMQStatusCode.RequestTimeout"/>).
/// </summary>
public sealed class RocketMQException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="RocketMQException"/> class.</summary>
    public RocketMQException()
        : this(RocketMQStatusCode.Unspecified, "RocketMQ request failed.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RocketMQException"/> class.</summary>
    /// <param name="message">The error message.</param>
    public RocketMQException(string message)
        : this(RocketMQStatusCode.Unspecified, message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RocketMQException"/> class.</summary>
    /// <param name="message">The error message.</param>
    /// <param name="innerException">The cause.</param>
    public RocketMQException(string message, Exception innerException)
        : this(RocketMQStatusCode.Unspecified, message, innerException: innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RocketMQException"/> class.</summary>
    /// <param name="code">The RocketMQ status code.</param>
    /// <param name="message">The error message.</param>
    /// <param name="requestId">The <c>x-mq-request-id</c> of the failed request, if known.</param>
    /// <param name="isRetryable">Whether sending the same request again may succeed.</param>
    /// <param name="innerException">The cause, if any.</param>
    public RocketMQException(RocketMQStatusCode code, string message, string? requestId = null, bool isRetryable = false, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
        RequestId = requestId;
        IsRetryable = isRetryable;
    }

    /// <summary>Gets the RocketMQ status code of the failure.</summary>
    public RocketMQStatusCode Code { get; }

    /// <summary>Gets the <c>x-mq-request-id</c> of the failed request, if known (quote it to the broker's operators).</summary>
    public string? RequestId { get; }

    /// <summary>Gets a value indicating whether sending the same request again may succeed (throttling, timeouts, broker errors).</summary>
    public bool IsRetryable { get; }
}
