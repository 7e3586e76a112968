using System.Reflection;
using CouponKit.EfCore;

namespace CouponKit.LoadTest.Infrastructure;

/// <summary>
/// <c>EfCoreCouponKitOptions.StockSegments</c> (the inventory of a hot template split over N rows) is being added to
/// CouponKit.EfCore. This harness sets it by reflection so that it builds on either side of that change, and reports the
/// segmented runs as not available when the option is missing.
/// </summary>
internal static class StockSegments
{
    private static readonly PropertyInfo? Property = typeof(EfCoreCouponKitOptions).GetProperty("StockSegments", BindingFlags.Public | BindingFlags.Instance);

    public static bool IsAvailable => Property is { CanWrite: true } && Property.PropertyType == typeof(int);

    /// <summary>Sets the option; 1 is also the behaviour of a build without it.</summary>
    public static void Apply(EfCoreCouponKitOptions options, int segments)
    {
        if (IsAvailable)
        {
            Property!.SetValue(options, segments);
        }
        else if (segments != 1)
        {
            throw new InvalidOperationException("EfCoreCouponKitOptions.StockSegments does not exist in this build of CouponKit.EfCore.");
        }
    }
}
