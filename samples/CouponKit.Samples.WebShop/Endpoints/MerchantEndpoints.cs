using System.Security.Claims;
using CouponKit.Issuance;
using CouponKit.Ports;
using CouponKit.Rules;
using CouponKit.Samples.WebShop.Contracts;
using CouponKit.Samples.WebShop.Security;
using CouponKit.Security;
using CouponKit.Statistics;

namespace CouponKit.Samples.WebShop.Endpoints;

/// <summary>
/// The merchant's endpoints on their own templates: create, read, change inventory, change state, statistics, promo codes and the
/// audit trail. A merchant token is bound to one merchant (the <c>merchant_id</c> claim): every call acts as that merchant through
/// the core's tenancy (<see cref="MerchantActor"/>), which refuses another merchant's template, codes and statistics
/// (<see cref="MerchantAccessDeniedException"/>, answered exactly as an unknown template: 404) and audits every change with the
/// token's subject as the actor.
/// </summary>
public static class MerchantEndpoints
{
    /// <summary>The most promo codes created in one call.</summary>
    public const int MaxPromoCodesPerCall = 1_000;

    /// <summary>The most audit entries returned.</summary>
    public const int MaxAuditEntries = 500;

    /// <summary>Maps the endpoints.</summary>
    /// <param name="app">The routes.</param>
    /// <returns>The group.</returns>
    public static RouteGroupBuilder MapMerchantEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/merchant/templates").RequireAuthorization(ShopClaims.MerchantPolicy).WithTags("Merchant");
        group.MapPost(string.Empty, CreateAsync).WithName("CreateTemplate").WithSummary("Creates a template (and activates it unless activate is false).");
        group.MapGet("/{templateId}", GetAsync).WithName("GetTemplate").WithSummary("Reads a template with its inventory.");
        group.MapPut("/{templateId}/inventory", ChangeInventoryAsync).WithName("ChangeInventory").WithSummary("Changes a template's total inventory.");
        group.MapPost("/{templateId}/state", ChangeStateAsync).WithName("ChangeTemplateState").WithSummary("Activates, pauses, resumes or ends a template.");
        group.MapGet("/{templateId}/statistics", StatisticsAsync).WithName("TemplateStatistics").WithSummary("Reads a template's statistics.");
        group.MapPost("/{templateId}/promo-codes", CreatePromoCodesAsync).WithName("CreatePromoCodes").WithSummary("Creates promo codes for a template; they are shown this once.");
        group.MapGet("/{templateId}/audit", AuditAsync).WithName("TemplateAudit").WithSummary("Reads the audit trail of a template: who changed what, when, old and new values.");
        return group;
    }

    /// <summary>The acting merchant, from the token only: the merchant it is bound to, and its subject (the staff member) as the actor.</summary>
    private static MerchantActor Actor(ClaimsPrincipal user) => new(user.Merchant(), user.UserId());

    private static async Task<IResult> CreateAsync(CreateTemplateBody body, ClaimsPrincipal user, CouponTemplates templates, CancellationToken cancellationToken)
    {
        var errors = new Errors();
        if (string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > 200)
        {
            errors.Add("name", "must be 1 to 200 characters and not blank.");
        }

        if (string.IsNullOrWhiteSpace(body.Currency) || body.Currency.Length != 3)
        {
            errors.Add("currency", "must be a three-letter ISO 4217 code.");
        }

        if (body.Rule is null)
        {
            errors.Add("rule", "is required.");
        }

        if (body.ValidDays is null == (body.ValidFrom is null || body.ValidUntil is null))
        {
            errors.Add("validDays", "give either validDays or both validFrom and validUntil.");
        }

        if (errors.Any)
        {
            return errors.Result();
        }

        var rule = BuildRule(body.Rule!, body.Currency!.ToUpperInvariant(), errors);
        if (rule is null)
        {
            return errors.Result();
        }

        var actor = Actor(user);
        var draft = new TemplateDraft
        {
            OwnerId = actor.OwnerId,
            Name = body.Name!,
            Rule = rule,
            TotalInventory = body.TotalInventory,
            PerUserLimit = body.PerUserLimit,
            Validity = body.ValidDays is { } days ? CouponValidity.ForDaysAfterClaim(days) : CouponValidity.Between(body.ValidFrom!.Value, body.ValidUntil!.Value),
            ClaimStartsAt = body.ClaimStartsAt,
            ClaimEndsAt = body.ClaimEndsAt,
        };
        var template = await templates.CreateAsync(actor, draft, cancellationToken).ConfigureAwait(false);
        if (body.Activate)
        {
            template = await templates.ActivateAsync(actor, template.Id, cancellationToken).ConfigureAwait(false);
        }

        var stock = await templates.GetStockAsync(actor, template.Id, cancellationToken).ConfigureAwait(false);
        return Results.Created($"/merchant/templates/{template.Id}", TemplateView.Of(template, stock));
    }

    private static async Task<IResult> GetAsync(string templateId, ClaimsPrincipal user, CouponTemplates templates, CancellationToken cancellationToken)
    {
        if (Malformed(templateId) is { } refused)
        {
            return refused;
        }

        var actor = Actor(user);
        var template = await templates.GetAsync(actor, templateId, cancellationToken).ConfigureAwait(false);
        var stock = await templates.GetStockAsync(actor, templateId, cancellationToken).ConfigureAwait(false);
        return Results.Ok(TemplateView.Of(template, stock));
    }

    private static async Task<IResult> ChangeInventoryAsync(string templateId, InventoryBody body, ClaimsPrincipal user, CouponTemplates templates, CancellationToken cancellationToken)
    {
        if (Malformed(templateId) is { } refused)
        {
            return refused;
        }

        if (body.TotalInventory is < 1 or > CouponTemplate.MaxInventory)
        {
            var errors = new Errors();
            errors.Add("totalInventory", $"must be 1 to {CouponTemplate.MaxInventory}.");
            return errors.Result();
        }

        var actor = Actor(user);
        var template = await templates.EditAsync(actor, templateId, new TemplateEdit { TotalInventory = body.TotalInventory }, cancellationToken).ConfigureAwait(false);
        var stock = await templates.GetStockAsync(actor, templateId, cancellationToken).ConfigureAwait(false);
        return Results.Ok(TemplateView.Of(template, stock));
    }

    private static async Task<IResult> ChangeStateAsync(string templateId, TemplateStateBody body, ClaimsPrincipal user, CouponTemplates templates, CancellationToken cancellationToken)
    {
        if (Malformed(templateId) is { } refused)
        {
            return refused;
        }

        var actor = Actor(user);
        var template = body.Action switch
        {
            TemplateAction.Activate => await templates.ActivateAsync(actor, templateId, cancellationToken).ConfigureAwait(false),
            TemplateAction.Pause => await templates.PauseAsync(actor, templateId, cancellationToken).ConfigureAwait(false),
            TemplateAction.Resume => await templates.ResumeAsync(actor, templateId, cancellationToken).ConfigureAwait(false),
            TemplateAction.End => await templates.EndAsync(actor, templateId, cancellationToken).ConfigureAwait(false),
            _ => null,
        };
        if (template is null)
        {
            var errors = new Errors();
            errors.Add("action", "must be Activate, Pause, Resume or End.");
            return errors.Result();
        }

        var stock = await templates.GetStockAsync(actor, templateId, cancellationToken).ConfigureAwait(false);
        return Results.Ok(TemplateView.Of(template, stock));
    }

    private static async Task<IResult> StatisticsAsync(string templateId, ClaimsPrincipal user, CouponStatistics statistics, CancellationToken cancellationToken)
    {
        if (Malformed(templateId) is { } refused)
        {
            return refused;
        }

        return Results.Ok(StatisticsView.Of(await statistics.GetTemplateAsync(Actor(user), templateId, cancellationToken).ConfigureAwait(false)));
    }

    private static async Task<IResult> CreatePromoCodesAsync(string templateId, PromoCodesBody body, ClaimsPrincipal user, PromoCodeRedemptions promoCodes, CancellationToken cancellationToken)
    {
        var errors = new Errors();
        errors.Identifier("templateId", templateId);
        if (body.Count is < 1 or > MaxPromoCodesPerCall)
        {
            errors.Add("count", $"must be 1 to {MaxPromoCodesPerCall}.");
        }

        if (body.MaxRedemptionsPerCode is < 1 or > CouponTemplate.MaxInventory)
        {
            errors.Add("maxRedemptionsPerCode", $"must be 1 to {CouponTemplate.MaxInventory}.");
        }

        if (errors.Any)
        {
            return errors.Result();
        }

        var codes = await promoCodes.CreateCodesAsync(Actor(user), templateId, body.Count, body.MaxRedemptionsPerCode, cancellationToken).ConfigureAwait(false);
        return Results.Ok(new PromoCodesView(templateId, codes));
    }

    private static async Task<IResult> AuditAsync(string templateId, ClaimsPrincipal user, CouponTemplates templates, IAuditLog audit, CancellationToken cancellationToken)
    {
        if (Malformed(templateId) is { } refused)
        {
            return refused;
        }

        // The core refuses another merchant's template first; the trail is then read for the actor's own owner only.
        var actor = Actor(user);
        await templates.GetAsync(actor, templateId, cancellationToken).ConfigureAwait(false);
        var entries = await audit.ListAsync(actor.OwnerId, templateId, MaxAuditEntries, cancellationToken).ConfigureAwait(false);
        return Results.Ok(entries.Select(AuditEntryView.Of).ToArray());
    }

    /// <summary>A malformed template id is a 400 listing the field, before any lookup.</summary>
    private static IResult? Malformed(string templateId)
    {
        var errors = new Errors();
        errors.Identifier("templateId", templateId);
        return errors.Any ? errors.Result() : null;
    }

    private static DiscountRule? BuildRule(RuleBody rule, string currency, Errors errors)
    {
        Money? Amount(decimal? value) => value is { } v ? Money.Of(v, currency) : null;
        Threshold? Spend(decimal? value) => value is { } v ? Threshold.Spend(Money.Of(v, currency)) : null;
        switch (rule.Kind)
        {
            case RuleKind.ThresholdRebate when rule.Threshold is not null && rule.Off is not null:
                return new ThresholdRebateRule(Spend(rule.Threshold)!, Amount(rule.Off)!.Value);
            case RuleKind.FixedAmount when rule.Off is not null:
                return new FixedAmountRule(Amount(rule.Off)!.Value, Spend(rule.Threshold));
            case RuleKind.PercentOff when rule.Percent is not null:
                return new PercentOffRule(rule.Percent.Value, Amount(rule.Cap), Spend(rule.Threshold));
            case RuleKind.FreeShipping:
                return new FreeShippingRule(Spend(rule.Threshold), Amount(rule.Cap));
            case RuleKind.ThresholdRebate:
                errors.Add("rule", "a ThresholdRebate needs threshold and off.");
                return null;
            case RuleKind.FixedAmount:
                errors.Add("rule", "a FixedAmount needs off.");
                return null;
            case RuleKind.PercentOff:
                errors.Add("rule", "a PercentOff needs percent.");
                return null;
            default:
                errors.Add("rule.kind", "the web shop creates ThresholdRebate, FixedAmount, PercentOff and FreeShipping templates.");
                return null;
        }
    }
}
