using System.Diagnostics;
using System.Diagnostics.Metrics;
using CouponKit.Ports;
using CouponKit.Security;
using CouponKit.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CouponKit.Redemption;

/// <summary>
/// Redemption of coupons against orders as Try-Confirm-Cancel: <see cref="LockAsync"/> at order creation,
/// <see cref="ConfirmAsync"/> at payment, <see cref="ReleaseAsync"/> when the order fails. Every step is idempotent and safe
/// against reordering (a Cancel before its Try leaves a barrier that refuses the late Try). Every step checks ownership: the
/// coupons must be held by the user, and the order must be the user's; a foreign or unknown coupon id is refused alike
/// (<see cref="RedemptionRefusal.CouponNotFound"/>), a foreign order as <see cref="RedemptionRefusal.OrderNotFound"/>, nothing
/// changes, and the refusal is counted in <c>couponkit.security.refusals</c>. A lock not confirmed within
/// <see cref="CouponKitOptions.LockTimeout"/> is released by a delayed <see cref="Messaging.CouponTopics.LockTimeout"/> message.
/// </summary>
public sealed class CouponRedemptions
{
    /// <summary>The most coupons one order may lock.</summary>
    public const int MaxCouponsPerOrder = 50;

    private readonly IRedemptionStore _store;
    private readonly TimeProvider _time;
    private readonly CouponKitOptions _options;
    private readonly CouponKitMetrics _metrics;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="CouponRedemptions"/> class.</summary>
    /// <param name="store">The redemption store.</param>
    /// <param name="time">The clock.</param>
    /// <param name="options">The options.</param>
    /// <param name="meterFactory">Creates the <c>CouponKit</c> meter; <see langword="null"/> for a process-wide one.</param>
    /// <param name="logger">The logger.</param>
    public CouponRedemptions(IRedemptionStore store, TimeProvider time, IOptions<CouponKitOptions> options, IMeterFactory? meterFactory = null, ILogger<CouponRedemptions>? logger = null)
    {
        _metrics = CouponKitMetrics.For(meterFactory);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Value;
    }

    /// <summary>Try: locks coupons for an unpaid order, all or none.</summary>
    /// <param name="orderId">The order.</param>
    /// <param name="userId">The user who owns the order and the coupons.</param>
    /// <param name="couponIds">The coupons: 1 to <see cref="MaxCouponsPerOrder"/>, distinct.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The result: locked, already locked, or refused with a reason.</returns>
    /// <exception cref="ArgumentException">An argument is malformed.</exception>
    public Task<RedemptionResult> LockAsync(string orderId, string userId, IReadOnlyList<string> couponIds, CancellationToken cancellationToken = default)
    {
        var ids = CouponIds(couponIds, required: true);
        var now = _time.GetUtcNow();
        return ExecuteAsync(new RedemptionCommand(TccPhase.Try, Guard.Identifier(orderId, nameof(orderId)), Guard.Identifier(userId, nameof(userId)), ids, now, now + _options.LockTimeout), cancellationToken);
    }

    /// <summary>Confirm: the order is paid; its locked coupons become used.</summary>
    /// <param name="orderId">The order.</param>
    /// <param name="userId">The user who owns the order.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The result: confirmed, already confirmed, or refused (cancelled before, or nothing locked).</returns>
    /// <exception cref="ArgumentException">An argument is malformed.</exception>
    public Task<RedemptionResult> ConfirmAsync(string orderId, string userId, CancellationToken cancellationToken = default) =>
        ExecuteAsync(new RedemptionCommand(TccPhase.Confirm, Guard.Identifier(orderId, nameof(orderId)), Guard.Identifier(userId, nameof(userId)), [], _time.GetUtcNow()), cancellationToken);

    /// <summary>Cancel: the order failed, was cancelled or timed out; its coupons are released.</summary>
    /// <param name="orderId">The order.</param>
    /// <param name="userId">The user who owns the order.</param>
    /// <param name="couponIds">The coupons the order meant to lock, so that a Try arriving after this Cancel is refused; empty for those it locked.</param>
    /// <param name="reason">Why, for the audit trail.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The result: released, already released, or refused (the order was paid).</returns>
    /// <exception cref="ArgumentException">An argument is malformed.</exception>
    public Task<RedemptionResult> ReleaseAsync(string orderId, string userId, IReadOnlyList<string>? couponIds = null, string reason = "cancelled", CancellationToken cancellationToken = default)
    {
        var ids = CouponIds(couponIds ?? [], required: false);
        return ExecuteAsync(new RedemptionCommand(TccPhase.Cancel, Guard.Identifier(orderId, nameof(orderId)), Guard.Identifier(userId, nameof(userId)), ids, _time.GetUtcNow(), null, reason), cancellationToken);
    }

    private async Task<RedemptionResult> ExecuteAsync(RedemptionCommand command, CancellationToken cancellationToken)
    {
        using var activity = CouponKitMetrics.ActivitySource.StartActivity("couponkit.redemption." + command.Phase.ToString().ToLowerInvariant());
        var started = Stopwatch.GetTimestamp();
        var result = await _store.ExecuteAsync(command, cancellationToken).ConfigureAwait(false);
        _metrics.RedemptionStep(command.Phase, result, Stopwatch.GetElapsedTime(started));
        activity?.SetTag("couponkit.tcc.status", result.Status.ToString());
        if (result.Status == RedemptionStatus.Refused)
        {
            if (SecurityReason(result.Refusal) is { } reason)
            {
                _metrics.SecurityRefusal(reason, command.Phase switch
                {
                    TccPhase.Try => SecurityReasons.OperationLock,
                    TccPhase.Confirm => SecurityReasons.OperationConfirm,
                    _ => SecurityReasons.OperationCancel,
                });
            }

            Log.RedemptionRefused(_logger, command.Phase.ToString(), command.OrderId, result.Refusal.ToString());
        }
        else
        {
            Log.RedemptionStep(_logger, command.Phase.ToString(), command.OrderId, result.Status.ToString());
        }

        return result;
    }

    private static string? SecurityReason(RedemptionRefusal refusal) => refusal switch
    {
        RedemptionRefusal.CouponNotFound => SecurityReasons.CouponNotFound,
        RedemptionRefusal.CouponNotAvailable => SecurityReasons.CouponNotAvailable,
        RedemptionRefusal.OrderNotFound => SecurityReasons.OrderNotFound,
        _ => null,
    };

    private static string[] CouponIds(IReadOnlyList<string> couponIds, bool required)
    {
        ArgumentNullException.ThrowIfNull(couponIds);
        if ((required && couponIds.Count == 0) || couponIds.Count > MaxCouponsPerOrder)
        {
            throw new ArgumentException($"An order locks 1 to {MaxCouponsPerOrder} coupons, got {couponIds.Count}.", nameof(couponIds));
        }

        var ids = couponIds.Select(id => Guard.Identifier(id, nameof(couponIds))).ToArray();
        if (ids.Distinct(StringComparer.Ordinal).Count() != ids.Length)
        {
            throw new ArgumentException("The same coupon appears twice in one order.", nameof(couponIds));
        }

        return ids;
    }
}
