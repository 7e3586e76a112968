using CouponKit.Redemption;
using Spectre.Console;

namespace CouponKit.Samples.Chapters;

/// <summary>Chapter 7: two orders lock their coupons; one pays, the other times out and its coupon is released.</summary>
public sealed class CheckoutPaymentChapter : ITourChapter
{
    /// <summary>The order that pays.</summary>
    public const string PaidOrder = "order-1002";

    /// <summary>The order that is never paid.</summary>
    public const string UnpaidOrder = "order-1001";

    /// <inheritdoc />
    public string Title => "Checkout and payment";

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
        Ui.Note(console, $"From here on the stores are on SQLite: {Path.GetFileName(shop.DatabasePath)} in a temporary folder, deleted at the end of the tour.");
        Ui.Call(console, "services.AddDbContextFactory<CouponKitDbContext>(o => o.UseSqlite(...)); services.AddCouponKit().UseEntityFrameworkCore<CouponKitDbContext>()");
        var coupons = await shop.ClaimForShoppersAsync();
        Ui.Note(console, $"The merchant creates the same template there; shoppers u00001 to u{Scenario.IssuanceShop.Shoppers:D5} claim one coupon each at {Ui.Time(shop.Now)}.");

        var redemptions = shop.Get<CouponRedemptions>();
        var unpaid = coupons[0];
        var paid = coupons[1];
        Ui.Call(console, $"redemptions.LockAsync(\"{UnpaidOrder}\", \"{unpaid.UserId}\", [coupon]); LockAsync(\"{PaidOrder}\", \"{paid.UserId}\", [coupon])");
        Expect(await redemptions.LockAsync(UnpaidOrder, unpaid.UserId, [unpaid.CouponId]), RedemptionStatus.Locked);
        Expect(await redemptions.LockAsync(PaidOrder, paid.UserId, [paid.CouponId]), RedemptionStatus.Locked);
        var afterLock = (await shop.FindAsync(unpaid.CouponId), await shop.FindAsync(paid.CouponId));

        Ui.Call(console, $"redemptions.ConfirmAsync(\"{PaidOrder}\", \"{paid.UserId}\")   // the payment arrives");
        Expect(await redemptions.ConfirmAsync(PaidOrder, paid.UserId), RedemptionStatus.Confirmed);
        var afterPay = (await shop.FindAsync(unpaid.CouponId), await shop.FindAsync(paid.CouponId));

        Ui.Call(console, "while (await dispatcher.DispatchOnceAsync(ct) > 0) { }   // the outbox schedules the LockTimeout messages");
        await shop.DeliverAsync();
        Ui.Call(console, "clock.Advance(29 minutes); await bus.WhenIdleAsync()");
        await shop.AdvanceAsync(TimeSpan.FromMinutes(29));
        var at29 = (await shop.FindAsync(unpaid.CouponId), await shop.FindAsync(paid.CouponId));
        Ui.Call(console, "clock.Advance(1 minute); await bus.WhenIdleAsync()   // the lock timeout (30 minutes) falls due");
        await shop.AdvanceAsync(TimeSpan.FromMinutes(1));
        var at30 = (await shop.FindAsync(unpaid.CouponId), await shop.FindAsync(paid.CouponId));

        var table = Ui.Table(Ui.Column("Order"), Ui.Column("Shopper"), Ui.Column("After LockAsync"), Ui.Column("After payment"), Ui.Column("+29 min"), Ui.Column("+30 min"));
        table.AddRow(Ui.Text(UnpaidOrder + " (unpaid)"), Ui.Text(unpaid.UserId), State(afterLock.Item1), State(afterPay.Item1), State(at29.Item1), State(at30.Item1, released: true));
        table.AddRow(Ui.Text(PaidOrder + " (paid)"), Ui.Text(paid.UserId), State(afterLock.Item2), State(afterPay.Item2), State(at29.Item2), State(at30.Item2));
        console.Write(table);
        Ui.Note(console, "The lock is a TCC Try; ConfirmAsync is the Confirm. The LockTimeout message, delayed by the lock timeout on the fake clock, runs the Cancel: the unpaid order's coupon is back in the wallet. The paid one stays Used.");
    }

    private static Spectre.Console.Rendering.IRenderable State(CouponKit.Issuance.IssuedCoupon coupon, bool released = false) => coupon.State switch
    {
        CouponState.Available => Ui.Text(released ? "Available (released)" : "Available", "green"),
        CouponState.Locked => Ui.Text("Locked", "yellow"),
        CouponState.Used => Ui.Text("Used", "blue"),
        _ => Ui.Text(coupon.State.ToString(), "grey"),
    };

    private static void Expect(RedemptionResult result, RedemptionStatus status)
    {
        if (result.Status != status)
        {
            throw new InvalidOperationException($"expected {status}, got {result.Status}: {result.Message}");
        }
    }
}
