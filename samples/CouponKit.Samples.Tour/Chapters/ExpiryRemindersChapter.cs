using System.Globalization;
using CouponKit.InMemory;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Redemption;
using Spectre.Console;

namespace CouponKit.Samples.Chapters;

/// <summary>Chapter 8: a day before the coupons end the shoppers are reminded; after the end the coupons expire.</summary>
public sealed class ExpiryRemindersChapter : ITourChapter
{
    /// <inheritdoc />
    public string Title => "Expiry reminders";

    /// <inheritdoc />
    public void Run(TourContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        RunAsync(context).GetAwaiter().GetResult();
    }

    private static async Task RunAsync(TourContext context)
    {
        var console = context.Console;
        var shop = context.Shop;
        var coupons = await shop.ClaimForShoppersAsync();
        var worker = shop.Get<ExpiryWorker>();
        var sender = (InMemoryNotificationSender)shop.Get<INotificationSender>();
        var end = coupons[0].ValidUntil.ToOffset(Scenario.IssuanceShop.Offset);
        Ui.Note(console, $"The coupons are valid 7 days after the claim, until {Ui.Time(end)}; the reminder goes one day before.");

        var table = Ui.Table(Ui.Column("Clock"), Ui.Column("Call"), Ui.NumberColumn("Reminders sent"), Ui.NumberColumn("Available"), Ui.NumberColumn("Used"), Ui.NumberColumn("Expired"));
        await Row("now", "-");

        var dayBefore = end - TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1);
        await shop.AdvanceAsync(dayBefore - shop.Now);
        await worker.SweepOnceAsync(CancellationToken.None);
        await Row("a day before the end", "worker.SweepOnceAsync(ct)");

        await shop.AdvanceAsync(end + TimeSpan.FromMinutes(1) - shop.Now);
        await worker.SweepOnceAsync(CancellationToken.None);
        await Row("past the end", "worker.SweepOnceAsync(ct)");

        console.Write(table);
        var reminded = sender.Sent.Select(r => r.UserId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        Ui.Note(console, $"Reminded: {string.Join(", ", reminded)} (InMemoryNotificationSender.Sent). The coupon used in chapter 7 is neither reminded nor expired.");

        async Task Row(string label, string call)
        {
            var states = await shop.CountStatesAsync();
            table.AddRow(
                Ui.Text($"{Ui.Time(shop.Now)} ({label})"),
                Ui.Text(call, "aqua"),
                Ui.Text(sender.Sent.Count.ToString(CultureInfo.InvariantCulture)),
                Ui.Text(states[CouponState.Available].ToString(CultureInfo.InvariantCulture), "green"),
                Ui.Text(states[CouponState.Used].ToString(CultureInfo.InvariantCulture), "blue"),
                Ui.Text(states[CouponState.Expired].ToString(CultureInfo.InvariantCulture), "grey"));
        }
    }
}
