using CouponKit.Rules;

namespace CouponKit.Issuance;

/// <summary>
/// A coupon template (a batch): what its coupons give, how many may be issued, to whom, when they may be claimed and used.
/// Immutable; every change makes a new version through the merchant operations of <see cref="CouponTemplates"/>.
/// </summary>
public sealed class CouponTemplate
{
    /// <summary>The most coupons one template may issue.</summary>
    public const int MaxInventory = 100_000_000;

    /// <summary>The highest per-user limit.</summary>
    public const int MaxPerUserLimit = 1_000;

    private CouponTemplate(string id, TemplateDraft draft, TemplateState state, long version, DateTimeOffset createdAt, DateTimeOffset updatedAt)
    {
        Id = id;
        Name = draft.Name;
        Rule = draft.Rule;
        Scope = draft.Scope;
        Stacking = draft.Stacking;
        Issuer = draft.Issuer;
        TotalInventory = draft.TotalInventory;
        Validity = draft.Validity;
        ClaimStartsAt = draft.ClaimStartsAt;
        ClaimEndsAt = draft.ClaimEndsAt;
        PerUserLimit = draft.PerUserLimit;
        PerUserLimitCounts = draft.PerUserLimitCounts;
        PerUserLimitKey = draft.PerUserLimitKey;
        FirstOrderOnly = draft.FirstOrderOnly;
        OncePerProduct = draft.OncePerProduct;
        Audience = draft.Audience;
        ClaimCostPoints = draft.ClaimCostPoints;
        Channels = draft.Channels;
        OwnerId = draft.OwnerId;
        Benefit = draft.Benefit;
        State = state;
        Version = version;
        CreatedAt = createdAt;
        UpdatedAt = updatedAt;
    }

    /// <summary>Gets the template id.</summary>
    public string Id { get; }

    /// <summary>Gets the name shown to users.</summary>
    public string Name { get; }

    /// <summary>Gets what the coupons give.</summary>
    public DiscountRule Rule { get; }

    /// <summary>Gets the lines the coupons apply to.</summary>
    public CouponScope Scope { get; }

    /// <summary>Gets how the coupons combine with others.</summary>
    public StackingPolicy Stacking { get; }

    /// <summary>Gets who funds the coupons.</summary>
    public CouponIssuer Issuer { get; }

    /// <summary>Gets the number of coupons that may ever be issued.</summary>
    public int TotalInventory { get; }

    /// <summary>Gets when the coupons may be used.</summary>
    public CouponValidity Validity { get; }

    /// <summary>Gets when claims open, or <see langword="null"/>.</summary>
    public DateTimeOffset? ClaimStartsAt { get; }

    /// <summary>Gets when claims close (exclusive), or <see langword="null"/>.</summary>
    public DateTimeOffset? ClaimEndsAt { get; }

    /// <summary>Gets how many coupons of the template one user may hold.</summary>
    public int PerUserLimit { get; }

    /// <summary>Gets which coupons count against <see cref="PerUserLimit"/>.</summary>
    public PerUserLimitCounts PerUserLimitCounts { get; }

    /// <summary>Gets who <see cref="PerUserLimit"/> is counted for: the account or the verified identity key.</summary>
    public PerUserLimitKey PerUserLimitKey { get; }

    /// <summary>Gets a value indicating whether the coupons apply only to the user's first paid order.</summary>
    public bool FirstOrderOnly { get; }

    /// <summary>Gets a value indicating whether a product gets this template's discount at most once per user.</summary>
    public bool OncePerProduct { get; }

    /// <summary>Gets who may claim.</summary>
    public Audience Audience { get; }

    /// <summary>Gets the member points a claim costs.</summary>
    public long ClaimCostPoints { get; }

    /// <summary>Gets the channels through which the coupons reach users.</summary>
    public ClaimChannels Channels { get; }

    /// <summary>Gets what one claim gives (a coupon, a red envelope, points, a lucky coupon, a split red envelope share).</summary>
    public Benefits.Benefit Benefit { get; }

    /// <summary>Gets the owner: a merchant id, or <see cref="Security.CouponOwner.Platform"/>.</summary>
    public string OwnerId { get; }

    /// <summary>Gets the state.</summary>
    public TemplateState State { get; }

    /// <summary>Gets the version, raised by one at every change; caches and events compare it.</summary>
    public long Version { get; }

    /// <summary>Gets when the template was created.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>Gets when the template last changed.</summary>
    public DateTimeOffset UpdatedAt { get; }

