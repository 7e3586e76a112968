namespace CouponKit.EfCore;

/// <summary>
/// Thrown when the database fails an operation of a CouponKit store (connection lost, timeout, constraint the store did not
/// expect, retries used up). The operation's transaction was rolled back: nothing of it was written.
/// </summary>
public sealed class CouponKitStoreException : CouponKitException
{
    /// <summary>Initializes a new instance of the <see cref="CouponKitStoreException"/> class.</summary>
    /// <param name="operation">The store operation that failed (for example <c>IssueAsync</c>).</param>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The database's exception.</param>
    public CouponKitStoreException(string operation, string message, Exception? innerException = null)
        : base("store_failure", $"CouponKit store operation '{operation}' failed: {message}", innerException)
    {
        Operation = operation;
    }

    /// <summary>Gets the store operation that failed.</summary>
    public string Operation { get; }
}
