using System.Text.Json;
using System.Text.Json.Serialization;
using CouponKit.Benefits;
using CouponKit.Rules;

namespace CouponKit.Issuance;

/// <summary>
/// Writes a template's definition (<see cref="TemplateDraft"/>) as versioned JSON and reads it back: the one format of the EF Core
/// store's definition column and the Redis template cache. Each rule and benefit kind has its own explicit mapping; reading an
/// unknown version or kind is an <see cref="InvalidDataException"/>, writing a kind without a mapping a
/// <see cref="NotSupportedException"/>, never a guess.
/// </summary>
internal static class TemplateDefinitionJson
{
    /// <summary>The version of the JSON written.</summary>
    public const int CurrentVersion = 1;

    public static string Serialize(TemplateDraft draft)
    {
        var dto = new DefinitionDto
        {
            V = CurrentVersion,
            Name = draft.Name,
            Rule = ToDto(draft.Rule),
            Scope = new ScopeDto
            {
                Skus = [.. draft.Scope.Skus],
                Categories = [.. draft.Scope.Categories],
                Brands = [.. draft.Scope.Brands],
                ExcludedSkus = [.. draft.Scope.ExcludedSkus],
                ExcludedCategories = [.. draft.Scope.ExcludedCategories],
                ExcludedBrands = [.. draft.Scope.ExcludedBrands],
                IncludeDiscountedItems = draft.Scope.IncludeDiscountedItems,
            },
            Stacking = new StackingDto { Exclusive = draft.Stacking.Exclusive, Group = draft.Stacking.Group, Priority = draft.Stacking.Priority },
            Issuer = draft.Issuer.ToString(),
            TotalInventory = draft.TotalInventory,
            Validity = new ValidityDto { From = draft.Validity.From, Until = draft.Validity.Until, DaysAfterClaim = draft.Validity.DaysAfterClaim },
            ClaimStartsAt = draft.ClaimStartsAt,
            ClaimEndsAt = draft.ClaimEndsAt,
            PerUserLimit = draft.PerUserLimit,
            PerUserLimitCounts = draft.PerUserLimitCounts == PerUserLimitCounts.EveryClaim ? null : draft.PerUserLimitCounts.ToString(),
            PerUserLimitKey = draft.PerUserLimitKey == PerUserLimitKey.Account ? null : draft.PerUserLimitKey.ToString(),
            FirstOrderOnly = draft.FirstOrderOnly ? true : null,
            OncePerProduct = draft.OncePerProduct ? true : null,
            Audience = new AudienceDto { Segments = [.. draft.Audience.Segments], NewUsersOnly = draft.Audience.NewUsersOnly },
            ClaimCostPoints = draft.ClaimCostPoints,
            Channels = (int)draft.Channels,
            Owner = draft.OwnerId == Security.CouponOwner.Platform ? null : draft.OwnerId,
            Benefit = ToDto(draft.Benefit),
        };
        return JsonSerializer.Serialize(dto, DefinitionJsonContext.Default.DefinitionDto);
    }

    public static TemplateDraft Deserialize(string templateId, string json)
    {
        DefinitionDto? dto;
        try
        {
            dto = JsonSerializer.Deserialize(json, DefinitionJsonContext.Default.DefinitionDto);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"the definition of template '{templateId}' is not valid JSON.", ex);
        }

        if (dto is null || dto.V != CurrentVersion || dto.Rule is null || dto.Name is null)
        {
            throw new InvalidDataException($"the definition of template '{templateId}' has an unknown version ({dto?.V}) or misses its rule.");
        }

