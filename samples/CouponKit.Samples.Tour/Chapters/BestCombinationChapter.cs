using System.Globalization;
using CouponKit.Rules;
using CouponKit.Samples.Scenario;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace CouponKit.Samples.Chapters;

/// <summary>Chapter 3: the engine picks the best combination, allocates each discount to lines and explains every coupon left out.</summary>
public sealed class BestCombinationChapter : ITourChapter
{
    /// <inheritdoc />
    public string Title => "Best combination";

    /// <inheritdoc />
    public void Run(TourContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var console = context.Console;
        Ui.Call(console, "var quote = new QuoteEngine().Quote(cart, coupons);");
        var quote = context.BestQuote;

        console.MarkupLine("[bold]Applied, in order[/]");
        WriteApplied(console, context, quote);
        console.WriteLine();

        console.MarkupLine("[bold]Where each discount falls[/] [grey](quote.Lines, AppliedCoupon.Allocations, AppliedCoupon.ShippingDiscount)[/]");
        WriteAllocation(console, quote);
        console.WriteLine();

        WriteTotals(console, quote);
        console.WriteLine();

        console.MarkupLine("[bold]Not used, and why[/] [grey](quote.Rejected)[/]");
        WriteRejections(console, quote.Rejected);
    }

    /// <summary>Prints coupons that do not apply with their reason; shared with the checkout chapter.</summary>
    internal static void WriteRejections(IAnsiConsole console, IReadOnlyList<CouponRejection> rejections)
    {
        var table = Ui.Table(Ui.Column("Coupon"), Ui.Column("Code"), Ui.Column("Message"));
        foreach (var rejection in rejections)
        {
            table.AddRow(Ui.Text(rejection.CouponId, "bold"), Ui.Code(rejection.Code), Ui.Text(rejection.Message));
        }

        console.Write(table);
    }

    private static void WriteApplied(IAnsiConsole console, TourContext context, Quote quote)
    {
        var table = Ui.Table(
            Ui.NumberColumn("#"),
            Ui.Column("Coupon"),
            Ui.Column("Name"),
            Ui.Column("Kind"),
            Ui.Column("Issuer"),
            Ui.NumberColumn($"Discount ({quote.Currency.Code})"));
        foreach (var applied in quote.Applied)
        {
            var coupon = context.Coupon(applied.CouponId);
            table.AddRow(
                Ui.Text(applied.Sequence.ToString(CultureInfo.InvariantCulture)),
                Ui.Text(applied.CouponId, "bold green"),
                Ui.Text(coupon.Name ?? string.Empty),
                Ui.Text(applied.Kind.ToString()),
                Ui.Text(Ui.Issuer(coupon.Issuer)),
                Ui.Discount(applied.Discount));
        }

        console.Write(table);
    }

    private static void WriteAllocation(IAnsiConsole console, Quote quote)
    {
        // On a narrow console the line id column goes; the item names say which line is which.
        var wide = Ui.IsWide(console);
        var currency = quote.Currency.Code;
        var table = wide ? Ui.Table(Ui.Column("Line")) : Ui.Table();
        table.AddColumns(Ui.Column("Item"), Ui.NumberColumn($"Amount ({currency})"));
        foreach (var applied in quote.Applied)
        {
            table.AddColumn(Ui.NumberColumn(applied.CouponId));
        }

        table.AddColumn(Ui.NumberColumn("Discount"));
        table.AddColumn(Ui.NumberColumn("Payable"));

        var shares = quote.Applied
            .Select(a => a.Allocations.ToDictionary(x => x.LineId, x => x.Amount, StringComparer.Ordinal))
            .ToArray();
        foreach (var line in quote.Lines)
        {
            AddRow(
                line.LineId,
                Ui.Text(DemoShop.ProductName(line.LineId)),
                Ui.Amount(line.Amount),
                shares.Select(s => Ui.Discount(s.GetValueOrDefault(line.LineId, Money.Zero(quote.Currency)))),
                Ui.Discount(line.Discount, "bold green"),
                Ui.Amount(line.Payable));
        }

        AddRow(
            string.Empty,
            Ui.Text("Shipping fee"),
            Ui.Amount(quote.ShippingFee),
            quote.Applied.Select(a => Ui.Discount(a.ShippingDiscount)),
            Ui.Discount(quote.ShippingDiscount, "bold green"),
            Ui.Amount(quote.ShippingFee - quote.ShippingDiscount));
        table.AddEmptyRow();
        AddRow(
            string.Empty,
            Ui.Text("Total", "bold"),
            Ui.Amount(quote.Subtotal + quote.ShippingFee, "bold"),
            quote.Applied.Select(a => Ui.Discount(a.Discount, "bold green")),
            Ui.Discount(quote.TotalDiscount, "bold green"),
            Ui.Amount(quote.Payable, "bold"));
        console.Write(table);

        void AddRow(string lineId, IRenderable item, IRenderable amount, IEnumerable<IRenderable> perCoupon, IRenderable discount, IRenderable payable)
        {
            var cells = new List<IRenderable>();
            if (wide)
            {
                cells.Add(Ui.Text(lineId, "grey"));
            }

            cells.AddRange([item, amount, .. perCoupon, discount, payable]);
            table.AddRow(cells);
        }
    }

    private static void WriteTotals(IAnsiConsole console, Quote quote)
    {
        var grid = new Grid().AddColumn(new GridColumn().PadRight(4)).AddColumn(new GridColumn().RightAligned());
        grid.AddRow(Ui.Text("Subtotal"), Ui.Text(quote.Subtotal.ToString()));
        grid.AddRow(Ui.Text("Shipping"), Ui.Text(quote.ShippingFee.ToString()));
        grid.AddRow(Ui.Text("Discount"), Ui.Text((-quote.TotalDiscount).ToString(), "green"));
        grid.AddRow(Ui.Text("Payable", "bold"), Ui.Text(quote.Payable.ToString(), "bold"));
        grid.AddRow(Ui.Text("SearchNodes", "grey"), Ui.Text(quote.SearchNodes.ToString(CultureInfo.InvariantCulture), "grey"));
        grid.AddRow(Ui.Text("IsProvenOptimal", "grey"), Ui.Text(quote.IsProvenOptimal ? "true" : "false", "grey"));
        console.Write(new Panel(grid).Header("[bold] Totals [/]").BorderColor(Color.Grey));
    }
}
