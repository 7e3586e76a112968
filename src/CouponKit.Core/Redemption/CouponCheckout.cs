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
/// </summary>
public sealed class CouponCheckout
{
    private readonly ICouponStore _coupons;
    private readonly ITemplateStore _templates;
    private readonly QuoteEngine _engine;
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

    /// <summary>Finds the best combination of the named coupons (or of all the user's available coupons) for the cart.</summary>
    /// <param name="cart">The cart; its <see cref="Cart.UserId"/> is the user whose coupons may be used.</param>
    /// <param name="couponIds">
    /// The coupons to consider: distinct, at most <see cref="QuoteOptions.MaxCoupons"/>; <see langword="null"/> for the user's
    /// available coupons (those ending first, up to <see cref="QuoteOptions.MaxCoupons"/>).
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
            var available = held.Where(c => c.State == CouponState.Available && string.Equals(c.UserId, cart.UserId, StringComparison.Ordinal))
                .OrderBy(c => c.ValidUntil)
                .ThenBy(c => c.CouponId, StringComparer.Ordinal)
                .Take(_engine.Options.MaxCoupons)
                .ToList();
            coupons = await ToCouponsAsync(available, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var (loaded, refusal) = await LoadAsync(cart, couponIds, _engine.Options.MaxCoupons, SecurityReasons.OperationQuote, cancellationToken).ConfigureAwait(false);
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
        var (loaded, refusal) = await LoadAsync(cart, couponIds, _engine.Options.MaxStackingDepth, SecurityReasons.OperationValidate, cancellationToken).ConfigureAwait(false);
        return refusal is not null
            ? new CheckoutResult<CouponValidation>(null, refusal)
            : new CheckoutResult<CouponValidation>(_engine.Validate(cart, loaded!), null);
    }

    private async Task<(List<Coupon>? Coupons, CouponAccessRefusal? Refusal)> LoadAsync(Cart cart, IReadOnlyList<string> couponIds, int max, string operation, CancellationToken cancellationToken)
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
            else if (coupon.State != CouponState.Available)
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

        return (await ToCouponsAsync(issued, cancellationToken).ConfigureAwait(false), null);
    }

    private async Task<List<Coupon>> ToCouponsAsync(List<IssuedCoupon> issued, CancellationToken cancellationToken)
    {
        var templates = new Dictionary<string, CouponTemplate>(StringComparer.Ordinal);
        var pairs = new List<(IssuedCoupon, CouponTemplate)>(issued.Count);
        foreach (var coupon in issued)
        {
            if (!templates.TryGetValue(coupon.TemplateId, out var template))
            {
                template = await _templates.FindAsync(coupon.TemplateId, cancellationToken).ConfigureAwait(false)
                    ?? throw new TemplateNotFoundException(coupon.TemplateId);
                templates.Add(coupon.TemplateId, template);
            }

            pairs.Add((coupon, template));
        }

        if (_eligibility is not null)
        {
            return await _eligibility.ToCouponsAsync(pairs, cancellationToken).ConfigureAwait(false);
        }

        var coupons = new List<Coupon>(issued.Count);
        foreach (var (coupon, template) in pairs)
        {
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
