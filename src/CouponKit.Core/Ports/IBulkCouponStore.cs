using CouponKit.Issuance;

namespace CouponKit.Ports;

/// <summary>
/// An optional companion of <see cref="ICouponStore"/> for push issuance: issues a whole chunk of coupons in one transaction
/// instead of one transaction per coupon. <c>PushIssuance</c> uses it when the registered <see cref="ICouponStore"/> also
/// implements it.
/// </summary>
public interface IBulkCouponStore
{
    /// <summary>
    /// Issues a chunk of coupons atomically: every outcome is the one <see cref="ICouponStore.IssueAsync"/> would give if the
    /// commands were issued one after the other in the given order (idempotent by claim key, the per-user limit, never more
    /// than the remaining inventory), and the issued coupons, claim records and events are written in one transaction, so
    /// either the whole chunk is written or nothing of it.
    /// </summary>
    /// <param name="commands">What to issue, in order; at most 10,000 commands.</param>
    /// <param name="cancellationToken">Cancels the call; a cancelled chunk writes nothing.</param>
    /// <returns>One outcome per command, in the order of <paramref name="commands"/>.</returns>
    /// <exception cref="ArgumentException">More than 10,000 commands, or a command is <see langword="null"/>.</exception>
    /// <exception cref="TemplateNotFoundException">A command's template does not exist; nothing was written.</exception>
    Task<IReadOnlyList<IssueOutcome>> IssueBatchAsync(IReadOnlyList<IssueCommand> commands, CancellationToken cancellationToken);

    /// <summary>
    /// Gets how many chunks the store writes well side by side, each in its own transaction: a push keeps up to this many
    /// chunks in flight while the template's stock covers them all (so that the inventory still goes to the users in segment
    /// order). A database server with several cores ingests two chunks faster than one after the other; a store that writes
    /// under one lock (in memory, SQLite) gains nothing.
    /// </summary>
    /// <value>The default value is 1: one chunk at a time.</value>
    int ConcurrentBatches => 1;
}
