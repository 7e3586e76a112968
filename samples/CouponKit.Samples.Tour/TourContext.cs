using CouponKit.Rules;
using CouponKit.Samples.Scenario;
using Spectre.Console;

namespace CouponKit.Samples;

/// <summary>What the chapters share: the console, the engine, and the shopper's cart and coupons.</summary>
public sealed class TourContext
{
    private Quote? _bestQuote;

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

    /// <summary>Returns a coupon of the wallet by id.</summary>
    /// <param name="id">The coupon id.</param>
    /// <returns>The coupon.</returns>
    public Coupon Coupon(string id) => Coupons.Single(c => c.Id == id);

    /// <summary>Returns the coupons of the wallet with the given ids, in that order.</summary>
    /// <param name="ids">The coupon ids.</param>
    /// <returns>The coupons.</returns>
    public IReadOnlyList<Coupon> Pick(IEnumerable<string> ids) => ids.Select(Coupon).ToArray();
}
