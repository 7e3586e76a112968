using System.Text.Json;
using CouponKit.Messaging;

namespace CouponKit.Rewards;

/// <summary>
/// The topic and tags of the shop's order events that CouponKit consumes for order rewards. The shop publishes them (JSON, web
/// naming: camelCase) on its <see cref="Ports.IMessageBus"/>, keyed by the order id; <see cref="OrderEvents"/> builds them.
/// </summary>
public static class OrderTopics
{
    /// <summary>The topic of the shop's order events.</summary>
    public const string Order = "order";

    /// <summary>An order was paid (event, body <see cref="OrderPaid"/>).</summary>
    public const string Paid = "OrderPaid";

    /// <summary>An order was refunded (event, body <see cref="OrderRefunded"/>).</summary>
    public const string Refunded = "OrderRefunded";
}

/// <summary>The body of <see cref="OrderTopics.Paid"/>: an order was paid.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="UserId">The user who paid it (who gets the reward).</param>
/// <param name="Amount">The amount paid, in major units (300.00), compared with the rules' thresholds.</param>
/// <param name="Currency">The ISO 4217 code of <paramref name="Amount"/>.</param>
/// <param name="PaidAt">When it was paid.</param>
public sealed record OrderPaid(string OrderId, string UserId, decimal Amount, string Currency, DateTimeOffset PaidAt);

/// <summary>The body of <see cref="OrderTopics.Refunded"/>: an order was refunded (in full), so its rewards are taken back.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="UserId">The user.</param>
/// <param name="RefundedAt">When it was refunded.</param>
public sealed record OrderRefunded(string OrderId, string UserId, DateTimeOffset RefundedAt);

/// <summary>
/// Builds the shop's order events. Message ids are derived from the order (<c>order:{orderId}:paid</c>,
/// <c>order:{orderId}:refunded</c>), so a re-published event is the same message and the consumers' inbox drops it.
/// </summary>
public static class OrderEvents
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The message of a paid order.</summary>
    /// <param name="paid">The event.</param>
    /// <returns>The message, on topic <see cref="OrderTopics.Order"/> with tag <see cref="OrderTopics.Paid"/>.</returns>
    public static OutboxMessage Paid(OrderPaid paid)
    {
        ArgumentNullException.ThrowIfNull(paid);
        Guard.Identifier(paid.OrderId, nameof(paid.OrderId));
        return new OutboxMessage($"order:{paid.OrderId}:paid", OrderTopics.Order, OrderTopics.Paid, paid.OrderId, JsonSerializer.Serialize(paid, Json), paid.PaidAt);
    }

    /// <summary>The message of a refunded order.</summary>
    /// <param name="refunded">The event.</param>
    /// <returns>The message, on topic <see cref="OrderTopics.Order"/> with tag <see cref="OrderTopics.Refunded"/>.</returns>
    public static OutboxMessage Refunded(OrderRefunded refunded)
    {
        ArgumentNullException.ThrowIfNull(refunded);
        Guard.Identifier(refunded.OrderId, nameof(refunded.OrderId));
        return new OutboxMessage($"order:{refunded.OrderId}:refunded", OrderTopics.Order, OrderTopics.Refunded, refunded.OrderId, JsonSerializer.Serialize(refunded, Json), refunded.RefundedAt);
    }
}

/// <summary>The body of the <c>Revoked</c> event (topic <see cref="CouponTopics.Coupon"/>): a reward coupon was taken back unused.</summary>
/// <param name="CouponId">The coupon.</param>
/// <param name="TemplateId">Its template.</param>
/// <param name="UserId">Its holder.</param>
/// <param name="RuleId">The reward rule that issued it.</param>
/// <param name="OrderId">The refunded order that had earned it.</param>
/// <param name="At">When it was revoked.</param>
public sealed record CouponRevoked(string CouponId, string TemplateId, string UserId, string RuleId, string OrderId, DateTimeOffset At);