        var validity = dto.Validity is { DaysAfterClaim: > 0 } relative
            ? CouponValidity.ForDaysAfterClaim(relative.DaysAfterClaim)
            : CouponValidity.Between(dto.Validity?.From ?? throw Bad(templateId, "validity"), dto.Validity.Until ?? throw Bad(templateId, "validity"));
        var scope = dto.Scope ?? new ScopeDto();
        var stacking = dto.Stacking ?? new StackingDto();
        var audience = dto.Audience ?? new AudienceDto();
        return new TemplateDraft
        {
            Id = templateId,
            Name = dto.Name,
            Rule = FromDto(templateId, dto.Rule),
            Scope = new CouponScope
            {
                Skus = scope.Skus,
                Categories = scope.Categories,
                Brands = scope.Brands,
                ExcludedSkus = scope.ExcludedSkus,
                ExcludedCategories = scope.ExcludedCategories,
                ExcludedBrands = scope.ExcludedBrands,
                IncludeDiscountedItems = scope.IncludeDiscountedItems,
            },
            Stacking = new StackingPolicy { Exclusive = stacking.Exclusive, Group = stacking.Group, Priority = stacking.Priority },
            Issuer = Enum.TryParse<CouponIssuer>(dto.Issuer, out var issuer) ? issuer : throw Bad(templateId, "issuer"),
            TotalInventory = dto.TotalInventory,
            Validity = validity,
            ClaimStartsAt = dto.ClaimStartsAt,
            ClaimEndsAt = dto.ClaimEndsAt,
            PerUserLimit = dto.PerUserLimit,
            PerUserLimitCounts = dto.PerUserLimitCounts is null ? PerUserLimitCounts.EveryClaim
                : Enum.TryParse<PerUserLimitCounts>(dto.PerUserLimitCounts, out var counts) && Enum.IsDefined(counts) && !char.IsDigit(dto.PerUserLimitCounts[0]) ? counts : throw Bad(templateId, "per-user limit counting"),
            PerUserLimitKey = dto.PerUserLimitKey is null ? PerUserLimitKey.Account
                : Enum.TryParse<PerUserLimitKey>(dto.PerUserLimitKey, out var limitKey) && Enum.IsDefined(limitKey) && !char.IsDigit(dto.PerUserLimitKey[0]) ? limitKey : throw Bad(templateId, "per-user limit key"),
            FirstOrderOnly = dto.FirstOrderOnly ?? false,
            OncePerProduct = dto.OncePerProduct ?? false,
            Audience = new Audience { Segments = audience.Segments, NewUsersOnly = audience.NewUsersOnly },
            ClaimCostPoints = dto.ClaimCostPoints,
            Channels = (ClaimChannels)dto.Channels,
            OwnerId = dto.Owner ?? Security.CouponOwner.Platform,
            Benefit = FromDto(templateId, dto.Benefit),
        };
    }

    /// <summary>The benefit, or <see langword="null"/> for a plain coupon (definitions written before benefits have none).</summary>
    private static BenefitDto? ToDto(Benefit benefit) => benefit switch
    {
        null or CouponBenefit => null,
        RedEnvelopeBenefit r => new BenefitDto { Kind = nameof(BenefitKind.RedEnvelope), Amount = ToDto(r.Amount), Timing = r.Timing.ToString() },
        PointsBenefit p => new BenefitDto { Kind = nameof(BenefitKind.Points), Points = p.Points },
        LuckyCouponBenefit l => new BenefitDto { Kind = nameof(BenefitKind.LuckyCoupon), Minimum = ToDto(l.Minimum), Draw = ToDto(l.Draw) },
        SplitRedEnvelopeBenefit s => new BenefitDto { Kind = nameof(BenefitKind.SplitRedEnvelope), Amount = ToDto(s.Total), Timing = s.Timing.ToString(), Seed = s.Seed },
        _ => throw new NotSupportedException($"benefit kind '{benefit.Kind}' has no stored form in this version of CouponKit."),
    };

    private static DrawDto ToDto(LuckyDraw draw) => draw switch
    {
        UniformDraw u => new DrawDto { Kind = "Uniform", Min = ToDto(u.Min), Max = ToDto(u.Max) },
        WeightedDraw w => new DrawDto { Kind = "Weighted", Prizes = w.Prizes.Select(p => new PrizeDto { Value = ToDto(p.Value), Weight = p.Weight }).ToList() },
        _ => throw new NotSupportedException($"draw '{draw.GetType().Name}' has no stored form in this version of CouponKit."),
    };

    private static Benefit FromDto(string templateId, BenefitDto? dto)
    {
        if (dto is null)
        {
            return Benefit.Coupon;
        }

        try
        {
            return dto.Kind switch
            {
                nameof(BenefitKind.RedEnvelope) => new RedEnvelopeBenefit(Money(templateId, dto.Amount), Timing(templateId, dto.Timing)),
                nameof(BenefitKind.Points) => new PointsBenefit(dto.Points ?? throw Bad(templateId, "benefit points")),
                nameof(BenefitKind.LuckyCoupon) => new LuckyCouponBenefit(FromDto(templateId, dto.Draw), OptionalThreshold(templateId, dto.Minimum)),
                nameof(BenefitKind.SplitRedEnvelope) => new SplitRedEnvelopeBenefit(Money(templateId, dto.Amount), Timing(templateId, dto.Timing), dto.Seed ?? throw Bad(templateId, "split red envelope seed")),
                _ => throw Bad(templateId, $"benefit kind '{dto.Kind}'"),
            };
        }
        catch (InvalidBenefitException ex)
        {
            throw new InvalidDataException($"the benefit of template '{templateId}' is not valid: {ex.Message}", ex);
        }
    }

    private static LuckyDraw FromDto(string templateId, DrawDto? dto) => dto?.Kind switch
    {
        "Uniform" => LuckyDraw.Uniform(Money(templateId, dto.Min), Money(templateId, dto.Max)),
        "Weighted" => LuckyDraw.Weighted((dto.Prizes ?? throw Bad(templateId, "prizes")).Select(p => new WeightedPrize(Money(templateId, p.Value), p.Weight)).ToArray()),
        _ => throw Bad(templateId, "lucky draw"),
    };

    private static CreditTiming Timing(string templateId, string? value) =>
        Enum.TryParse<CreditTiming>(value, out var timing) ? timing : throw Bad(templateId, "credit timing");

    private static RuleDto ToDto(DiscountRule rule) => rule switch
    {
        ThresholdRebateRule r => new RuleDto { Kind = nameof(RuleKind.ThresholdRebate), Tiers = r.Tiers.Select(t => new TierDto { Threshold = ToDto(t.Threshold), Off = ToDto(t.Off) }).ToList() },
        RepeatingRebateRule r => new RuleDto { Kind = nameof(RuleKind.RepeatingRebate), Every = ToDto(r.Every), Off = ToDto(r.Off), MaxTimes = r.MaxTimes },
        FixedAmountRule r => new RuleDto { Kind = nameof(RuleKind.FixedAmount), Off = ToDto(r.Off), Minimum = ToDto(r.Minimum) },
        PercentOffRule r => new RuleDto { Kind = nameof(RuleKind.PercentOff), Percent = r.Percent, Cap = ToDto(r.Cap), Minimum = ToDto(r.Minimum) },
        BuyXGetYRule r => new RuleDto { Kind = nameof(RuleKind.BuyXGetY), Buy = r.Buy, Get = r.Get, RewardPercent = r.RewardPercent, RewardSku = r.RewardSku, MaxApplications = r.MaxApplications },
        FreeShippingRule r => new RuleDto { Kind = nameof(RuleKind.FreeShipping), Minimum = ToDto(r.Minimum), Cap = ToDto(r.Cap) },
        FreeGiftRule r => new RuleDto { Kind = nameof(RuleKind.FreeGift), GiftSku = r.GiftSku, GiftName = r.GiftName, GiftValue = ToDto(r.GiftValue), Quantity = r.Quantity, Minimum = ToDto(r.Minimum) },
        _ => throw new NotSupportedException($"rule kind '{rule.Kind}' has no stored form in this version of CouponKit."),
    };

    private static DiscountRule FromDto(string templateId, RuleDto dto) => dto.Kind switch
    {
        nameof(RuleKind.ThresholdRebate) => new ThresholdRebateRule((dto.Tiers ?? throw Bad(templateId, "tiers")).Select(t => new RebateTier(Threshold(templateId, t.Threshold), Money(templateId, t.Off))).ToList()),
        nameof(RuleKind.RepeatingRebate) => new RepeatingRebateRule(Threshold(templateId, dto.Every), Money(templateId, dto.Off), dto.MaxTimes),
        nameof(RuleKind.FixedAmount) => new FixedAmountRule(Money(templateId, dto.Off), OptionalThreshold(templateId, dto.Minimum)),
        nameof(RuleKind.PercentOff) => new PercentOffRule(dto.Percent ?? throw Bad(templateId, "percent"), OptionalMoney(templateId, dto.Cap), OptionalThreshold(templateId, dto.Minimum)),
        nameof(RuleKind.BuyXGetY) => new BuyXGetYRule(dto.Buy ?? throw Bad(templateId, "buy"), dto.Get ?? throw Bad(templateId, "get"), dto.RewardPercent ?? 100m, dto.RewardSku, dto.MaxApplications),
        nameof(RuleKind.FreeShipping) => new FreeShippingRule(OptionalThreshold(templateId, dto.Minimum), OptionalMoney(templateId, dto.Cap)),
        nameof(RuleKind.FreeGift) => new FreeGiftRule(dto.GiftSku ?? throw Bad(templateId, "giftSku"), dto.GiftName ?? throw Bad(templateId, "giftName"), Money(templateId, dto.GiftValue), dto.Quantity ?? 1, OptionalThreshold(templateId, dto.Minimum)),
        _ => throw Bad(templateId, $"rule kind '{dto.Kind}'"),
    };

    private static MoneyDto? ToDto(Money? money) => money is { } m ? new MoneyDto { Amount = m.Amount, Currency = m.Currency.Code } : null;

    private static ThresholdDto? ToDto(Threshold? threshold) => threshold switch
    {
        null => null,
        { Basis: ThresholdBasis.Amount } t => new ThresholdDto { Basis = nameof(ThresholdBasis.Amount), Amount = ToDto(t.Amount) },
        _ => new ThresholdDto { Basis = nameof(ThresholdBasis.ItemCount), Items = threshold.Items },
    };

    private static Money Money(string templateId, MoneyDto? dto) =>
        dto?.Currency is { } code ? CouponKit.Money.Of(dto.Amount, code) : throw Bad(templateId, "amount");

    private static Money? OptionalMoney(string templateId, MoneyDto? dto) => dto is null ? null : Money(templateId, dto);

    private static Threshold Threshold(string templateId, ThresholdDto? dto) => dto?.Basis switch
    {
        nameof(ThresholdBasis.Amount) => Rules.Threshold.Spend(Money(templateId, dto.Amount)),
        nameof(ThresholdBasis.ItemCount) => Rules.Threshold.ItemCount(dto.Items),
        _ => throw Bad(templateId, "threshold"),
    };

    private static Threshold? OptionalThreshold(string templateId, ThresholdDto? dto) => dto is null ? null : Threshold(templateId, dto);

    private static InvalidDataException Bad(string templateId, string what) =>
        new($"the definition of template '{templateId}' has no valid {what}.");
}

