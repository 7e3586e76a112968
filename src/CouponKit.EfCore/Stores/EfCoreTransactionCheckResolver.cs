using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using CouponKit.EfCore.Model;
using CouponKit.EfCore.Telemetry;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Redemption;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CouponKit.EfCore;

/// <summary>How the EF Core <see cref="ITransactionCheckResolver"/> answers the broker's check-back of a transactional message.</summary>
public sealed class EfCoreTransactionCheckOptions
{
    /// <summary>
    /// Gets or sets how long after a message's <see cref="OutboxMessage.CreatedAt"/> its local transaction may still be running.
    /// A check-back that finds no row of the transaction within this time answers "unknown" (the broker asks again); after it,
    /// "rolled back". Make it longer than the longest local transaction (with its retries) plus the clock skew between the
    /// sender and the resolver: a local transaction that commits after its message was rolled back loses its event.
    /// </summary>
    /// <value>The default value is 5 minutes.</value>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "EfCoreTransactionCheckOptions: GracePeriod must be between 1 second and 1 day.")]
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>Checks the DataAnnotations of <see cref="EfCoreTransactionCheckOptions"/> (source-generated).</summary>
[OptionsValidator]
internal sealed partial class EfCoreTransactionCheckOptionsValidator : IValidateOptions<EfCoreTransactionCheckOptions>
{
}

/// <summary>
/// Answers the broker's check-back of a transactional (half) message from the database the local transaction wrote to:
/// <see cref="TransactionOutcome.Committed"/> when a row that only the committed local transaction writes exists,
/// <see cref="TransactionOutcome.RolledBack"/> when none exists and the message is older than
/// <see cref="EfCoreTransactionCheckOptions.GracePeriod"/>, <see cref="TransactionOutcome.Unknown"/> otherwise (the broker
/// asks again later). A database error propagates: the transport treats it as unknown.
/// </summary>
/// <remarks>
/// What the message carries, and the row it is matched with (one indexed lookup each):
/// <list type="bullet">
/// <item>Any message: an outbox row with its <see cref="OutboxMessage.MessageId"/> (the local transaction wrote the message to
/// the outbox as well, or wrote it as its transaction record).</item>
/// <item><see cref="CouponTopics.Issued"/>: the coupon issued under the body's <c>ClaimKey</c> that is the body's
/// <c>CouponId</c> (<see cref="CouponEvents.CouponIssued"/>). The coupon id tells this claim's transaction from an earlier
/// claim with the same key, whose own message answers for it.</item>
/// <item><see cref="CouponTopics.Locked"/>, <see cref="CouponTopics.Confirmed"/>, <see cref="CouponTopics.Released"/>: the TCC
/// operation rows of the body's <c>OrderId</c> for each of its <c>CouponIds</c> (or the order-wide row when it lists none), in
/// phase Try, Confirm or Cancel written by that phase (<see cref="CouponEvents.OrderCoupons"/>).</item>
/// </list>
/// The message id, tag and body are CouponKit's own (<see cref="CouponEvents"/>); the RocketMQ adapter carries them as the
/// user properties <c>CK_MESSAGE_ID</c>, <c>CK_KEY</c>, <c>CK_CREATED_AT</c>, the tag and the body.
/// </remarks>
/// <typeparam name="TContext">The shop's context, with <c>ApplyCouponKit()</c> in its model.</typeparam>
internal sealed class EfCoreTransactionCheckResolver<TContext> : ITransactionCheckResolver
    where TContext : DbContext
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly IDbContextFactory<TContext> _factory;
    private readonly TimeProvider _time;
    private readonly EfCoreTransactionCheckOptions _options;
    private readonly ILogger _logger;

    public EfCoreTransactionCheckResolver(IDbContextFactory<TContext> factory, TimeProvider time, IOptions<EfCoreTransactionCheckOptions> options, ILogger<EfCoreTransactionCheckResolver<TContext>>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        _factory = factory;
        _time = time;
        _options = options.Value;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public async Task<TransactionOutcome> ResolveAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var context = await _factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            if (await CommittedAsync(context, message, cancellationToken).ConfigureAwait(false))
            {
                Log.TransactionCheckCommitted(_logger, message.MessageId, message.Tag);
                return TransactionOutcome.Committed;
            }
        }

        var age = _time.GetUtcNow() - message.CreatedAt;
        if (age >= _options.GracePeriod)
        {
            Log.TransactionCheckRolledBack(_logger, message.MessageId, message.Tag, age);
            return TransactionOutcome.RolledBack;
        }

        Log.TransactionCheckPending(_logger, message.MessageId, message.Tag, age);
        return TransactionOutcome.Unknown;
    }

    private static async Task<bool> CommittedAsync(TContext db, OutboxMessage message, CancellationToken cancellationToken)
    {
        var messageId = message.MessageId;
        if (await db.Set<OutboxRow>().AsNoTracking().AnyAsync(o => o.MessageId == messageId, cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        if (!string.Equals(message.Topic, CouponTopics.Coupon, StringComparison.Ordinal))
        {
            return false;
        }

        switch (message.Tag)
        {
            case CouponTopics.Issued when TryRead<CouponEvents.CouponIssued>(message, out var issued)
                && !string.IsNullOrEmpty(issued.ClaimKey) && !string.IsNullOrEmpty(issued.CouponId):
                var claimKey = issued.ClaimKey;
                var couponId = issued.CouponId;
                return await db.Set<CouponRow>().AsNoTracking()
                    .AnyAsync(c => c.ClaimKey == claimKey && c.CouponId == couponId, cancellationToken)
                    .ConfigureAwait(false);
            case CouponTopics.Locked:
                return await OperationsExistAsync(db, message, TccPhase.Try, cancellationToken).ConfigureAwait(false);
            case CouponTopics.Confirmed:
                return await OperationsExistAsync(db, message, TccPhase.Confirm, cancellationToken).ConfigureAwait(false);
            case CouponTopics.Released:
                return await OperationsExistAsync(db, message, TccPhase.Cancel, cancellationToken).ConfigureAwait(false);
            default:
                return false;
        }
    }

    private static async Task<bool> OperationsExistAsync(TContext db, OutboxMessage message, TccPhase phase, CancellationToken cancellationToken)
    {
        if (!TryRead<CouponEvents.OrderCoupons>(message, out var order) || string.IsNullOrEmpty(order.OrderId))
        {
            return false;
        }

        var orderId = order.OrderId;
        var wanted = (order.CouponIds ?? []).Distinct(StringComparer.Ordinal).ToList();
        if (wanted.Count == 0)
        {
            wanted.Add(OperationRecord.OrderWide);
        }

        var phaseValue = (int)phase;
        var found = await db.Set<OperationRow>().AsNoTracking()
            .Where(o => o.OrderId == orderId && o.Phase == phaseValue && o.Origin == phaseValue && wanted.Contains(o.CouponId))
            .Select(o => o.CouponId)
            .Distinct()
            .CountAsync(cancellationToken)
            .ConfigureAwait(false);
        return found == wanted.Count;
    }

    private static bool TryRead<T>(OutboxMessage message, out T body)
        where T : class
    {
        try
        {
            body = JsonSerializer.Deserialize<T>(message.Body, Json)!;
            return body is not null;
        }
        catch (JsonException)
        {
            body = null!;
            return false;
        }
    }
}
