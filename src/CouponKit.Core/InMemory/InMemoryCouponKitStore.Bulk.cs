using CouponKit.Issuance;
using CouponKit.Ports;

namespace CouponKit.InMemory;

/// <content><see cref="IBulkCouponStore"/>: a chunk of coupons under the store's one lock.</content>
public sealed partial class InMemoryCouponKitStore : IBulkCouponStore
{
    /// <summary>The most commands <see cref="IssueBatchAsync"/> takes at once.</summary>
    internal const int MaxBatchSize = 10_000;

    /// <inheritdoc />
    public Task<IReadOnlyList<IssueOutcome>> IssueBatchAsync(IReadOnlyList<IssueCommand> commands, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commands);
        if (commands.Count > MaxBatchSize)
        {
            throw new ArgumentException($"A batch holds at most {MaxBatchSize} commands, got {commands.Count}.", nameof(commands));
        }

        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            // Check first, so that bad input changes nothing: the whole batch is written or none of it.
            var couponIds = new HashSet<string>(StringComparer.Ordinal);
            foreach (var command in commands)
            {
                if (command is null)
                {
                    throw new ArgumentException("A command is null.", nameof(commands));
                }

                if (!_templates.ContainsKey(command.Coupon.TemplateId))
                {
                    throw new TemplateNotFoundException(command.Coupon.TemplateId);
                }

                if ((_coupons.ContainsKey(command.Coupon.CouponId) && !_claims.ContainsKey(command.ClaimKey)) || !couponIds.Add(command.Coupon.CouponId))
                {
                    throw new InvalidOperationException($"Coupon id '{command.Coupon.CouponId}' already exists.");
                }
            }

            // The lock is re-entrant and IssueAsync completes synchronously: each command sees the ones before it.
            var outcomes = new IssueOutcome[commands.Count];
            for (var i = 0; i < commands.Count; i++)
            {
                outcomes[i] = IssueAsync(commands[i], CancellationToken.None).GetAwaiter().GetResult();
            }

            return Task.FromResult<IReadOnlyList<IssueOutcome>>(outcomes);
        }
    }
}
