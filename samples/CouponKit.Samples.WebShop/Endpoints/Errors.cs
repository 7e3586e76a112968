using CouponKit.Samples.WebShop.Problems;

namespace CouponKit.Samples.WebShop.Endpoints;

/// <summary>Collects the fields of a request that are wrong, for one 400 that lists them all.</summary>
internal sealed class Errors
{
    /// <summary>The longest id accepted (the core's limit).</summary>
    public const int MaxIdLength = 128;

    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }

        list.Add(message);
    }

    public void Identifier(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxIdLength || value.Any(char.IsControl))
        {
            Add(field, $"must be 1 to {MaxIdLength} characters, not blank, without control characters.");
        }
    }

    public void Identifiers(string field, IReadOnlyList<string>? values, int min, int max)
    {
        if (values is null)
        {
            if (min > 0)
            {
                Add(field, "is required.");
            }

            return;
        }

        if (values.Count < min || values.Count > max)
        {
            Add(field, $"must have {min} to {max} items, got {values.Count}.");
            return;
        }

        for (var i = 0; i < values.Count; i++)
        {
            Identifier($"{field}[{i}]", values[i]);
        }

        if (values.Distinct(StringComparer.Ordinal).Count() != values.Count)
        {
            Add(field, "must not repeat an id.");
        }
    }

    public IResult Result() => ShopProblems.Validation(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
}
