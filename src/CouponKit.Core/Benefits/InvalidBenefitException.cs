namespace CouponKit.Benefits;

/// <summary>What is wrong with a benefit definition.</summary>
public enum BenefitError
{
    /// <summary>A required part is missing.</summary>
    Missing,

    /// <summary>An amount is zero or negative.</summary>
    AmountNotPositive,

    /// <summary>An amount has fractions of the currency's minor unit.</summary>
    NotWholeMinorUnits,

    /// <summary>Amounts of one benefit are in different currencies.</summary>
    CurrencyMismatch,

    /// <summary>A range's minimum is above its maximum.</summary>
    RangeInverted,

    /// <summary>A range holds too many values.</summary>
    RangeTooWide,

    /// <summary>A weight is negative, or the weights do not sum to a positive total.</summary>
    WeightsNotPositive,

    /// <summary>A split red envelope's total is smaller than one minor unit per share.</summary>
    TotalTooSmall,

    /// <summary>A split red envelope has more shares than allowed.</summary>
    TooManyShares,

    /// <summary>The credit timing is unknown.</summary>
    UnknownTiming,

    /// <summary>A change would alter a split red envelope's shares, which are fixed when the template is created.</summary>
    SharesFixed,
}

/// <summary>Thrown when a benefit definition is not valid input; nothing is created or changed.</summary>
public sealed class InvalidBenefitException : CouponKitException
{
    /// <summary>Initializes a new instance of the <see cref="InvalidBenefitException"/> class.</summary>
    /// <param name="error">What is wrong.</param>
    /// <param name="field">The field that is wrong.</param>
    /// <param name="message">What is wrong, in words.</param>
    public InvalidBenefitException(BenefitError error, string field, string message)
        : base("invalid_benefit", $"Invalid benefit ({field}): {message}")
    {
        Error = error;
        Field = field;
    }

    /// <summary>Gets what is wrong.</summary>
    public BenefitError Error { get; }

    /// <summary>Gets the field that is wrong.</summary>
    public string Field { get; }
}

/// <summary>Thrown when a benefit cannot be issued with the configured ports (for example a split red envelope through a store that does not assign issue sequences); nothing is issued.</summary>
public sealed class BenefitNotSupportedException : CouponKitException
{
    /// <summary>Initializes a new instance of the <see cref="BenefitNotSupportedException"/> class.</summary>
    /// <param name="templateId">The template.</param>
    /// <param name="kind">The benefit kind.</param>
    /// <param name="message">What is missing.</param>
    public BenefitNotSupportedException(string templateId, BenefitKind kind, string message)
        : base("benefit_not_supported", $"Template '{templateId}' issues {kind}, which cannot be issued here: {message}")
    {
        TemplateId = templateId;
        Kind = kind;
    }

    /// <summary>Gets the template.</summary>
    public string TemplateId { get; }

    /// <summary>Gets the benefit kind.</summary>
    public BenefitKind Kind { get; }
}
