using System.Globalization;
using CouponKit.Samples.Scenario;
using CouponKit.Statistics;
using Spectre.Console;

namespace CouponKit.Samples.Chapters;

/// <summary>Chapter 9: the template's statistics, as the store counts them.</summary>
public sealed class StatisticsChapter : ITourChapter
{
    /// <inheritdoc />
    public string Title => "Statistics";

    /// <inheritdoc />
    public void Run(TourContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var console = context.Console;
        var shop = context.Shop;
        shop.ClaimForShoppersAsync().GetAwaiter().GetResult();
        Ui.Call(console, $"statistics.GetTemplateAsync(\"{IssuanceShop.TemplateId}\")");
        var stats = shop.Get<CouponStatistics>().GetTemplateAsync(IssuanceShop.TemplateId).GetAwaiter().GetResult();

        var table = Ui.Table(Ui.Column("Figure"), Ui.NumberColumn("Count"), Ui.Column("Meaning"));
        Add("Issued", stats.Issued, "coupons issued on SQLite");
        Add("Available", stats.Available, "still in a wallet");
        Add("Locked", stats.Locked, "held by an unpaid order");
        Add("Used", stats.Used, "confirmed by a paid order");
        Add("Expired", stats.Expired, "ended unused");
        Add("Locks taken", stats.LocksTaken, "TCC Try on an order");
        Add("Released", stats.Released, "locks cancelled (timeout or cancellation)");
        console.Write(table);
        Ui.Note(console, $"Template \"{IssuanceShop.TemplateName}\": Issued = Available + Locked + Used + Expired; Locks taken = Used + Released + Locked.");

        void Add(string figure, int count, string meaning) =>
            table.AddRow(Ui.Text(figure, "bold"), Ui.Text(count.ToString(CultureInfo.InvariantCulture)), Ui.Text(meaning, "grey"));
    }
}
