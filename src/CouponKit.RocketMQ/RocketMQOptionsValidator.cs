using CouponKit.RocketMQ.Protocol;
using Microsoft.Extensions.Options;

namespace CouponKit.RocketMQ;

/// <summary>Checks the DataAnnotations of <see cref="RocketMQOptions"/> (source-generated).</summary>
[OptionsValidator]
internal sealed partial class RocketMQOptionsAnnotationsValidator : IValidateOptions<RocketMQOptions>
{
}

/// <summary>
/// Validates <see cref="RocketMQOptions"/>: the DataAnnotations, then the rules that span several properties.
/// </summary>
internal sealed class RocketMQOptionsValidator : IValidateOptions<RocketMQOptions>
{
    private readonly RocketMQOptionsAnnotationsValidator _annotations = new();

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RocketMQOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        var builder = new ValidateOptionsResultBuilder();
        builder.AddResult(_annotations.Validate(name, options));

        if (!string.IsNullOrWhiteSpace(options.Endpoints) && !EndpointList.TryParse(options.Endpoints, out _, out var endpointError))
        {
            builder.AddError($"RocketMQ: Endpoints '{options.Endpoints}' is not valid: {endpointError}", nameof(RocketMQOptions.Endpoints));
        }

        var hasKey = !string.IsNullOrEmpty(options.AccessKey);
        var hasSecret = !string.IsNullOrEmpty(options.AccessSecret);
        if (hasKey != hasSecret)
        {
            builder.AddError("RocketMQ: AccessKey and AccessSecret must be set together, or both left empty.", hasKey ? nameof(RocketMQOptions.AccessSecret) : nameof(RocketMQOptions.AccessKey));
        }

        if (options.ConsumeRetryMaxBackoff < options.ConsumeRetryInitialBackoff)
        {
            builder.AddError("RocketMQ: ConsumeRetryMaxBackoff must not be shorter than ConsumeRetryInitialBackoff.", nameof(RocketMQOptions.ConsumeRetryMaxBackoff));
        }

        if (options.ConsumerGroup is { Length: > 0 } group && !ResourceNames.IsValid(group))
        {
            builder.AddError($"RocketMQ: ConsumerGroup '{group}' is not valid: use 1 to 255 letters, digits, '%', '|', '-' or '_'.", nameof(RocketMQOptions.ConsumerGroup));
        }

        foreach (var topic in options.Topics ?? [])
        {
            if (!ResourceNames.IsValid(topic))
            {
                builder.AddError($"RocketMQ: topic '{topic}' in Topics is not valid: use 1 to 255 letters, digits, '%', '|', '-' or '_'.", nameof(RocketMQOptions.Topics));
            }
        }

        foreach (var topic in options.FifoTopics ?? [])
        {
            if (!ResourceNames.IsValid(topic))
            {
                builder.AddError($"RocketMQ: topic '{topic}' in FifoTopics is not valid: use 1 to 255 letters, digits, '%', '|', '-' or '_'.", nameof(RocketMQOptions.FifoTopics));
            }
        }

        return builder.Build();
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> when <paramref name="options"/> is not valid.</summary>
    /// <param name="options">The options to check.</param>
    public static void ThrowIfInvalid(RocketMQOptions options)
    {
        var result = new RocketMQOptionsValidator().Validate(Options.DefaultName, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(RocketMQOptions), result.Failures);
        }
    }
}
