namespace CouponKit.Issuance;

/// <summary>The life of a coupon template (a batch).</summary>
public enum TemplateState
{
    /// <summary>Being prepared by the merchant; nobody can claim it yet.</summary>
    Draft,

    /// <summary>Open for claims within its claim window.</summary>
    Active,

    /// <summary>Temporarily closed for claims; issued coupons stay usable.</summary>
    Paused,

    /// <summary>Closed for good; issued coupons stay usable until they expire.</summary>
    Ended,
}

/// <summary>The ways a template's coupons reach users.</summary>
[Flags]
public enum ClaimChannels
{
    /// <summary>No channel.</summary>
    None = 0,

    /// <summary>Users grab (claim) coupons themselves.</summary>
    Grab = 1,

    /// <summary>The merchant pushes coupons to a segment of users.</summary>
    Push = 2,

    /// <summary>Users redeem a promo code bound to the template.</summary>
    PromoCode = 4,

    /// <summary>Every channel.</summary>
    All = Grab | Push | PromoCode,
}
