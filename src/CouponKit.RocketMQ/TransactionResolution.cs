namespace CouponKit.RocketMQ;

/// <summary>The outcome of a local transaction, as told to the broker.</summary>
public enum TransactionResolution
{
    /// <summary>Not known yet: nothing is sent and the broker checks again later.</summary>
    Unknown = 0,

    /// <summary>The local transaction committed: the half message is delivered.</summary>
    Commit = 1,

    /// <summary>The local transaction rolled back: the half message is discarded.</summary>
    Rollback = 2,
}