/// <summary>Version 1 of a stored template definition.</summary>
internal sealed class DefinitionDto
{
    public int V { get; set; }

    public string? Name { get; set; }

    public RuleDto? Rule { get; set; }

    public ScopeDto? Scope { get; set; }

    public StackingDto? Stacking { get; set; }

    public string? Issuer { get; set; }

    public int TotalInventory { get; set; }

    public ValidityDto? Validity { get; set; }

    public DateTimeOffset? ClaimStartsAt { get; set; }

    public DateTimeOffset? ClaimEndsAt { get; set; }

    public int PerUserLimit { get; set; }

    /// <summary>Which coupons count against the limit; absent for every claim, as in definitions written before the option existed.</summary>
    public string? PerUserLimitCounts { get; set; }

    /// <summary>Who the limit is counted for; absent for the account, as in definitions written before the option existed.</summary>
    public string? PerUserLimitKey { get; set; }

    /// <summary>Whether the coupons apply only to a first paid order; absent for no.</summary>
    public bool? FirstOrderOnly { get; set; }

    /// <summary>Whether a product gets the template's discount at most once per user; absent for no.</summary>
    public bool? OncePerProduct { get; set; }

    public AudienceDto? Audience { get; set; }

    public long ClaimCostPoints { get; set; }

    public int Channels { get; set; }

