using System.Security.Cryptography;

namespace CouponKit.RocketMQ.Protocol;

/// <summary>Client-side message ids: the official clients' version prefix <c>01</c> and 16 random bytes in upper-case hex (34 characters).</summary>
internal static class MessageIds
{
    public static string New() => ProtocolConstants.MessageIdVersion + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
}
