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
/// Redemption of coupons against orders as Try-Confirm-Cancel:
/// <see cref="LockAsync(string, string, IReadOnlyList{string}, CancellationToken)"/> at order creation, <see cref="ConfirmAsync"/> at payment, <see cref="ReleaseAsync"/> when the order fails. Every step is idempotent and safe
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
    private readonly ICouponStore? _coupons;
    private readonly ITemplateStore? _templates;
    private readonly OrderEligibility? _eligibility;

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

    /// <summary>
    /// Initializes a new instance of the <see cref="CouponRedemptions"/> class that also checks order eligibility at Try:
    /// first-order-only coupons (<see cref="IOrderHistory"/>) and once-per-product coupons (<see cref="IProductDiscountHistory"/>).
    /// </summary>
    /// <param name="store">The redemption store.</param>
    /// <param name="coupons">The coupon store, to find the coupons' templates.</param>
    /// <param name="templates">The template store.</param>
    /// <param name="orderHistory">The users' paid orders.</param>
    /// <param name="productHistory">The products each template discounted per user.</param>
    /// <param name="time">The clock.</param>
    /// <param name="options">The options.</param>
    /// <param name="meterFactory">Creates the <c>CouponKit</c> meter; <see langword="null"/> for a process-wide one.</param>
    /// <param name="logger">The logger.</param>
    public CouponRedemptions(IRedemptionStore store, ICouponStore coupons, ITemplateStore templates, IOrderHistory orderHistory, IProductDiscountHistory productHistory, TimeProvider time, IOptions<CouponKitOptions> options, IMeterFactory? meterFactory = null, ILogger<CouponRedemptions>? logger = null)
        : this(store, time, options, meterFactory, logger)
    {
        _coupons = coupons ?? throw new ArgumentNullException(nameof(coupons));
        _templates = templates ?? throw new ArgumentNullException(nameof(templates));
        _eligibility = new OrderEligibility(orderHistory ?? throw new ArgumentNullException(nameof(orderHistory)), productHistory ?? throw new ArgumentNullException(nameof(productHistory)));
    }

    /// <summary>
    /// Try: locks coupons for an unpaid order, all or none, with the order's cart: a coupon that applies once per product takes
    /// the products of its scope in the cart for the order (refused as <see cref="RedemptionRefusal.ProductAlreadyDiscounted"/>
    /// when one already had the discount), and a first-order-only coupon is refused as <see cref="RedemptionRefusal.NotFirstOrder"/>
    /// for a user with a paid order. A refusal changes nothing.
    /// </summary>
    /// <param name="orderId">The order.</param>
    /// <param name="cart">The order's cart; its <see cref="Cart.UserId"/> owns the order and the coupons.</param>
    /// <param name="couponIds">The coupons: 1 to <see cref="MaxCouponsPerOrder"/>, distinct.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The result: locked, already locked, or refused with a reason.</returns>
    /// <exception cref="ArgumentException">An argument is malformed.</exception>
    public Task<RedemptionResult> LockAsync(string orderId, Cart cart, IReadOnlyList<string> couponIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cart);
        return LockCoreAsync(orderId, cart.UserId, couponIds, cart, cancellationToken);
    }

    /// <summary>Try: locks coupons for an unpaid order, all or none.</summary>
    /// <param name="orderId">The order.</param>
    /// <param name="userId">The user who owns the order and the coupons.</param>
    /// <param name="couponIds">The coupons: 1 to <see cref="MaxCouponsPerOrder"/>, distinct.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The result: locked, already locked, or refused with a reason.</returns>
    /// <exception cref="ArgumentException">An argument is malformed.</exception>
    /// <remarks>A coupon that applies once per product is refused here (<see cref="RedemptionRefusal.CartRequired"/>): lock it with the cart.</remarks>
    public Task<RedemptionResult> LockAsync(string orderId, string userId, IReadOnlyList<string> couponIds, CancellationToken cancellationToken = default) =>
        LockCoreAsync(orderId, userId, couponIds, null, cancellationToken);

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
    public async Task<RedemptionResult> ReleaseAsync(string orderId, string userId, IReadOnlyList<string>? couponIds = null, string reason = "cancelled", CancellationToken cancellationToken = default)
    {
        var ids = CouponIds(couponIds ?? [], required: false);
        var result = await ExecuteAsync(new RedemptionCommand(TccPhase.Cancel, Guard.Identifier(orderId, nameof(orderId)), Guard.Identifier(userId, nameof(userId)), ids, _time.GetUtcNow(), null, reason), cancellationToken).ConfigureAwait(false);
        if (_eligibility is not null && result.Succeeded)
        {
            // The order is released (now or before): the products it took for once-per-product coupons are given back.
            await _eligibility.ReleaseAsync(userId, orderId).ConfigureAwait(false);
        }

        return result;
    }

    private async Task<RedemptionResult> LockCoreAsync(string orderId, string userId, IReadOnlyList<string> couponIds, Cart? cart, CancellationToken cancellationToken)
    {
        var ids = CouponIds(couponIds, required: true);
        Guard.Identifier(orderId, nameof(orderId));
        Guard.Identifier(userId, nameof(userId));
        var now = _time.GetUtcNow();
        var command = new RedemptionCommand(TccPhase.Try, orderId, userId, ids, now, now + _options.LockTimeout);
        if (_eligibility is null)
        {
            return await ExecuteAsync(command, cancellationToken).ConfigureAwait(false);
        }

        // Only the user's own coupons are looked at: a foreign or unknown id is left to the store's refusal, which tells nothing.
        var restricted = new List<(Issuance.IssuedCoupon, Issuance.CouponTemplate)>();
        foreach (var id in ids)
        {
            var coupon = await _coupons!.FindAsync(id, cancellationToken).ConfigureAwait(false);
            if (coupon is null || !string.Equals(coupon.UserId, userId, StringComparison.Ordinal))
            {
                continue;
            }

            var template = await _templates!.FindAsync(coupon.TemplateId, cancellationToken).ConfigureAwait(false);
            if (template is { FirstOrderOnly: true } or { OncePerProduct: true })
            {
                restricted.Add((coupon, template));
            }
        }

        if (restricted.Count > 0 && await _eligibility.CheckTryAsync(orderId, userId, cart, restricted, cancellationToken).ConfigureAwait(false) is { } refusal)
        {
            Log.RedemptionRefused(_logger, nameof(TccPhase.Try), orderId, refusal.Refusal.ToString());
            _metrics.RedemptionStep(TccPhase.Try, refusal, TimeSpan.Zero);
            return refusal;
        }

        // A Try that fails with an exception may have committed: its products stay taken until the order is released.
        var result = await ExecuteAsync(command, cancellationToken).ConfigureAwait(false);

        if (result.Status == RedemptionStatus.Refused && result.Refusal != RedemptionRefusal.DifferentCoupons && restricted.Any(r => r.Item2.OncePerProduct))
        {
            // The order locked nothing: give back the products taken for it (an order that locked other coupons keeps its own).
            await _eligibility.ReleaseAsync(userId, orderId).ConfigureAwait(false);
        }

        return result;
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