    /// <summary>The owner (merchant id); absent for the platform, as in definitions written before owners existed.</summary>
    public string? Owner { get; set; }

    /// <summary>Gets or sets the benefit; absent for a plain coupon, as in definitions written before benefits existed.</summary>
    public BenefitDto? Benefit { get; set; }
}

/// <summary>A benefit: <see cref="Kind"/> says which of the other members are used.</summary>
internal sealed class BenefitDto
{
    public string? Kind { get; set; }

    public MoneyDto? Amount { get; set; }

    public string? Timing { get; set; }

    public long? Points { get; set; }

    public ThresholdDto? Minimum { get; set; }

    public DrawDto? Draw { get; set; }

    public ulong? Seed { get; set; }
}

/// <summary>A lucky draw: a uniform range or a weighted table.</summary>
internal sealed class DrawDto
{
    public string? Kind { get; set; }

    public MoneyDto? Min { get; set; }

    public MoneyDto? Max { get; set; }

    public List<PrizeDto>? Prizes { get; set; }
}

internal sealed class PrizeDto
{
    public MoneyDto? Value { get; set; }

    public long Weight { get; set; }
}

/// <summary>A rule: <see cref="Kind"/> says which of the other members are used.</summary>
internal sealed class RuleDto
{
    public string? Kind { get; set; }

