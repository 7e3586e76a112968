using System.Globalization;
using CouponKit.Samples.Scenario;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace CouponKit.Samples.Chapters;

/// <summary>Chapter 1: the shopper's cart, as the engine will see it.</summary>
public sealed class CartChapter : ITourChapter
{
    /// <inheritdoc />
    public string Title => "The cart";

    /// <inheritdoc />
    public void Run(TourContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var console = context.Console;
        var cart = context.Cart;
        Ui.Call(console, "var cart = new Cart(userId, lines, shippingFee, at);");

        // On a narrow console the SKU and brand columns go: the product name says enough.
        var wide = Ui.IsWide(console);
        var currency = cart.Currency.Code;
        var table = Ui.Table(Ui.Column("Line"), Ui.Column("Item"));
        if (wide)
        {
            table.AddColumns(Ui.Column("SKU"), Ui.Column("Categories"), Ui.Column("Brand"));
        }
        else
        {
            table.AddColumn(Ui.Column("Categories"));
        }

        table.AddColumns(Ui.NumberColumn($"Unit ({currency})"), Ui.NumberColumn("Qty"), Ui.NumberColumn($"Total ({currency})"), Ui.Column("Traits"));
        foreach (var line in cart.Lines)
        {
            var cells = new List<IRenderable> { Ui.Text(line.LineId, "grey"), Ui.Text(DemoShop.ProductName(line.LineId)) };
            if (wide)
            {
                cells.Add(Ui.Text(line.Sku, "grey"));
            }

            cells.Add(Ui.Text(string.Join(", ", line.Categories)));
            if (wide)
            {
                cells.Add(Ui.Text(line.Brand ?? string.Empty));
            }

            cells.AddRange([Ui.Amount(line.UnitPrice), Ui.Text(line.Quantity.ToString(CultureInfo.InvariantCulture)), Ui.Amount(line.Total), Traits(line.Traits)]);
            table.AddRow(cells);
        }

        table.AddEmptyRow();
        table.AddRow(SummaryRow(table.Columns.Count, Ui.Text("Subtotal", "bold"), Ui.Amount(cart.Subtotal, "bold")));
        table.AddRow(SummaryRow(table.Columns.Count, Ui.Text("Shipping fee"), Ui.Amount(cart.ShippingFee)));
        console.Write(table);
        Ui.Note(console, "Sale items (AlreadyDiscounted) are skipped by coupons unless a scope opts in; NotDiscountable lines never count.");
    }

    /// <summary>A row with a label under "Item" and an amount under "Total", the second column from the right.</summary>
    private static IRenderable[] SummaryRow(int columns, IRenderable label, IRenderable amount)
    {
        var cells = Enumerable.Range(0, columns).Select(_ => Ui.Text(string.Empty)).ToArray();
        cells[1] = label;
        cells[columns - 2] = amount;
        return cells;
    }

    private static IRenderable Traits(CartLineTraits traits) => traits switch
    {
        CartLineTraits.None => Ui.Text(string.Empty),
        CartLineTraits.AlreadyDiscounted => Ui.Text("AlreadyDiscounted", "yellow"),
        CartLineTraits.NotDiscountable => Ui.Text("NotDiscountable", "red"),
        _ => Ui.Text(traits.ToString(), "yellow"),
    };
}
