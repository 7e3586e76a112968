using System.Globalization;
using CouponKit.Rules;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace CouponKit.Samples;

/// <summary>Formatting shared by the chapters: amounts, scopes, notes and the API calls each chapter makes.</summary>
internal static class Ui
{
    /// <summary>The width from which tables show every column; narrower consoles get fewer, so that cells wrap less.</summary>
    public const int WideWidth = 120;

    /// <summary>Gets whether the console is wide enough for every column.</summary>
    public static bool IsWide(IAnsiConsole console) => console.Profile.Width >= WideWidth;

    /// <summary>Prints a short explanation in grey.</summary>
    public static void Note(IAnsiConsole console, string text) => console.MarkupLine($"[grey]{Markup.Escape(text)}[/]");

    /// <summary>Prints the CouponKit call a chapter makes, so the output maps back to code.</summary>
    public static void Call(IAnsiConsole console, string code) => console.MarkupLine($"[aqua]  › {Markup.Escape(code)}[/]");

    /// <summary>A plain text cell (no markup parsing, so brackets in data are safe).</summary>
    public static IRenderable Text(string text, string style = "") => new Text(text, Style.Parse(style.Length == 0 ? "default" : style));

    /// <summary>A number in the currency's minor digits, without the currency code (columns carry it).</summary>
    public static string Number(Money money) => money.Amount.ToString("N" + money.Currency.MinorUnits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>An amount cell.</summary>
    public static IRenderable Amount(Money money, string style = "") => Text(Number(money), style);

    /// <summary>A discount cell: <c>-12.50</c> in green, or a grey dot for nothing.</summary>
    public static IRenderable Discount(Money money, string style = "green") =>
        money.IsZero ? Text("·", "grey") : Text("-" + Number(money), style);

    /// <summary>A moment, as the cart's time zone shows it.</summary>
    public static string Time(DateTimeOffset at) => at.ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture);

    /// <summary>A moment without its offset, for tables whose note gives the offset.</summary>
    public static string ShortTime(DateTimeOffset at) => at.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary>Which lines a scope covers, in words. CouponKit's <see cref="CouponScope"/> has no description of its own.</summary>
    public static string Scope(CouponScope scope)
    {
        var parts = new List<string>();
        if (scope.IsStorewide)
        {
            parts.Add("storewide");
        }

        Add(parts, "category", scope.Categories);
        Add(parts, "brand", scope.Brands);
        Add(parts, "SKU", scope.Skus);
        Add(parts, "not category", scope.ExcludedCategories);
        Add(parts, "not brand", scope.ExcludedBrands);
        Add(parts, "not SKU", scope.ExcludedSkus);
        if (scope.IncludeDiscountedItems)
        {
            parts.Add("sale items too");
        }

        return string.Join("; ", parts);

        static void Add(List<string> parts, string label, IReadOnlyCollection<string> values)
        {
            if (values.Count > 0)
            {
                parts.Add(label + " " + string.Join(", ", values.Order(StringComparer.Ordinal)));
            }
        }
    }

    /// <summary>How a coupon stacks, in words.</summary>
    public static string Stacking(Coupon coupon) => coupon.Stacking.Exclusive ? "exclusive" : coupon.EffectiveGroup;

    /// <summary>Who funds a coupon.</summary>
    public static string Issuer(CouponIssuer issuer) => issuer == CouponIssuer.Platform ? "platform" : "shop";

    /// <summary>A rejection code, coloured by how the shopper can act on it.</summary>
    public static IRenderable Code(RejectionCode code) => Text(code.ToString(), code switch
    {
        RejectionCode.BelowThreshold or RejectionCode.RewardItemMissing => "yellow",
        RejectionCode.ConflictsWithCoupon or RejectionCode.NotBeneficial => "blue",
        _ => "red",
    });

    /// <summary>A table with the tour's look.</summary>
    public static Table Table(params TableColumn[] columns)
    {
        var table = new Table().Border(TableBorder.Rounded).BorderColor(Color.Grey);
        foreach (var column in columns)
        {
            table.AddColumn(column);
        }

        return table;
    }

    /// <summary>A left-aligned column.</summary>
    public static TableColumn Column(string header) => new(new Markup($"[bold]{Markup.Escape(header)}[/]"));

    /// <summary>A right-aligned column, for amounts.</summary>
    public static TableColumn NumberColumn(string header) => Column(header).RightAligned();
}
