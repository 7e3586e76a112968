using System.Globalization;
using CouponKit.Samples.Scenario;
using Spectre.Console;

namespace CouponKit.Samples.Chapters;

/// <summary>Chapter 6: a merchant puts up 1,000 coupons and 20,000 simulated users grab them at once.</summary>
public sealed class FlashSaleChapter : ITourChapter
{
    /// <inheritdoc />
    public string Title => "Flash sale";

    /// <inheritdoc />
    public void Run(TourContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var console = context.Console;
        var shop = context.FlashSaleShop;
        Ui.Note(console, $"This chapter runs on the IN-MEMORY stores (AddCouponKit() alone): 20,000 claims on SQLite take about a minute on two cores. Chapters 7 to 9 run on SQLite. In-process bus, fake clock set to {Ui.Time(shop.Now)}.");
        Ui.Call(console, "services.AddCouponKit(o => o.ClaimsPerUser = 1_000)");
        Ui.Call(console, $"templates.CreateAsync(new TemplateDraft {{ Name = \"{IssuanceShop.TemplateName}\", TotalInventory = 1_000 }}); ActivateAsync");
        Ui.Call(console, $"claims.ClaimAsync(new ClaimRequest {{ TemplateId, User, IdempotencyKey }}) × {IssuanceShop.Users:N0}, {IssuanceShop.Parallelism} at a time");

        FlashSaleResult? sale = null;
        console.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn())
            .Start(progress =>
            {
                var task = progress.AddTask("users served", maxValue: IssuanceShop.Users);
                sale = shop.RunFlashSaleAsync(done => task.Value = done).GetAwaiter().GetResult();
                task.Value = IssuanceShop.Users;
            });

        var result = sale!;
        var table = Ui.Table(Ui.Column("Outcome"), Ui.NumberColumn("Claims"), Ui.Column("Meaning"));
        table.AddRow(Ui.Text("Issued", "green bold"), Ui.Text(Count(result.Issued), "green bold"), Ui.Text("a new coupon, one per winner"));
        table.AddRow(Ui.Text("Replay"), Ui.Text(Count(result.Replays)), Ui.Text("the same idempotency key again: the coupon already issued, not a second one"));
        foreach (var (reason, count) in result.Rejections)
        {
            table.AddRow(Ui.Text("Rejected: " + reason, "red"), Ui.Text(Count(count), "red"), Ui.Text(Meaning(reason), "grey"));
        }

        table.AddRow(Ui.Text("Total", "bold"), Ui.Text(Count(result.Requests), "bold"), Ui.Text($"{Count(result.Users)} users, {IssuanceShop.Retries} winners and {IssuanceShop.Retries} others clicked twice"));
        console.Write(table);
        console.MarkupLine($"Store stock: [bold]Total {Count(result.Stock.Total)}, Issued {Count(result.Stock.Issued)}, Remaining {Count(result.Stock.Remaining)}[/]");
        Ui.Note(console, "The stock is taken atomically with the claim, so concurrent claims never issue more than the template holds. Who wins differs between runs; the counts do not.");
    }

    private static string Count(int value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Meaning(CouponKit.Issuance.ClaimRejection reason) => reason switch
    {
        CouponKit.Issuance.ClaimRejection.SoldOut => "the 1,000 coupons were gone",
        CouponKit.Issuance.ClaimRejection.RateLimited => "too many claims from one user",
        CouponKit.Issuance.ClaimRejection.LimitReached => "the user already holds the template's limit",
        _ => reason.ToString(),
    };
}
