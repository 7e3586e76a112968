using System.Diagnostics.Metrics;
using CouponKit.Issuance;
using CouponKit.Ports;
using CouponKit.Rules;
using CouponKit.Security;
using CouponKit.Telemetry;

namespace CouponKit.Redemption;

/// <summary>
/// Quotes and validates a user's cart against coupons named by id, loaded from the stores: the entry point for shops that take
/// coupon ids from the shopper. Every id is checked before any pricing: it must be a coupon held by the cart's user and
/// available. A foreign or unknown id gets one refusal (<see cref="CouponAccessReason.NotFound"/>, the same message), the
/// user's own used, expired or locked coupon <see cref="CouponAccessReason.NotAvailable"/>; nothing is priced, nothing changes,
/// and the refusal is counted in <c>couponkit.security.refusals</c>.
/// <para>
/// The order's shop must accept the coupon: when the cart names its shop (<see cref="Cart.ShopId"/>), a coupon of another
/// merchant's template is refused as <see cref="CouponAccessReason.NotAcceptedByShop"/> (counted with reason
/// <c>coupon_wrong_shop</c>); platform templates are accepted by every shop. A cart without a shop accepts every coupon.
/// </para>
/// </summary>
public sealed class CouponCheckout
{
    private readonly ICouponStore _coupons;
    private readonly ITemplateStore _templates;
    private readonly QuoteEngine _engine;
    private readonly CouponRedemptions? _redemptions;
    private readonly CouponKitMetrics _metrics;
    private readonly OrderEligibility? _eligibility;

    /// <summary>Initializes a new instance of the <see cref="CouponCheckout"/> class.</summary>
    /// <param name="coupons">The coupon store.</param>
    /// <param name="templates">The template store.</param>
    /// <param name="engine">The rule engine; its <see cref="QuoteEngine.Options"/> bound the work.</param>
    /// <param name="meterFactory">Creates the <c>CouponKit</c> meter; <see langword="null"/> for a process-wide one.</param>
    public CouponCheckout(ICouponStore coupons, ITemplateStore templates, QuoteEngine engine, IMeterFactory? meterFactory = null)
    {
        _coupons = coupons ?? throw new ArgumentNullException(nameof(coupons));
        _templates = templates ?? throw new ArgumentNullException(nameof(templates));
        _engine = engine ?? throw new ArgumentNullException(nameof(engine));
        _metrics = CouponKitMetrics.For(meterFactory);
    }

    /// <summary>Initializes a new instance of the <see cref="CouponCheckout"/> class that can also lock (<see cref="LockAsync"/>).</summary>
    /// <param name="coupons">The coupon store.</param>
    /// <param name="templates">The template store.</param>
    /// <param name="engine">The rule engine; its <see cref="QuoteEngine.Options"/> bound the work.</param>
    /// <param name="redemptions">The TCC steps, for <see cref="LockAsync"/>.</param>
    /// <param name="meterFactory">Creates the <c>CouponKit</c> meter; <see langword="null"/> for a process-wide one.</param>
    public CouponCheckout(ICouponStore coupons, ITemplateStore templates, QuoteEngine engine, CouponRedemptions redemptions, IMeterFactory? meterFactory = null)
        : this(coupons, templates, engine, meterFactory)
    {
        _redemptions = redemptions ?? throw new ArgumentNullException(nameof(redemptions));
    }

    /// <summary>
    /// Initializes a new instance of the <see cref="CouponCheckout"/> class that also tells, from the user's order history, why
    /// a first-order-only coupon (<see cref="RejectionCode.NotFirstOrder"/>) or a once-per-product coupon
    /// (<see cref="RejectionCode.ProductAlreadyDiscounted"/>) does not apply.
    /// </summary>
    /// <param name="coupons">The coupon store.</param>
    /// <param name="templates">The template store.</param>
    /// <param name="engine">The rule engine; its <see cref="QuoteEngine.Options"/> bound the work.</param>
    /// <param name="orderHistory">The users' paid orders.</param>
    /// <param name="productHistory">The products each template discounted per user.</param>
    /// <param name="meterFactory">Creates the <c>CouponKit</c> meter; <see langword="null"/> for a process-wide one.</param>
    public CouponCheckout(ICouponStore coupons, ITemplateStore templates, QuoteEngine engine, IOrderHistory orderHistory, IProductDiscountHistory productHistory, IMeterFactory? meterFactory = null)
        : this(coupons, templates, engine, meterFactory)
    {
        _eligibility = new OrderEligibility(orderHistory ?? throw new ArgumentNullException(nameof(orderHistory)), productHistory ?? throw new ArgumentNullException(nameof(productHistory)));
    }

