using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace CouponKit.Messaging;

/// <summary>Options of the <see cref="OutboxDispatcher"/>, which moves outbox messages to the message bus. Checked at start-up.</summary>
public sealed class OutboxDispatcherOptions
{
    /// <summary>Gets or sets how often the outbox is swept for due messages when nothing signals new ones.</summary>
    /// <value>The default value is 1 second.</value>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00", ErrorMessage = "PollInterval must be between 10 milliseconds and 1 hour.")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the most messages leased and published by one sweep.</summary>
    /// <value>The default value is 100.</value>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// Gets or sets how long leased messages stay reserved for one dispatcher; a dispatcher that dies mid-batch leaves them to others
    /// after it. Keep it well above the time a batch takes to publish, and above the time one push chunk's envelope takes (its
    /// chunk size times the broker's latency: 5,000 messages at 2 ms are 10 s); a sweep stops at the first row after its lease ran
    /// out, and an envelope that outlasted it is logged (event 1114).
    /// </summary>
    /// <value>The default value is 30 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Lease must be between 1 second and 1 day.")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how many publications of a message are tried before it is marked dead.</summary>
    /// <value>The default value is 16.</value>
    [Range(1, 1_000)]
    public int MaxAttempts { get; set; } = 16;

    /// <summary>Gets or sets the delay before the second publication of a message; it doubles at each further attempt.</summary>
    /// <value>The default value is 1 second.</value>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00", ErrorMessage = "InitialBackoff must be between 1 millisecond and 1 day.")]
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the longest delay between two publications of a message; at least <see cref="InitialBackoff"/>.</summary>
    /// <value>The default value is 5 minutes.</value>
    [Range(typeof(TimeSpan), "00:00:00.001", "7.00:00:00", ErrorMessage = "MaxBackoff must be between 1 millisecond and 7 days.")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Computes the delay before the next publication after a failed one.</summary>
    /// <param name="attempts">The publications tried so far, from 1.</param>
    /// <returns>The delay.</returns>
    public TimeSpan BackoffAfter(int attempts)
    {
        var factor = Math.Pow(2, Math.Min(Math.Max(attempts - 1, 0), 30));
        return TimeSpan.FromTicks((long)Math.Min(InitialBackoff.Ticks * factor, MaxBackoff.Ticks));
    }
}

/// <summary>Checks the DataAnnotations of <see cref="OutboxDispatcherOptions"/> (source-generated).</summary>
[OptionsValidator]
internal sealed partial class OutboxDispatcherOptionsAnnotationsValidator : IValidateOptions<OutboxDispatcherOptions>
{
}

/// <summary>Validates <see cref="OutboxDispatcherOptions"/>: the DataAnnotations, then the rules that span several properties.</summary>
internal sealed class OutboxDispatcherOptionsValidator : IValidateOptions<OutboxDispatcherOptions>
{
    private readonly OutboxDispatcherOptionsAnnotationsValidator _annotations = new();

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, OutboxDispatcherOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ValidateOptionsResultBuilder();
        builder.AddResult(_annotations.Validate(name, options));
        if (options.MaxBackoff < options.InitialBackoff)
        {
            builder.AddError("MaxBackoff must not be shorter than InitialBackoff.", nameof(OutboxDispatcherOptions.MaxBackoff));
        }

        return builder.Build();
    }

    /// <summary>Throws when the options are not valid.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="OptionsValidationException">The options are not valid.</exception>
    public static void ThrowIfInvalid(OutboxDispatcherOptions options)
    {
        var result = new OutboxDispatcherOptionsValidator().Validate(Options.DefaultName, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(OutboxDispatcherOptions), result.Failures);
        }
    }
}
