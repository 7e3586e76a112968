using System.Globalization;
using Microsoft.Extensions.Options;

namespace CouponKit.Rewards;

/// <summary>Checks <see cref="RewardOptions"/> at start-up: each rule's ids, a positive threshold, a known currency, unique rule ids.</summary>
internal sealed class RewardOptionsValidator : IValidateOptions<RewardOptions>
{
    public ValidateOptionsResult Validate(string? name, RewardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.LockedRecheckInterval < TimeSpan.FromSeconds(1) || options.LockedRecheckInterval > TimeSpan.FromDays(1))
        {
            failures.Add("LockedRecheckInterval must be between 1 second and 1 day.");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Rules.Count; i++)
        {
            var rule = options.Rules[i];
            var at = string.Create(CultureInfo.InvariantCulture, $"Rules[{i}]");
            if (rule is null)
            {
                failures.Add($"{at} is null.");
                continue;
            }

            if (!IsIdentifier(rule.RuleId))
            {
                failures.Add($"{at}.RuleId must be 1 to {Guard.MaxIdentifierLength} characters and not blank.");
            }
            else if (!ids.Add(rule.RuleId))
            {
                failures.Add($"{at}.RuleId '{rule.RuleId}' is used by another rule.");
            }

            if (!IsIdentifier(rule.TemplateId))
            {
                failures.Add($"{at}.TemplateId must be 1 to {Guard.MaxIdentifierLength} characters and not blank.");
            }

            if (rule.MinimumOrderAmount <= 0m)
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"{at}.MinimumOrderAmount must be more than zero, got {rule.MinimumOrderAmount}."));
            }

            if (!CouponKit.Currency.TryFromCode(rule.Currency, out _))
            {
                failures.Add($"{at}.Currency '{rule.Currency}' is not a known ISO 4217 code.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsIdentifier(string? value) => !string.IsNullOrWhiteSpace(value) && value.Length <= Guard.MaxIdentifierLength;
}
