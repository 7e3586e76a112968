namespace CouponKit.Rules;

/// <summary>
/// Which cart lines a coupon applies to. A line is in scope when it is discountable, not excluded, and either the scope is
/// storewide or the line matches one of the included SKUs, categories or brands. Exclusions always win over inclusions.
/// </summary>
/// <remarks>Thresholds are measured on in-scope lines only.</remarks>
public sealed class CouponScope
{
    /// <summary>The most entries accepted in one list of a scope.</summary>
    public const int MaxEntries = 10_000;

    private static readonly HashSet<string> Empty = new(StringComparer.Ordinal);
    private readonly HashSet<string> _skus = Empty;
    private readonly HashSet<string> _categories = Empty;
    private readonly HashSet<string> _brands = Empty;
    private readonly HashSet<string> _excludedSkus = Empty;
    private readonly HashSet<string> _excludedCategories = Empty;
    private readonly HashSet<string> _excludedBrands = Empty;

    /// <summary>Gets a scope that covers every discountable line of the cart.</summary>
    public static CouponScope Storewide { get; } = new();

    /// <summary>Gets the SKUs in scope. When SKUs, categories and brands are all empty the scope is storewide.</summary>
    public IReadOnlyCollection<string> Skus { get => _skus; init => _skus = ToSet(value, nameof(Skus)); }

    /// <summary>Gets the categories in scope: a line matches when any of its categories is listed.</summary>
    public IReadOnlyCollection<string> Categories { get => _categories; init => _categories = ToSet(value, nameof(Categories)); }

    /// <summary>Gets the brands in scope.</summary>
    public IReadOnlyCollection<string> Brands { get => _brands; init => _brands = ToSet(value, nameof(Brands)); }

    /// <summary>Gets SKUs that are never in scope.</summary>
    public IReadOnlyCollection<string> ExcludedSkus { get => _excludedSkus; init => _excludedSkus = ToSet(value, nameof(ExcludedSkus)); }

    /// <summary>Gets categories that are never in scope.</summary>
    public IReadOnlyCollection<string> ExcludedCategories { get => _excludedCategories; init => _excludedCategories = ToSet(value, nameof(ExcludedCategories)); }

    /// <summary>Gets brands that are never in scope.</summary>
    public IReadOnlyCollection<string> ExcludedBrands { get => _excludedBrands; init => _excludedBrands = ToSet(value, nameof(ExcludedBrands)); }

    /// <summary>
    /// Gets a value indicating whether lines flagged <see cref="CartLineTraits.AlreadyDiscounted"/> are in scope.
    /// </summary>
    /// <value>The default value is <see langword="false"/>: sale items are not discounted again.</value>
    public bool IncludeDiscountedItems { get; init; }

    /// <summary>Gets a value indicating whether no inclusion list is set, so that every discountable line not excluded is in scope.</summary>
    public bool IsStorewide => Skus.Count == 0 && Categories.Count == 0 && Brands.Count == 0;

    /// <summary>A scope of the given SKUs.</summary>
    /// <param name="skus">The SKUs.</param>
    /// <returns>The scope.</returns>
    public static CouponScope ForSkus(params string[] skus) => new() { Skus = skus };

    /// <summary>A scope of the given categories.</summary>
    /// <param name="categories">The categories.</param>
    /// <returns>The scope.</returns>
    public static CouponScope ForCategories(params string[] categories) => new() { Categories = categories };

    /// <summary>A scope of the given brands.</summary>
    /// <param name="brands">The brands.</param>
    /// <returns>The scope.</returns>
    public static CouponScope ForBrands(params string[] brands) => new() { Brands = brands };

    /// <summary>Decides whether a cart line is in scope.</summary>
    /// <param name="line">The line.</param>
    /// <returns><see langword="true"/> when the coupon may discount the line and count it toward its threshold.</returns>
    public bool Covers(CartLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if ((line.Traits & CartLineTraits.NotDiscountable) != 0)
        {
            return false;
        }

        if ((line.Traits & CartLineTraits.AlreadyDiscounted) != 0 && !IncludeDiscountedItems)
        {
            return false;
        }

        if (_excludedSkus.Contains(line.Sku)
            || (line.Brand is not null && _excludedBrands.Contains(line.Brand))
            || AnyOf(line.Categories, _excludedCategories))
        {
            return false;
        }

        return IsStorewide
            || _skus.Contains(line.Sku)
            || (line.Brand is not null && _brands.Contains(line.Brand))
            || AnyOf(line.Categories, _categories);
    }

    private static bool AnyOf(IReadOnlyList<string> values, HashSet<string> set)
    {
        if (set.Count == 0)
        {
            return false;
        }

        for (var i = 0; i < values.Count; i++)
        {
            if (set.Contains(values[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static HashSet<string> ToSet(IEnumerable<string>? values, string name)
    {
        if (values is null)
        {
            throw new InvalidCouponException(null, $"scope {name} is null; use an empty list.");
        }

        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new InvalidCouponException(null, $"scope {name} contains a blank entry.");
            }

            set.Add(value);
        }

        if (set.Count > MaxEntries)
        {
            throw new InvalidCouponException(null, $"scope {name} has {set.Count} entries; at most {MaxEntries} are accepted.");
        }

        return set;
    }
}
