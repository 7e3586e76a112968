using CouponKit.Redemption;

namespace CouponKit.Ports;

/// <summary>
/// Executes the TCC steps of orders against coupons. An implementation must, in one transaction: load the coupons of the
/// command (or, when the command names none, those of the order's Try records), load every operation record of the order,
/// call <see cref="RedemptionPlanner.Plan"/>, and write the plan: the coupon changes (each only if the coupon's version is
/// unchanged), the new operation records (unique per order, coupon and phase: that uniqueness is the barrier), and the outbox
/// messages. If any write fails, nothing is written.
/// </summary>
public interface IRedemptionStore
{
    /// <summary>Executes one TCC step.</summary>
    /// <param name="command">The step.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The result.</returns>
    Task<RedemptionResult> ExecuteAsync(RedemptionCommand command, CancellationToken cancellationToken);

    /// <summary>Lists the operation records of an order, for audit and reconciliation.</summary>
    /// <param name="orderId">The order.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The records, oldest first.</returns>
    Task<IReadOnlyList<OperationRecord>> ListRecordsAsync(string orderId, CancellationToken cancellationToken);
}
