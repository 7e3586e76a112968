namespace CouponKit.Rewards;

/// <summary>What order rewards did for one rule on one event; the tag of <c>couponkit.reward.outcomes</c>.</summary>
internal enum RewardOutcome
{
    /// <summary>The reward coupon was issued.</summary>
    Issued,

    /// <summary>The reward was issued before (a duplicate or late paid event); nothing new.</summary>
    Replayed,

    /// <summary>The order is below the rule's threshold or in another currency.</summary>
    BelowThreshold,

    /// <summary>The order's refund arrived first: nothing is issued.</summary>
    RefundedBeforePaid,

    /// <summary>The template is not active, does not allow pushes, or its coupons have expired.</summary>
    TemplateClosed,

    /// <summary>The template's inventory is used up.</summary>
    SoldOut,

    /// <summary>The user holds as many of the template's coupons as allowed.</summary>
    LimitReached,

    /// <summary>The reward's claim key was used for another user or template (an inconsistent event).</summary>
    KeyConflict,

    /// <summary>Refund: no reward was issued for the order.</summary>
    NothingIssued,

    /// <summary>Refund: the unused reward was revoked.</summary>
    Revoked,

    /// <summary>Refund: the reward was revoked before (a duplicate refund).</summary>
    AlreadyRevoked,

    /// <summary>Refund: the reward expired unused; nothing to take back.</summary>
    Expired,

    /// <summary>Refund: the reward was already used; the loss is recorded.</summary>
    LossRecorded,

    /// <summary>Refund: the reward is locked by an unpaid order; it is looked at again later.</summary>
    Deferred,
}
