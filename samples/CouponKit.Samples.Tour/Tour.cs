using CouponKit.Samples.Chapters;
using CouponKit.Samples.Scenario;
using Spectre.Console;

namespace CouponKit.Samples;

/// <summary>
/// The CouponKit tour: one shopper's cart and coupon wallet, taken through the library chapter by chapter.
/// </summary>
public static class Tour
{
    /// <summary>Gets the chapters, in the order they run. Chapters 6 to 9 share one SQLite-backed host (<see cref="TourContext.Shop"/>).</summary>
    public static IReadOnlyList<ITourChapter> Chapters { get; } =
    [
        new CartChapter(),
        new CouponsChapter(),
        new BestCombinationChapter(),
        new CheckoutValidationChapter(),
        new PromoCodesChapter(),
        new FlashSaleChapter(),
        new CheckoutPaymentChapter(),
        new ExpiryRemindersChapter(),
        new StatisticsChapter(),
    ];

    /// <summary>Runs every chapter.</summary>
    /// <param name="console">The console to print to.</param>
    /// <returns>0 when every chapter ran, 1 when one failed (the exception is printed).</returns>
    public static int Run(IAnsiConsole console) => Run(console, Chapters);

    /// <summary>Runs the given chapters.</summary>
    /// <param name="console">The console to print to.</param>
    /// <param name="chapters">The chapters.</param>
    /// <returns>0 when every chapter ran, 1 when one failed (the exception is printed).</returns>
    public static int Run(IAnsiConsole console, IEnumerable<ITourChapter> chapters)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(chapters);
        try
        {
            using var context = new TourContext(console);
            console.Write(new Rule($"[bold]CouponKit tour[/] [grey]· {Markup.Escape(DemoShop.Name)} · 11.11 evening[/]").RuleStyle("grey"));
            console.MarkupLine($"[grey]Shopper {DemoShop.UserId} is at checkout. The cart is priced at a fixed moment, {Ui.Time(context.Cart.At)}, so every run quotes the same.[/]");
            console.WriteLine();

            var number = 0;
            foreach (var chapter in chapters)
            {
                number++;
                console.Write(new Rule($"[bold yellow]{number}. {Markup.Escape(chapter.Title)}[/]").LeftJustified().RuleStyle("yellow dim"));
                chapter.Run(context);
                console.WriteLine();
            }

            console.Write(new Rule("[grey]end of tour[/]").RuleStyle("grey"));
            return 0;
        }
        catch (Exception ex)
        {
            console.WriteLine();
            console.MarkupLine("[red bold]The tour stopped:[/]");
            console.WriteException(ex);
            return 1;
        }
    }
}
