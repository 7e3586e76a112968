using System.Buffers.Binary;
using System.Security.Cryptography;

namespace CouponKit.Issuance;

/// <summary>
/// Coupon ids that sort by issue time: 32 lowercase hex digits, the layout of a version-7 UUID (48 bits of Unix milliseconds,
/// then 74 random bits), the same length and alphabet as <c>Guid.ToString("N")</c>. Bulk issuance uses them so that the
/// indexes keyed by the coupon id (the coupons' primary key, the outbox's message id and key) grow at their right edge instead
/// of at random pages: a push of a million coupons touches far fewer index pages, and writes far less WAL.
/// </summary>
internal static class SortableCouponIds
{
    /// <summary>Creates an id whose first 12 digits are <paramref name="at"/> in Unix milliseconds.</summary>
    /// <param name="at">The issue time (from the injected clock).</param>
    /// <returns>The id; unique by its 74 random bits even for ids of the same millisecond.</returns>
    public static string New(DateTimeOffset at)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(bytes, Math.Max(0, at.ToUnixTimeMilliseconds()) << 16);
        RandomNumberGenerator.Fill(bytes[6..]);
        bytes[6] = (byte)(0x70 | (bytes[6] & 0x0F)); // version 7
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F)); // RFC 9562 variant
        return Convert.ToHexString(bytes).ToLowerInvariant();
    }
}
