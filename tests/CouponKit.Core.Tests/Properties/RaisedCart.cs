using CouponKit.Rules;

namespace CouponKit.Core.Tests.Properties;

/// <summary>A coupon that applies alone to <see cref="Cart"/>, and the cart with more of what the coupon counts.</summary>
/// <param name="Cart">The cart the coupon applies to.</param>
/// <param name="Coupon">The coupon, with a threshold.</param>
/// <param name="Raised">The cart with a higher quantity or one more in-scope line.</param>
/// <param name="Change">What was raised, for the counterexample.</param>
internal sealed record RaisedCart(Cart Cart, Coupon Coupon, Cart Raised, string Change)
{
    public override string ToString() =>
        QuoteScenario.Describe(Cart, [Coupon]) + "change: " + Change + Environment.NewLine;
}
