namespace CouponKit;

/// <summary>
/// A user's cart at a moment in time: the lines, the shipping fee and the currency they are priced in.
/// </summary>
/// <remarks>Carts are immutable and validated when created: a cart that exists is valid input for a quote.</remarks>
public sealed class Cart
{
    private readonly string? _shopId;

    /// <summary>Initializes a new instance of the <see cref="Cart"/> class.</summary>
    /// <param name="userId">The user whose cart it is.</param>
    /// <param name="lines">The lines: at least one, with unique line ids, all priced in the cart's currency.</param>
    /// <param name="shippingFee">The shipping fee: not negative, in the cart's currency.</param>
    /// <param name="at">The moment the cart is priced at; coupon validity windows are checked against it.</param>
    /// <exception cref="InvalidCartException">A value is not valid.</exception>
    /// <exception cref="CurrencyMismatchException">A line or the shipping fee is in another currency than the first line.</exception>
    /// <exception cref="MoneyOutOfRangeException">The cart's total exceeds <see cref="Money.MaxAmount"/>.</exception>
    public Cart(string userId, IEnumerable<CartLine> lines, Money shippingFee, DateTimeOffset at)
    {
        UserId = CartLine.RequireIdentifier(userId, "userId");
        ArgumentNullException.ThrowIfNull(lines);
        var list = lines.ToArray();
        if (list.Length == 0)
        {
            throw new InvalidCartException("lines", "a cart needs at least one line.");
        }

        var currency = list[0]?.UnitPrice.Currency ?? throw new InvalidCartException("lines[0]", "a line is null.");
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var subtotal = Money.Zero(currency);
        for (var i = 0; i < list.Length; i++)
        {
            var line = list[i] ?? throw new InvalidCartException($"lines[{i}]", "a line is null.");
            if (line.UnitPrice.Currency != currency)
            {
                throw new CurrencyMismatchException(currency, line.UnitPrice.Currency, $"cart line '{line.LineId}'");
            }

            if (!ids.Add(line.LineId))
            {
                throw new InvalidCartException($"lines[{i}].lineId", $"line id '{line.LineId}' appears more than once.");
            }

            subtotal += line.Total;
        }

        if (shippingFee.Currency != currency)
        {
            throw new CurrencyMismatchException(currency, shippingFee.Currency, "shipping fee");
        }

        if (shippingFee.IsNegative || !shippingFee.IsWholeMinorUnits)
        {
            throw new InvalidCartException("shippingFee", $"the shipping fee {shippingFee} must be zero or more, in whole minor units.");
        }

        _ = subtotal + shippingFee; // range check of the whole cart
        UserId = userId;
        Lines = list;
        Currency = currency;
        ShippingFee = shippingFee;
        Subtotal = subtotal;
        At = at;
    }

    /// <summary>Gets the user whose cart it is.</summary>
    public string UserId { get; }

    /// <summary>
    /// Gets the shop (merchant) the order is placed with: <see cref="Redemption.CouponCheckout"/> then accepts only coupons of that
    /// merchant's templates and of platform templates (<see cref="Security.CouponOwner.Platform"/>), and refuses the others as
    /// <see cref="Security.CouponAccessReason.NotAcceptedByShop"/>. <see langword="null"/> for a host with one shop, where
    /// every coupon is accepted.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (no shop check).</value>
    /// <exception cref="ArgumentException">The id is not a valid owner id (1 to 128 characters, not blank, not starting with <c>@</c> unless it is the platform).</exception>
    public string? ShopId
    {
        get => _shopId;
        init => _shopId = value is null ? null : Security.CouponOwner.Require(value, nameof(ShopId));
    }

    /// <summary>Gets the lines, in the order given.</summary>
    public IReadOnlyList<CartLine> Lines { get; }

    /// <summary>Gets the currency every amount of the cart is in.</summary>
    public Currency Currency { get; }

    /// <summary>Gets the shipping fee.</summary>
    public Money ShippingFee { get; }

    /// <summary>Gets the sum of the line totals, before any discount.</summary>
    public Money Subtotal { get; }

    /// <summary>Gets the moment the cart is priced at.</summary>
    public DateTimeOffset At { get; }
}
