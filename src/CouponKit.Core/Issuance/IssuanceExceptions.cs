namespace CouponKit.Issuance;

/// <summary>Thrown when a template definition or change is not valid input (negative inventory, claim window ending before it starts, ...).</summary>
public sealed class InvalidTemplateException : CouponKitException
{
    /// <summary>Initializes a new instance of the <see cref="InvalidTemplateException"/> class.</summary>
    /// <param name="templateId">The template, when known.</param>
    /// <param name="field">The field that is wrong.</param>
    /// <param name="message">What is wrong.</param>
    public InvalidTemplateException(string? templateId, string field, string message)
        : base("invalid_template", templateId is null ? $"Invalid template ({field}): {message}" : $"Invalid template '{templateId}' ({field}): {message}")
    {
        TemplateId = templateId;
        Field = field;
    }

    /// <summary>Gets the template, when known.</summary>
    public string? TemplateId { get; }

    /// <summary>Gets the field that is wrong.</summary>
    public string Field { get; }
}

/// <summary>Thrown when a template id is unknown.</summary>
public sealed class TemplateNotFoundException : CouponKitException
{
    /// <summary>Initializes a new instance of the <see cref="TemplateNotFoundException"/> class.</summary>
    /// <param name="templateId">The template id that was given.</param>
    public TemplateNotFoundException(string templateId)
        : base("template_not_found", $"No coupon template '{templateId}' exists.")
    {
        TemplateId = templateId;
    }

    /// <summary>Gets the template id that was given.</summary>
    public string TemplateId { get; }
}

/// <summary>Thrown when a merchant operation is not allowed in the template's current state (for example editing an ended template).</summary>
public sealed class TemplateStateException : CouponKitException
{
    /// <summary>Initializes a new instance of the <see cref="TemplateStateException"/> class.</summary>
    /// <param name="templateId">The template.</param>
    /// <param name="state">Its current state.</param>
    /// <param name="operation">The operation refused.</param>
    public TemplateStateException(string templateId, TemplateState state, string operation)
        : base("template_wrong_state", $"Template '{templateId}' is {state}; it cannot be {operation}.")
    {
        TemplateId = templateId;
        State = state;
    }

    /// <summary>Gets the template.</summary>
    public string TemplateId { get; }

    /// <summary>Gets its current state.</summary>
    public TemplateState State { get; }
}

/// <summary>Thrown when an idempotency key is reused for a different request (another user, template or order).</summary>
public sealed class IdempotencyKeyConflictException : CouponKitException
{
    /// <summary>Initializes a new instance of the <see cref="IdempotencyKeyConflictException"/> class.</summary>
    /// <param name="key">The key.</param>
    public IdempotencyKeyConflictException(string key)
        : base("idempotency_key_conflict", $"The idempotency key '{key}' was already used for a different request.")
    {
        Key = key;
    }

    /// <summary>Gets the key.</summary>
    public string Key { get; }
}

/// <summary>Thrown when two writers change the same template at once; reload and retry.</summary>
public sealed class ConcurrencyConflictException : CouponKitException
{
    /// <summary>Initializes a new instance of the <see cref="ConcurrencyConflictException"/> class.</summary>
    /// <param name="what">What was changed concurrently.</param>
    public ConcurrencyConflictException(string what)
        : base("concurrency_conflict", $"{what} was changed by someone else at the same time; reload it and try again.")
    {
    }
}
