namespace CouponKit.RocketMQ.Protocol;

/// <summary>Checks topic and consumer-group names against the RocketMQ naming rule.</summary>
internal static class ResourceNames
{
    private const int MaxLength = 255;

    /// <summary>Returns whether <paramref name="name"/> is 1 to 255 characters of letters, digits, '%', '|', '-' or '_'.</summary>
    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '%' or '|' or '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
