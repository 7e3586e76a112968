using System.Text.Json;
using CouponKit.Issuance;

namespace CouponKit.Messaging;

/// <summary>Builds the <see cref="CouponTopics.Expired"/> events. Read their bodies with <see cref="CouponEvents.Read{T}"/>.</summary>
public static class ExpiryEvents
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The body of <see cref="CouponTopics.Expired"/>.</summary>
    /// <param name="CouponId">The coupon.</param>
    /// <param name="TemplateId">The template.</param>
    /// <param name="UserId">The user who held it.</param>
    /// <param name="ValidUntil">The end of its validity.</param>
    /// <param name="At">When it was expired.</param>
    public sealed record CouponExpired(string CouponId, string TemplateId, string UserId, DateTimeOffset ValidUntil, DateTimeOffset At);

    /// <summary>
    /// The event of an expired coupon. Its id is <c>coupon:{id}:expired</c> (a coupon expires once); its key is the template, like
    /// <see cref="CouponTopics.Issued"/>, so that a coupon's issue is dispatched before its expiry.
    /// </summary>
    /// <param name="coupon">The coupon, expired.</param>
    /// <param name="at">When it was expired.</param>
    /// <returns>The message.</returns>
    public static OutboxMessage Expired(IssuedCoupon coupon, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(coupon);
        var body = new CouponExpired(coupon.CouponId, coupon.TemplateId, coupon.UserId, coupon.ValidUntil, at);
        return new OutboxMessage($"coupon:{coupon.CouponId}:expired", CouponTopics.Coupon, CouponTopics.Expired, coupon.TemplateId, JsonSerializer.Serialize(body, Json), at);
    }
}