    /// <summary>
    /// Initializes a new instance of the <see cref="CouponCheckout"/> class that locks (<see cref="LockAsync"/>) and tells from the
    /// user's order history why a first-order-only or once-per-product coupon does not apply. Dependency injection uses this one.
    /// </summary>
    /// <param name="coupons">The coupon store.</param>
    /// <param name="templates">The template store.</param>
    /// <param name="engine">The rule engine; its <see cref="QuoteEngine.Options"/> bound the work.</param>
    /// <param name="redemptions">The TCC steps, for <see cref="LockAsync"/>.</param>
    /// <param name="orderHistory">The users' paid orders.</param>
    /// <param name="productHistory">The products each template discounted per user.</param>
    /// <param name="meterFactory">Creates the <c>CouponKit</c> meter; <see langword="null"/> for a process-wide one.</param>
    public CouponCheckout(ICouponStore coupons, ITemplateStore templates, QuoteEngine engine, CouponRedemptions redemptions, IOrderHistory orderHistory, IProductDiscountHistory productHistory, IMeterFactory? meterFactory = null)
        : this(coupons, templates, engine, orderHistory, productHistory, meterFactory)
    {
        _redemptions = redemptions ?? throw new ArgumentNullException(nameof(redemptions));
    }

    /// <summary>Finds the best combination of the named coupons (or of all the user's available coupons) for the cart.</summary>
    /// <param name="cart">The cart; its <see cref="Cart.UserId"/> is the user whose coupons may be used.</param>
    /// <param name="couponIds">
    /// The coupons to consider: distinct, at most <see cref="QuoteOptions.MaxCoupons"/>; <see langword="null"/> for the user's
    /// available coupons (those ending first, up to <see cref="QuoteOptions.MaxCoupons"/>) that the cart's shop accepts.
    /// </param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The quote, or the refusal of the first id the user may not use.</returns>
    /// <exception cref="ArgumentException">An id is blank, too long or repeated, or there are too many.</exception>
    /// <exception cref="InvalidCartException">The cart exceeds the engine's limits.</exception>
    public async Task<CheckoutResult<Quote>> QuoteAsync(Cart cart, IReadOnlyList<string>? couponIds = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cart);
        _engine.Options.CheckCart(cart);
        List<Coupon> coupons;
        if (couponIds is null)
        {
            var held = await _coupons.ListByUserAsync(cart.UserId, cancellationToken).ConfigureAwait(false);
            var available = held.Where(c => c.State == CouponState.Available && string.Equals(c.UserId, cart.UserId, StringComparison.Ordinal)).ToList();
            var templates = await TemplatesOfAsync(available, cancellationToken).ConfigureAwait(false);
            var accepted = available.Where(c => Accepts(cart, templates[c.TemplateId]))
                .OrderBy(c => c.ValidUntil)
                .ThenBy(c => c.CouponId, StringComparer.Ordinal)
                .Take(_engine.Options.MaxCoupons)
                .ToList();
            coupons = await ToCouponsAsync(accepted, templates, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var (loaded, refusal) = await LoadAsync(cart, couponIds, _engine.Options.MaxCoupons, SecurityReasons.OperationQuote, null, cancellationToken).ConfigureAwait(false);
            if (refusal is not null)
            {
                return new CheckoutResult<Quote>(null, refusal);
            }

            coupons = loaded!;
        }

        return new CheckoutResult<Quote>(_engine.Quote(cart, coupons), null);
    }

