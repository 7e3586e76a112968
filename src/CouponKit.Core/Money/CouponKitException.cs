namespace CouponKit;

/// <summary>
/// The base of every exception CouponKit throws for bad input, bad configuration or a failed dependency.
/// Refusals that are part of normal business (sold out, below threshold, already claimed) are results, not exceptions.
/// </summary>
public abstract class CouponKitException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="CouponKitException"/> class.</summary>
    /// <param name="errorCode">A stable, machine-readable code for the error.</param>
    /// <param name="message">A message that says what is wrong and how to fix it.</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    protected CouponKitException(string errorCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
    }

    /// <summary>Gets a stable, machine-readable code for the error (for example <c>currency_mismatch</c>).</summary>
    public string ErrorCode { get; }
}

/// <summary>Thrown when amounts of two different currencies meet in one operation.</summary>
public sealed class CurrencyMismatchException : CouponKitException
{
    /// <summary>Initializes a new instance of the <see cref="CurrencyMismatchException"/> class.</summary>
    /// <param name="expected">The currency the operation works in.</param>
    /// <param name="actual">The currency that was given.</param>
    /// <param name="context">What was being done, for the message.</param>
    public CurrencyMismatchException(Currency expected, Currency actual, string? context = null)
        : base("currency_mismatch", $"Currency mismatch{(context is null ? string.Empty : " in " + context)}: expected {expected?.Code}, got {actual?.Code}. CouponKit never converts currencies.")
    {
        Expected = expected!;
        Actual = actual!;
    }

    /// <summary>Gets the currency the operation works in.</summary>
    public Currency Expected { get; }

    /// <summary>Gets the currency that was given.</summary>
    public Currency Actual { get; }
}

/// <summary>Thrown when a currency code is not a known ISO 4217 code.</summary>
public sealed class UnknownCurrencyException : CouponKitException
{
    /// <summary>Initializes a new instance of the <see cref="UnknownCurrencyException"/> class.</summary>
    /// <param name="code">The code that was given.</param>
    public UnknownCurrencyException(string code)
        : base("unknown_currency", $"'{Truncate(code)}' is not an ISO 4217 currency code known to CouponKit (expected three letters such as CNY, USD, EUR, JPY).")
    {
        Code = code;
    }

    /// <summary>Gets the code that was given.</summary>
    public string Code { get; }

    private static string Truncate(string value) => value is null ? "(null)" : value.Length <= 16 ? value : value[..16] + "…";
}

/// <summary>Thrown when an amount is outside the range CouponKit accepts, or has more digits than the currency's minor unit.</summary>
public sealed class MoneyOutOfRangeException : CouponKitException
{
    /// <summary>Initializes a new instance of the <see cref="MoneyOutOfRangeException"/> class.</summary>
    /// <param name="message">What is out of range.</param>
    public MoneyOutOfRangeException(string message)
        : base("money_out_of_range", message)
    {
    }
}

/// <summary>Thrown when a cart or one of its lines is not valid input (negative price, zero quantity, duplicate line id, ...).</summary>
public sealed class InvalidCartException : CouponKitException
{
    /// <summary>Initializes a new instance of the <see cref="InvalidCartException"/> class.</summary>
    /// <param name="field">The field that is wrong (for example <c>lines[2].quantity</c>).</param>
    /// <param name="message">What is wrong.</param>
    public InvalidCartException(string field, string message)
        : base("invalid_cart", $"Invalid cart ({field}): {message}")
    {
        Field = field;
    }

    /// <summary>Gets the field that is wrong.</summary>
    public string Field { get; }
}

/// <summary>Thrown when a coupon or its rule is not valid input (duplicate id, tiers out of order, percent above 100, ...).</summary>
public sealed class InvalidCouponException : CouponKitException
{
    /// <summary>Initializes a new instance of the <see cref="InvalidCouponException"/> class.</summary>
    /// <param name="couponId">The coupon that is wrong, when known.</param>
    /// <param name="message">What is wrong.</param>
    public InvalidCouponException(string? couponId, string message)
        : base("invalid_coupon", couponId is null ? $"Invalid coupon: {message}" : $"Invalid coupon '{couponId}': {message}")
    {
        CouponId = couponId;
    }

    /// <summary>Gets the coupon that is wrong, when known.</summary>
    public string? CouponId { get; }
}
