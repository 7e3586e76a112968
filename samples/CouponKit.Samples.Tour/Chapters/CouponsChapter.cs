using Spectre.Console;
using Spectre.Console.Rendering;

namespace CouponKit.Samples.Chapters;

/// <summary>Chapter 2: the coupons in the shopper's wallet, in the shop's words.</summary>
public sealed class CouponsChapter : ITourChapter
{
    /// <inheritdoc />
    public string Title => "The shopper's coupons";

    /// <inheritdoc />
    public void Run(TourContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var console = context.Console;
        Ui.Call(console, "new Coupon { Id, Rule = new ThresholdRebateRule(tiers), Scope, Issuer, Stacking, ValidUntil }");

        // On a narrow console the issuer column goes: the default stacking groups start with it.
        var wide = Ui.IsWide(console);
        var table = Ui.Table(Ui.Column("Coupon"), Ui.Column("Rule.Describe()"), Ui.Column("Scope"));
        if (wide)
        {
            table.AddColumn(Ui.Column("Issuer"));
        }

        table.AddColumns(Ui.Column("Stacking group"), Ui.Column("Valid until"));
        foreach (var coupon in context.Coupons)
        {
            var cells = new List<IRenderable>
            {
                new Rows(Ui.Text(coupon.Id, "bold"), Ui.Text(coupon.Name ?? string.Empty, "grey")),
                Ui.Text(coupon.Rule.Describe()),
                Ui.Text(Ui.Scope(coupon.Scope)),
            };
            if (wide)
            {
                cells.Add(Ui.Text(Ui.Issuer(coupon.Issuer)));
            }

            cells.Add(Ui.Text(Ui.Stacking(coupon), coupon.Stacking.Exclusive ? "magenta" : string.Empty));
            cells.Add(Ui.Text(coupon.ValidUntil is { } until ? Ui.ShortTime(until) : "-", "grey"));
            table.AddRow(cells);
        }

        console.Write(table);
        Ui.Note(console, "At most one coupon per stacking group; an exclusive coupon combines with nothing. Shop coupons apply before platform ones.");
        Ui.Note(console, $"Times are {context.Cart.At:zzz}, the cart's offset.");
    }
}
