using CouponKit.Rules;
using CouponKit.Samples.Scenario;
using Spectre.Console;

namespace CouponKit.Samples;

/// <summary>What the chapters share: the console, the engine, and the shopper's cart and coupons.</summary>
public sealed class TourContext : IDisposable
{
    private Quote? _bestQuote;
    private IssuanceShop? _shop;
    private IssuanceShop? _flashSaleShop;

    /// <summary>Initializes a new instance of the <see cref="TourContext"/> class with the <see cref="DemoShop"/> data.</summary>
    /// <param name="console">The console to print to.</param>
    public TourContext(IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        Console = console;
        Engine = new QuoteEngine();
        Cart = DemoShop.CreateCart();
        Coupons = DemoShop.CreateCoupons();
    }

    /// <summary>Gets the console.</summary>
    public IAnsiConsole Console { get; }

    /// <summary>Gets the rule engine, with default options.</summary>
    public QuoteEngine Engine { get; }

    /// <summary>Gets the shopper's cart.</summary>
    public Cart Cart { get; }

    /// <summary>Gets the coupons in the shopper's wallet.</summary>
    public IReadOnlyList<Coupon> Coupons { get; }

    /// <summary>Gets the best combination of the shopper's coupons for the cart, quoted once on first use.</summary>
    public Quote BestQuote => _bestQuote ??= Engine.Quote(Cart, Coupons);

    /// <summary>Gets the issuance and redemption side of the shop on SQLite (in-process bus, fake clock), built on first use.</summary>
    public IssuanceShop Shop => _shop ??= new IssuanceShop(onSqlite: true);

    /// <summary>
    /// Gets the host of the flash sale, on the in-memory stores: 20,000 claims on SQLite take about a minute on two cores,
    /// too long for a tour. Built on first use.
    /// </summary>
    public IssuanceShop FlashSaleShop => _flashSaleShop ??= new IssuanceShop(onSqlite: false);

    /// <summary>Stops the issuance hosts that were built and deletes the SQLite database.</summary>
    public void Dispose()
    {
        _flashSaleShop?.Dispose();
        _shop?.Dispose();
    }

    /// <summary>Returns a coupon of the wallet by id.</summary>
    /// <param name="id">The coupon id.</param>
    /// <returns>The coupon.</returns>
    public Coupon Coupon(string id) => Coupons.Single(c => c.Id == id);

    /// <summary>Returns the coupons of the wallet with the given ids, in that order.</summary>
    /// <param name="ids">The coupon ids.</param>
    /// <returns>The coupons.</returns>
    public IReadOnlyList<Coupon> Pick(IEnumerable<string> ids) => ids.Select(Coupon).ToArray();
}