    /// <summary>Checks the coupons the shopper chose, for checkout.</summary>
    /// <param name="cart">The cart; its <see cref="Cart.UserId"/> is the user whose coupons may be used.</param>
    /// <param name="couponIds">The chosen coupons: distinct, at most <see cref="QuoteOptions.MaxStackingDepth"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The validation, or the refusal of the first id the user may not use.</returns>
    /// <exception cref="ArgumentException">An id is blank, too long or repeated, or there are too many.</exception>
    /// <exception cref="InvalidCartException">The cart exceeds the engine's limits.</exception>
    public async Task<CheckoutResult<CouponValidation>> ValidateAsync(Cart cart, IReadOnlyList<string> couponIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cart);
        ArgumentNullException.ThrowIfNull(couponIds);
        _engine.Options.CheckCart(cart);
        var (loaded, refusal) = await LoadAsync(cart, couponIds, _engine.Options.MaxStackingDepth, SecurityReasons.OperationValidate, null, cancellationToken).ConfigureAwait(false);
        return refusal is not null
            ? new CheckoutResult<CouponValidation>(null, refusal)
            : new CheckoutResult<CouponValidation>(_engine.Validate(cart, loaded!), null);
    }

    /// <summary>
    /// TCC Try for the cart's order: checks every coupon id as <see cref="ValidateAsync"/> does (the cart's user holds it, it is
    /// available or already locked by this order, and the cart's shop accepts it), then locks them all or none with
    /// <see cref="CouponRedemptions.LockAsync(string, Cart, IReadOnlyList{string}, CancellationToken)"/> (which also checks first-order-only
    /// and once-per-product coupons against the order history). It does not check the discount rules; call <see cref="ValidateAsync"/> first.
    /// </summary>
    /// <param name="cart">The order's cart: its user owns the order, its shop must accept the coupons.</param>
    /// <param name="orderId">The order.</param>
    /// <param name="couponIds">The coupons: 1 to <see cref="CouponRedemptions.MaxCouponsPerOrder"/>, distinct.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The Try's result, or the refusal of the first id the user may not use here (nothing is locked then).</returns>
    /// <exception cref="ArgumentException">An id is blank, too long or repeated, or there are none or too many.</exception>
    /// <exception cref="InvalidOperationException">The instance was created without <see cref="CouponRedemptions"/>.</exception>
    public async Task<CheckoutResult<RedemptionResult>> LockAsync(Cart cart, string orderId, IReadOnlyList<string> couponIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cart);
        ArgumentNullException.ThrowIfNull(couponIds);
        var redemptions = _redemptions ?? throw new InvalidOperationException("This CouponCheckout was created without CouponRedemptions; it cannot lock.");
        Guard.Identifier(orderId, nameof(orderId));
        if (couponIds.Count == 0)
        {
            throw new ArgumentException("An order locks at least one coupon.", nameof(couponIds));
        }

        var (_, refusal) = await LoadAsync(cart, couponIds, CouponRedemptions.MaxCouponsPerOrder, SecurityReasons.OperationLock, orderId, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return new CheckoutResult<RedemptionResult>(null, refusal);
        }

        // Holder and template of a coupon never change, so what was checked still holds; the store checks the rest atomically.
        return new CheckoutResult<RedemptionResult>(await redemptions.LockAsync(orderId, cart, couponIds, cancellationToken).ConfigureAwait(false), null);
    }

    private static bool Accepts(Cart cart, CouponTemplate template) =>
        cart.ShopId is null
        || string.Equals(template.OwnerId, CouponOwner.Platform, StringComparison.Ordinal)
        || string.Equals(template.OwnerId, cart.ShopId, StringComparison.Ordinal);

    private async Task<(List<Coupon>? Coupons, CouponAccessRefusal? Refusal)> LoadAsync(Cart cart, IReadOnlyList<string> couponIds, int max, string operation, string? lockingOrderId, CancellationToken cancellationToken)
    {
        if (couponIds.Count > max)
        {
            _metrics.SecurityRefusal(SecurityReasons.LimitExceeded, operation);
            throw new ArgumentException($"At most {max} coupon ids are accepted here, got {couponIds.Count}.", nameof(couponIds));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in couponIds)
        {
            if (!seen.Add(Guard.Identifier(id, nameof(couponIds))))
            {
                throw new ArgumentException("The same coupon id appears twice.", nameof(couponIds));
            }
        }

        var issued = new List<IssuedCoupon>(couponIds.Count);
        foreach (var id in couponIds)
        {
            var coupon = await _coupons.FindAsync(id, cancellationToken).ConfigureAwait(false);
            CouponAccessRefusal? refusal = null;
            if (coupon is null || !string.Equals(coupon.UserId, cart.UserId, StringComparison.Ordinal))
            {
                refusal = CouponAccessRefusal.NotFound(id);
            }
            else if (coupon.State != CouponState.Available
                && !(lockingOrderId is not null && coupon.State == CouponState.Locked && string.Equals(coupon.OrderId, lockingOrderId, StringComparison.Ordinal)))
            {
                refusal = CouponAccessRefusal.NotAvailable(id);
            }

            if (refusal is not null)
            {
                _metrics.SecurityRefusal(refusal.Reason == CouponAccessReason.NotFound ? SecurityReasons.CouponNotFound : SecurityReasons.CouponNotAvailable, operation);
                return (null, refusal);
            }

            issued.Add(coupon!);
        }

        var templates = await TemplatesOfAsync(issued, cancellationToken).ConfigureAwait(false);
        foreach (var coupon in issued)
        {
            if (!Accepts(cart, templates[coupon.TemplateId]))
            {
                _metrics.SecurityRefusal(SecurityReasons.CouponWrongShop, operation);
                return (null, CouponAccessRefusal.NotAcceptedByShop(coupon.CouponId));
            }
        }

        return (await ToCouponsAsync(issued, templates, cancellationToken).ConfigureAwait(false), null);
    }

    private async Task<Dictionary<string, CouponTemplate>> TemplatesOfAsync(List<IssuedCoupon> issued, CancellationToken cancellationToken)
    {
        var templates = new Dictionary<string, CouponTemplate>(StringComparer.Ordinal);
        foreach (var coupon in issued)
        {
            if (!templates.ContainsKey(coupon.TemplateId))
            {
                templates.Add(coupon.TemplateId, await _templates.FindAsync(coupon.TemplateId, cancellationToken).ConfigureAwait(false)
                    ?? throw new TemplateNotFoundException(coupon.TemplateId));
            }
        }

        return templates;
    }

    private async Task<List<Coupon>> ToCouponsAsync(List<IssuedCoupon> issued, Dictionary<string, CouponTemplate> templates, CancellationToken cancellationToken)
    {
        if (_eligibility is not null)
        {
            var pairs = issued.ConvertAll(coupon => (coupon, templates[coupon.TemplateId]));
            return await _eligibility.ToCouponsAsync(pairs, cancellationToken).ConfigureAwait(false);
        }

        var coupons = new List<Coupon>(issued.Count);
        foreach (var coupon in issued)
        {
            var template = templates[coupon.TemplateId];
            var ruleCoupon = template.ToCoupon(coupon);
            ruleCoupon.BindHolder(coupon.UserId);
            coupons.Add(ruleCoupon);
        }

        return coupons;
    }
}

/// <summary>The answer of <see cref="CouponCheckout"/>: the value asked for, or the refusal of a coupon id.</summary>
/// <typeparam name="T">The value: a <see cref="Quote"/> or a <see cref="CouponValidation"/>.</typeparam>
public sealed class CheckoutResult<T>
    where T : class
{
    internal CheckoutResult(T? value, CouponAccessRefusal? refusal)
    {
        Value = value;
        Refusal = refusal;
    }

    /// <summary>Gets a value indicating whether every coupon id was the user's and available, so that <see cref="Value"/> is set.</summary>
    public bool Succeeded => Refusal is null;

    /// <summary>Gets the quote or validation; <see langword="null"/> when refused.</summary>
    public T? Value { get; }

    /// <summary>Gets the refusal of the first coupon id the user may not use; <see langword="null"/> when none was refused.</summary>
    public CouponAccessRefusal? Refusal { get; }
}