    /// <summary>Builds the rule engine's view of a coupon issued from this template.</summary>
    /// <param name="coupon">The issued coupon.</param>
    /// <returns>The coupon for <see cref="QuoteEngine"/>.</returns>
    public Coupon ToCoupon(IssuedCoupon coupon)
    {
        ArgumentNullException.ThrowIfNull(coupon);
        return new Coupon
        {
            Id = coupon.CouponId,
            TemplateId = Id,
            Name = Name,
            Rule = Benefits.BenefitIssuance.RuleOf(this, coupon),
            Scope = Scope,
            Stacking = Stacking,
            Issuer = Issuer,
            ValidFrom = coupon.ValidFrom,
            ValidUntil = coupon.ValidUntil,
        };
    }

    /// <summary>
    /// Builds the rule engine's view of a coupon issued from this template, with what the user's history says of its
    /// eligibility (read from the ports before the quote, so that the engine stays pure).
    /// </summary>
    /// <param name="coupon">The issued coupon.</param>
    /// <param name="hasPaidOrder">Whether the holder has a paid order (for <see cref="FirstOrderOnly"/>).</param>
    /// <param name="discountedProducts">The SKUs coupons of this template already discounted for the holder (for <see cref="OncePerProduct"/>).</param>
    /// <returns>The coupon for <see cref="QuoteEngine"/>.</returns>
    public Coupon ToCoupon(IssuedCoupon coupon, bool hasPaidOrder, IReadOnlyCollection<string>? discountedProducts)
    {
        var ruleCoupon = ToCoupon(coupon);
        if (!FirstOrderOnly && !OncePerProduct)
        {
            return ruleCoupon;
        }

        return new Coupon
        {
            Id = ruleCoupon.Id,
            TemplateId = ruleCoupon.TemplateId,
            Name = ruleCoupon.Name,
            Rule = ruleCoupon.Rule,
            Scope = ruleCoupon.Scope,
            Stacking = ruleCoupon.Stacking,
            Issuer = ruleCoupon.Issuer,
            ValidFrom = ruleCoupon.ValidFrom,
            ValidUntil = ruleCoupon.ValidUntil,
            Eligibility = new CouponEligibility
            {
                FirstOrderOnly = FirstOrderOnly,
                HolderHasPaidOrder = hasPaidOrder,
                OncePerProduct = OncePerProduct,
                DiscountedProducts = OncePerProduct ? discountedProducts ?? [] : [],
            },
        };
    }

    internal static CouponTemplate Create(string id, TemplateDraft draft, DateTimeOffset now)
    {
        Validate(id, draft);
        draft = Benefits.BenefitIssuance.Seal(draft);
        return new CouponTemplate(id, draft, TemplateState.Draft, 1, now, now);
    }

    /// <summary>Rebuilds a template from storage (for store adapters).</summary>
    /// <param name="id">The id.</param>
    /// <param name="draft">The definition.</param>
    /// <param name="state">The state.</param>
    /// <param name="version">The version.</param>
    /// <param name="createdAt">When it was created.</param>
    /// <param name="updatedAt">When it last changed.</param>
    /// <returns>The template.</returns>
    public static CouponTemplate Restore(string id, TemplateDraft draft, TemplateState state, long version, DateTimeOffset createdAt, DateTimeOffset updatedAt)
    {
        ArgumentNullException.ThrowIfNull(draft);
        Validate(id, draft);
        return new CouponTemplate(id, draft, state, version, createdAt, updatedAt);
    }

    /// <summary>Returns the definition of this template, for storage or to derive a changed template.</summary>
    /// <returns>The draft.</returns>
    public TemplateDraft ToDraft() => new()
    {
        Id = Id,
        Name = Name,
        Rule = Rule,
        Scope = Scope,
        Stacking = Stacking,
        Issuer = Issuer,
        TotalInventory = TotalInventory,
        Validity = Validity,
        ClaimStartsAt = ClaimStartsAt,
        ClaimEndsAt = ClaimEndsAt,
        PerUserLimit = PerUserLimit,
        PerUserLimitCounts = PerUserLimitCounts,
        PerUserLimitKey = PerUserLimitKey,
        FirstOrderOnly = FirstOrderOnly,
        OncePerProduct = OncePerProduct,
        Audience = Audience,
        ClaimCostPoints = ClaimCostPoints,
        Channels = Channels,
        OwnerId = OwnerId,
        Benefit = Benefit,
    };

    internal CouponTemplate With(TemplateDraft draft, TemplateState state, DateTimeOffset now)
    {
        Validate(Id, draft);
        if (!string.Equals(draft.OwnerId, OwnerId, StringComparison.Ordinal))
        {
            throw new InvalidTemplateException(Id, "ownerId", "the owner of a template never changes.");
        }

        draft = Benefits.BenefitIssuance.CarryOver(Id, this, draft);
        return new CouponTemplate(Id, draft, state, Version + 1, CreatedAt, now);
    }