    public List<TierDto>? Tiers { get; set; }

    public ThresholdDto? Every { get; set; }

    public MoneyDto? Off { get; set; }

    public int? MaxTimes { get; set; }

    public ThresholdDto? Minimum { get; set; }

    public decimal? Percent { get; set; }

    public MoneyDto? Cap { get; set; }

    public int? Buy { get; set; }

    public int? Get { get; set; }

    public decimal? RewardPercent { get; set; }

    public string? RewardSku { get; set; }

    public int? MaxApplications { get; set; }

    public string? GiftSku { get; set; }

    public string? GiftName { get; set; }

    public MoneyDto? GiftValue { get; set; }

    public int? Quantity { get; set; }
}

internal sealed class TierDto
{
    public ThresholdDto? Threshold { get; set; }

    public MoneyDto? Off { get; set; }
}

internal sealed class ThresholdDto
{
    public string? Basis { get; set; }

    public MoneyDto? Amount { get; set; }

    public int Items { get; set; }
}

internal sealed class MoneyDto
{
    public decimal Amount { get; set; }

    public string? Currency { get; set; }
}

internal sealed class ScopeDto
{
    public List<string> Skus { get; set; } = [];

    public List<string> Categories { get; set; } = [];

    public List<string> Brands { get; set; } = [];

    public List<string> ExcludedSkus { get; set; } = [];

    public List<string> ExcludedCategories { get; set; } = [];

    public List<string> ExcludedBrands { get; set; } = [];

    public bool IncludeDiscountedItems { get; set; }
}

internal sealed class StackingDto
{
    public bool Exclusive { get; set; }

    public string? Group { get; set; }

    public int Priority { get; set; }
}

internal sealed class ValidityDto
{
    public DateTimeOffset? From { get; set; }

    public DateTimeOffset? Until { get; set; }

    public int DaysAfterClaim { get; set; }
}

internal sealed class AudienceDto
{
    public List<string> Segments { get; set; } = [];

    public bool NewUsersOnly { get; set; }
}

/// <summary>Source-generated JSON for the definition DTOs (no reflection).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DefinitionDto))]
internal sealed partial class DefinitionJsonContext : JsonSerializerContext
{
}
