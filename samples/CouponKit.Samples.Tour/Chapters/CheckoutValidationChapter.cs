using CouponKit.Rules;
using CouponKit.Samples.Scenario;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace CouponKit.Samples.Chapters;

/// <summary>
/// Chapter 4: at checkout the shopper chooses coupons by hand. <see cref="QuoteEngine.Validate"/> refuses a choice that
/// cannot be honoured, with the reasons, and accepts a valid one even when it is not the best.
/// </summary>
public sealed class CheckoutValidationChapter : ITourChapter
{
    /// <inheritdoc />
    public string Title => "Checkout validation";

    /// <inheritdoc />
    public void Run(TourContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var console = context.Console;
        Ui.Call(console, "var check = engine.Validate(cart, chosenCoupons);");

        Check(context, DemoShop.RefusedPick);
        console.WriteLine();
        var accepted = Check(context, DemoShop.AcceptedPick);
        if (!accepted.IsValid)
        {
            return;
        }

        console.WriteLine();
        console.MarkupLine("[bold]The shopper's pick against the best combination[/]");
        WriteComparison(console, accepted.Quote, context.BestQuote);
        var extra = accepted.Quote.Payable - context.BestQuote.Payable;
        Ui.Note(console, extra.IsZero
            ? "The shopper found the best combination."
            : $"Validate checks the choice as given; Quote finds the best one. Here the best combination costs {extra} less.");
    }

    private static CouponValidation Check(TourContext context, IReadOnlyList<string> ids)
    {
        var console = context.Console;
        var validation = context.Engine.Validate(context.Cart, context.Pick(ids));
        console.MarkupLine($"The shopper picks [bold]{Markup.Escape(string.Join(" + ", ids))}[/]");
        if (validation.IsValid)
        {
            console.MarkupLine($"  [green bold]✓ Accepted[/]: payable {Markup.Escape(validation.Quote.Payable.ToString())}, discount {Markup.Escape(validation.Quote.TotalDiscount.ToString())}");
            return validation;
        }

        var applies = validation.Quote.Applied.Select(a => a.CouponId).ToArray();
        console.MarkupLine($"  [red bold]✗ Refused[/]: {validation.Quote.Rejected.Count} of {ids.Count} coupons cannot be used"
            + (applies.Length == 0 ? string.Empty : $" [grey](only {Markup.Escape(string.Join(", ", applies))} would apply)[/]"));
        BestCombinationChapter.WriteRejections(console, validation.Quote.Rejected);
        return validation;
    }

    private static void WriteComparison(IAnsiConsole console, Quote pick, Quote best)
    {
        var currency = pick.Currency.Code;
        var table = Ui.Table(Ui.Column("Coupon"), Ui.NumberColumn($"Shopper's pick ({currency})"), Ui.NumberColumn($"Best combination ({currency})"));
        var ids = pick.Applied.Concat(best.Applied).Select(a => a.CouponId).Distinct(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            table.AddRow(Ui.Text(id, "bold"), DiscountOf(pick, id), DiscountOf(best, id));
        }

        table.AddEmptyRow();
        table.AddRow(Ui.Text("Discount", "bold"), Ui.Discount(pick.TotalDiscount, "bold green"), Ui.Discount(best.TotalDiscount, "bold green"));
        table.AddRow(Ui.Text("Payable", "bold"), Ui.Amount(pick.Payable, "bold"), Ui.Amount(best.Payable, "bold"));
        console.Write(table);
    }

    private static IRenderable DiscountOf(Quote quote, string couponId) =>
        quote.Applied.FirstOrDefault(a => a.CouponId == couponId) is { } applied ? Ui.Discount(applied.Discount) : Ui.Text("not used", "grey");
}