    internal static void Validate(string id, TemplateDraft draft)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > Guard.MaxIdentifierLength)
        {
            throw new InvalidTemplateException(null, "id", "a template id must be 1 to 128 characters and not blank.");
        }

        if (draft is null)
        {
            throw new InvalidTemplateException(id, "draft", "the definition is missing.");
        }

        if (string.IsNullOrWhiteSpace(draft.Name) || draft.Name.Length > 200)
        {
            throw new InvalidTemplateException(id, "name", "the name must be 1 to 200 characters and not blank.");
        }

        if (draft.Rule is null || draft.Scope is null || draft.Stacking is null || draft.Validity is null || draft.Audience is null)
        {
            throw new InvalidTemplateException(id, "rule", "the rule, scope, stacking, validity and audience are required.");
        }

        if (draft.TotalInventory is < 1 or > MaxInventory)
        {
            throw new InvalidTemplateException(id, "totalInventory", $"the inventory must be 1 to {MaxInventory}, got {draft.TotalInventory}.");
        }

        if (draft.PerUserLimit is < 1 or > MaxPerUserLimit)
        {
            throw new InvalidTemplateException(id, "perUserLimit", $"the per-user limit must be 1 to {MaxPerUserLimit}, got {draft.PerUserLimit}.");
        }

        if (draft.ClaimStartsAt is { } start && draft.ClaimEndsAt is { } end && end <= start)
        {
            throw new InvalidTemplateException(id, "claimEndsAt", "the claim window ends before or when it starts.");
        }

        if (!draft.Validity.IsRelative && draft.ClaimStartsAt is { } s && draft.Validity.Until <= s)
        {
            throw new InvalidTemplateException(id, "validity", "the coupons would expire before claims open.");
        }

        if (draft.ClaimCostPoints is < 0 or > 1_000_000_000)
        {
            throw new InvalidTemplateException(id, "claimCostPoints", $"the claim cost must be 0 to 1,000,000,000 points, got {draft.ClaimCostPoints}.");
        }

        if (draft.Channels == ClaimChannels.None || (draft.Channels & ~ClaimChannels.All) != 0)
        {
            throw new InvalidTemplateException(id, "channels", "at least one known channel is required.");
        }

        if (draft.OwnerId is null || !Security.CouponOwner.IsValid(draft.OwnerId))
        {
            throw new InvalidTemplateException(id, "ownerId", $"the owner must be {Security.CouponOwner.Platform} or a merchant id of 1 to 128 characters not starting with '@'.");
        }

        if (!Enum.IsDefined(draft.Issuer))
        {
            throw new InvalidTemplateException(id, "issuer", $"unknown issuer {(int)draft.Issuer}.");
        }

        ValidateEligibility(id, draft);
        Benefits.BenefitIssuance.Validate(id, draft);
    }

    private static void ValidateEligibility(string id, TemplateDraft draft)
    {
        if (!Enum.IsDefined(draft.PerUserLimitCounts))
        {
            throw new InvalidTemplateException(id, "perUserLimitCounts", $"unknown per-user limit counting {(int)draft.PerUserLimitCounts}.");
        }

        if (!Enum.IsDefined(draft.PerUserLimitKey))
        {
            throw new InvalidTemplateException(id, "perUserLimitKey", $"unknown per-user limit key {(int)draft.PerUserLimitKey}.");
        }

        if (draft.PerUserLimitKey == PerUserLimitKey.IdentityKey && (draft.Channels & ClaimChannels.Push) != 0)
        {
            throw new InvalidTemplateException(id, "perUserLimitKey", "a template limited per identity key cannot issue by push: a push carries no identity key.");
        }

        var checkout = draft.Benefit is null || Benefits.BenefitIssuance.UsedAtCheckout(draft.Benefit);
        if ((draft.FirstOrderOnly || draft.OncePerProduct) && !checkout)
        {
            throw new InvalidTemplateException(id, draft.FirstOrderOnly ? "firstOrderOnly" : "oncePerProduct", $"a {draft.Benefit!.Kind} benefit is not used at checkout, so order eligibility cannot apply to it.");
        }

        if (draft.OncePerProduct && draft.Rule?.Level is RuleLevel.Shipping or RuleLevel.Gift)
        {
            throw new InvalidTemplateException(id, "oncePerProduct", $"a {draft.Rule.Kind} rule discounts no product, so once per product cannot apply to it.");
        }
    }
}
