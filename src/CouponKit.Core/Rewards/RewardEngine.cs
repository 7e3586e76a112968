using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CouponKit.Benefits;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Redemption;
using CouponKit.Telemetry;
using Microsoft.Extensions.Logging;

namespace CouponKit.Rewards;

/// <summary>
/// The decisions of order rewards, without the bus: a paid order gets each rule's reward once (claim key
/// <c>reward:{ruleId}:{orderId}</c>, through the store's atomic issue), and a refunded order gets its tombstone, then each reward
/// is revoked (unused), recorded as a loss (used), or looked at again later (locked by an unpaid order).
/// </summary>
/// <remarks>
/// A paid event checks the tombstone before issuing, and again after: a refund that lands between the two finds either no
/// coupon (and then the paid event's second check sees its tombstone and revokes what it issued) or the coupon (and revokes it
/// itself). Either way a refunded order keeps no usable reward, whatever the order of the events.
/// </remarks>
internal sealed class RewardEngine(
    ITemplateStore templates,
    ICouponStore coupons,
    ICouponRevocationStore revocations,
    IRewardLedger ledger,
    ICouponDiscountStore discounts,
    IMessageBus bus,
    TimeProvider time,
    RewardOptions options,
    RewardMetrics metrics,
    ILogger logger)
{
    /// <summary>The tag of the delayed re-check of a refunded order's locked reward (topic <see cref="CouponTopics.Coupon"/>).</summary>
    public const string RecheckTag = "RewardRefundRecheck";

    /// <summary>The tag of the event of a revoked coupon (topic <see cref="CouponTopics.Coupon"/>).</summary>
    public const string RevokedTag = "Revoked";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The claim key of a rule's reward for an order: <c>reward:{ruleId}:{orderId}</c>, or a hash of both when that is too long.</summary>
    public static string ClaimKeyOf(string ruleId, string orderId)
    {
        var key = "reward:" + ruleId + ":" + orderId;
        if (key.Length <= CouponClaims.MaxIdempotencyKeyLength)
        {
            return key;
        }

        return "reward:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(ruleId + "\n" + orderId)));
    }

    /// <summary>Gets a value indicating whether any rule is configured.</summary>
    public bool HasRules => options.Rules.Count > 0;

    /// <summary>Applies every rule to a paid order.</summary>
    /// <exception cref="ArgumentException">The event is malformed (blank ids, unknown currency).</exception>
    /// <exception cref="TemplateNotFoundException">A rule names a template that does not exist (the event is retried, then dead-lettered).</exception>
    public async Task<IReadOnlyList<(string RuleId, RewardOutcome Outcome)>> PaidAsync(OrderPaid paid, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(paid);
        Guard.Identifier(paid.OrderId, nameof(paid.OrderId));
        Guard.Identifier(paid.UserId, nameof(paid.UserId));
        if (!Currency.TryFromCode(paid.Currency, out _))
        {
            throw new ArgumentException($"The currency '{paid.Currency}' of order '{paid.OrderId}' is not a known ISO 4217 code.", nameof(paid));
        }

        var results = new List<(string, RewardOutcome)>(options.Rules.Count);
        foreach (var rule in options.Rules)
        {
            var outcome = await PaidForRuleAsync(rule, paid, cancellationToken).ConfigureAwait(false);
            metrics.Outcome(outcome.ToString());
            results.Add((rule.RuleId, outcome));
        }

        return results;
    }

    /// <summary>Records the order's tombstone, then takes back each rule's reward.</summary>
    /// <exception cref="ArgumentException">The event is malformed (blank order id).</exception>
    public async Task<IReadOnlyList<(string RuleId, RewardOutcome Outcome)>> RefundedAsync(OrderRefunded refunded, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(refunded);
        Guard.Identifier(refunded.OrderId, nameof(refunded.OrderId));

        // The tombstone first: a paid event handled from now on issues nothing, and one issuing right now revokes what it issued.
        await ledger.MarkRefundedAsync(refunded.OrderId, refunded.RefundedAt, cancellationToken).ConfigureAwait(false);
        var results = new List<(string, RewardOutcome)>(options.Rules.Count);
        foreach (var rule in options.Rules)
        {
            var outcome = await SettleAsync(rule.RuleId, refunded.OrderId, ClaimKeyOf(rule.RuleId, refunded.OrderId), cancellationToken).ConfigureAwait(false);
            results.Add((rule.RuleId, outcome));
        }

        return results;
    }

    /// <summary>Looks again at a refunded order's reward that was locked.</summary>
    public Task<RewardOutcome> RecheckAsync(Recheck recheck, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recheck);
        return SettleAsync(recheck.RuleId, recheck.OrderId, recheck.ClaimKey, cancellationToken);
    }

    private async Task<RewardOutcome> PaidForRuleAsync(RewardRule rule, OrderPaid paid, CancellationToken cancellationToken)
    {
        if (!string.Equals(rule.Currency, paid.Currency, StringComparison.OrdinalIgnoreCase) || paid.Amount < rule.MinimumOrderAmount)
        {
            return Skipped(rule, paid, RewardOutcome.BelowThreshold);
        }

        if (await ledger.IsRefundedAsync(paid.OrderId, cancellationToken).ConfigureAwait(false))
        {
            return Skipped(rule, paid, RewardOutcome.RefundedBeforePaid);
        }

        var template = await templates.FindAsync(rule.TemplateId, cancellationToken).ConfigureAwait(false)
            ?? throw new TemplateNotFoundException(rule.TemplateId);
        var now = time.GetUtcNow();
        if (template.State != TemplateState.Active || (template.Channels & ClaimChannels.Push) == 0 || (!template.Validity.IsRelative && now >= template.Validity.Until))
        {
            Log.RewardNotIssuable(logger, rule.RuleId, template.Id, paid.OrderId, RewardOutcome.TemplateClosed.ToString());
            return RewardOutcome.TemplateClosed;
        }

        BenefitIssuance.EnsureSupported(template, coupons);
        var key = ClaimKeyOf(rule.RuleId, paid.OrderId);
        var (from, until) = template.Validity.WindowFor(now);
        var coupon = BenefitIssuance.Prepare(template, new IssuedCoupon(Guid.NewGuid().ToString("N"), template.Id, paid.UserId, CouponState.Available, from, until, now, ClaimChannels.Push, null, 1));
        var events = BenefitIssuance.Events(template, coupon, CouponEvents.Issued(coupon, key));
        var command = new IssueCommand(key, coupon, template.PerUserLimit, events) { AssignSequence = BenefitIssuance.NeedsSequence(template) };
        var issue = await coupons.IssueAsync(command, cancellationToken).ConfigureAwait(false);
        switch (issue.Status)
        {
            case IssueStatus.Issued:
            case IssueStatus.Replayed:
                var outcome = issue.Status == IssueStatus.Issued ? RewardOutcome.Issued : RewardOutcome.Replayed;
                Log.RewardIssued(logger, paid.OrderId, rule.RuleId, outcome.ToString(), issue.Coupon?.CouponId);

                // A refund may have landed since the check above, without finding this coupon: take it back here.
                if (await ledger.IsRefundedAsync(paid.OrderId, cancellationToken).ConfigureAwait(false))
                {
                    var settled = await SettleAsync(rule.RuleId, paid.OrderId, key, cancellationToken).ConfigureAwait(false);
                    return settled == RewardOutcome.AlreadyRevoked ? outcome : settled;
                }

                return outcome;
            case IssueStatus.SoldOut:
                return Skipped(rule, paid, RewardOutcome.SoldOut);
            case IssueStatus.LimitReached:
                return Skipped(rule, paid, RewardOutcome.LimitReached);
            case IssueStatus.KeyConflict:
                Log.RewardNotIssuable(logger, rule.RuleId, template.Id, paid.OrderId, RewardOutcome.KeyConflict.ToString());
                return RewardOutcome.KeyConflict;
            default:
                throw new InvalidOperationException($"The coupon store answered an unknown issue status {issue.Status}.");
        }
    }

    /// <summary>Takes back a refunded order's reward: revoke it if available, record the loss if used, look again if locked.</summary>
    private async Task<RewardOutcome> SettleAsync(string ruleId, string orderId, string claimKey, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 16; attempt++)
        {
            var coupon = await coupons.FindByClaimKeyAsync(claimKey, cancellationToken).ConfigureAwait(false);
            var outcome = coupon?.State switch
            {
                null => RewardOutcome.NothingIssued,
                CouponState.Revoked => RewardOutcome.AlreadyRevoked,
                CouponState.Expired => RewardOutcome.Expired,
                CouponState.Used => await RecordLossAsync(ruleId, orderId, coupon, cancellationToken).ConfigureAwait(false),
                CouponState.Locked => await DeferAsync(ruleId, orderId, claimKey, cancellationToken).ConfigureAwait(false),
                CouponState.Available => await revocations.TryRevokeAsync(coupon.CouponId, [RevokedEvent(coupon, ruleId, orderId)], cancellationToken).ConfigureAwait(false) is null
                    ? (RewardOutcome?)null // changed meanwhile (an order locked it): look again
                    : RewardOutcome.Revoked,
                _ => throw new InvalidOperationException($"Coupon '{coupon.CouponId}' is in an unknown state {coupon.State}."),
            };
            if (outcome is { } done)
            {
                metrics.Outcome(done.ToString());
                Log.RewardRefundSettled(logger, orderId, ruleId, done.ToString(), coupon?.CouponId);
                return done;
            }
        }

        throw new ConcurrencyConflictException($"The reward of order '{orderId}' (rule '{ruleId}')");
    }

    private async Task<RewardOutcome> RecordLossAsync(string ruleId, string orderId, IssuedCoupon coupon, CancellationToken cancellationToken)
    {
        Money? discount = null;
        if (coupon.OrderId is { } usedBy)
        {
            var recorded = await discounts.ListByOrderAsync(usedBy, cancellationToken).ConfigureAwait(false);
            discount = recorded.FirstOrDefault(d => string.Equals(d.CouponId, coupon.CouponId, StringComparison.Ordinal))?.Amount;
        }

        var loss = new RewardLoss(ruleId, orderId, coupon.CouponId, coupon.TemplateId, coupon.UserId, coupon.OrderId, discount, time.GetUtcNow());
        if (await ledger.AddLossAsync(loss, cancellationToken).ConfigureAwait(false))
        {
            Log.RewardLossRecorded(logger, orderId, ruleId, coupon.CouponId);
        }

        return RewardOutcome.LossRecorded;
    }

    private async Task<RewardOutcome> DeferAsync(string ruleId, string orderId, string claimKey, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var body = JsonSerializer.Serialize(new Recheck(ruleId, orderId, claimKey), Json);
        var id = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"reward:{Digest(claimKey)}:recheck:{now.UtcTicks}");
        await bus.PublishAsync(new OutboxMessage(id, CouponTopics.Coupon, RecheckTag, orderId, body, now, now + options.LockedRecheckInterval), cancellationToken).ConfigureAwait(false);
        return RewardOutcome.Deferred;
    }

    private OutboxMessage RevokedEvent(IssuedCoupon coupon, string ruleId, string orderId)
    {
        var at = time.GetUtcNow();
        var body = JsonSerializer.Serialize(new CouponRevoked(coupon.CouponId, coupon.TemplateId, coupon.UserId, ruleId, orderId, at), Json);
        return new OutboxMessage($"coupon:{coupon.CouponId}:revoked", CouponTopics.Coupon, RevokedTag, coupon.CouponId, body, at);
    }

    private RewardOutcome Skipped(RewardRule rule, OrderPaid paid, RewardOutcome outcome)
    {
        Log.RewardSkipped(logger, paid.OrderId, rule.RuleId, outcome.ToString());
        return outcome;
    }

    private static string Digest(string value) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(value)), 0, 12).ToLowerInvariant();

    /// <summary>The body of a <see cref="RecheckTag"/> command.</summary>
    /// <param name="RuleId">The rule.</param>
    /// <param name="OrderId">The refunded order.</param>
    /// <param name="ClaimKey">The reward's claim key.</param>
    internal sealed record Recheck(string RuleId, string OrderId, string ClaimKey);
}
