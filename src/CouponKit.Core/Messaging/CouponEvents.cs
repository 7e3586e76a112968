using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CouponKit.Issuance;
using CouponKit.Redemption;

namespace CouponKit.Messaging;

/// <summary>
/// Builds the messages CouponKit writes to the outbox. Message ids are derived from what the message reports (an order's phase,
/// a coupon's issue, a template's version), so the same fact always has the same id and consumers de-duplicate on it.
/// </summary>
public static class CouponEvents
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The body of order events (<see cref="CouponTopics.Locked"/>, <see cref="CouponTopics.Confirmed"/>, <see cref="CouponTopics.Released"/>, <see cref="CouponTopics.LockTimeout"/>).</summary>
    /// <param name="OrderId">The order.</param>
    /// <param name="UserId">The user.</param>
    /// <param name="CouponIds">The coupons.</param>
    /// <param name="TemplateIds">The coupons' templates, in the same order.</param>
    /// <param name="At">When it happened.</param>
    /// <param name="Reason">Why, for releases.</param>
    public sealed record OrderCoupons(string OrderId, string UserId, IReadOnlyList<string> CouponIds, IReadOnlyList<string> TemplateIds, DateTimeOffset At, string? Reason);

    /// <summary>The body of <see cref="CouponTopics.Issued"/>.</summary>
    /// <param name="CouponId">The coupon.</param>
    /// <param name="TemplateId">The template.</param>
    /// <param name="UserId">The user.</param>
    /// <param name="ClaimKey">The claim's idempotency key.</param>
    /// <param name="At">When it was issued.</param>
    public sealed record CouponIssued(string CouponId, string TemplateId, string UserId, string ClaimKey, DateTimeOffset At);

    /// <summary>The body of <see cref="CouponTopics.TemplateChanged"/>.</summary>
    /// <param name="TemplateId">The template.</param>
    /// <param name="Version">Its new version.</param>
    /// <param name="State">Its state.</param>
    /// <param name="TotalInventory">Its total inventory.</param>
    /// <param name="Change">What changed, in words.</param>
    /// <param name="At">When.</param>
    public sealed record TemplateChange(string TemplateId, long Version, TemplateState State, int TotalInventory, string Change, DateTimeOffset At);

    /// <summary>Reads a message body.</summary>
    /// <typeparam name="T">The body type.</typeparam>
    /// <param name="message">The message.</param>
    /// <returns>The body.</returns>
    public static T Read<T>(OutboxMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return JsonSerializer.Deserialize<T>(message.Body, Json) ?? throw new JsonException($"Message '{message.MessageId}' has an empty body.");
    }

    /// <summary>The event of an issued coupon.</summary>
    /// <param name="coupon">The coupon.</param>
    /// <param name="claimKey">The claim key.</param>
    /// <returns>The message.</returns>
    public static OutboxMessage Issued(IssuedCoupon coupon, string claimKey)
    {
        ArgumentNullException.ThrowIfNull(coupon);
        // Keyed by the coupon (its aggregate), not the template: a flash sale's thousands of Issued events must not queue
        // behind one another in the outbox's order-per-key dispatch.
        return Create($"coupon:{coupon.CouponId}:issued", CouponTopics.Issued, coupon.CouponId, new CouponIssued(coupon.CouponId, coupon.TemplateId, coupon.UserId, claimKey, coupon.ClaimedAt), coupon.ClaimedAt);
    }

    /// <summary>The event of a changed template.</summary>
    /// <param name="template">The new version.</param>
    /// <param name="change">What changed.</param>
    /// <returns>The message.</returns>
    public static OutboxMessage TemplateChanged(CouponTemplate template, string change)
    {
        ArgumentNullException.ThrowIfNull(template);
        return Create($"template:{template.Id}:v{template.Version}", CouponTopics.TemplateChanged, template.Id, new TemplateChange(template.Id, template.Version, template.State, template.TotalInventory, change, template.UpdatedAt), template.UpdatedAt);
    }

    internal static OutboxMessage Locked(RedemptionCommand command, IReadOnlyList<IssuedCoupon> coupons) => Order(command, coupons, CouponTopics.Locked, command.At);

    internal static OutboxMessage Confirmed(RedemptionCommand command, IReadOnlyList<IssuedCoupon> coupons) => Order(command, coupons, CouponTopics.Confirmed, command.At);

    internal static OutboxMessage Released(RedemptionCommand command, IReadOnlyList<IssuedCoupon> coupons) => Order(command, coupons, CouponTopics.Released, command.At);

    internal static OutboxMessage LockTimeout(RedemptionCommand command, DateTimeOffset deliverAt)
    {
        var body = new OrderCoupons(command.OrderId, command.UserId, command.CouponIds, [], command.At, "timeout");
        return Create($"order:{command.OrderId}:lock-timeout", CouponTopics.LockTimeout, command.OrderId, body, command.At, deliverAt);
    }

    private static OutboxMessage Order(RedemptionCommand command, IReadOnlyList<IssuedCoupon> coupons, string tag, DateTimeOffset at)
    {
        var ids = coupons.Select(c => c.CouponId).ToArray();
        var body = new OrderCoupons(command.OrderId, command.UserId, ids, coupons.Select(c => c.TemplateId).ToArray(), at, command.Reason);
        return Create($"order:{command.OrderId}:{tag.ToLowerInvariant()}:{Digest(ids)}", tag, command.OrderId, body, at);
    }

    private static OutboxMessage Create<T>(string id, string tag, string key, T body, DateTimeOffset at, DateTimeOffset? deliverAt = null) =>
        new(id, CouponTopics.Coupon, tag, key, JsonSerializer.Serialize(body, Json), at, deliverAt);

    private static string Digest(IEnumerable<string> ids)
    {
        var joined = string.Join('\n', ids.Order(StringComparer.Ordinal));
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(joined)), 0, 8).ToLowerInvariant();
    }
}
