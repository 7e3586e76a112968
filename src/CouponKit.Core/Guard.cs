namespace CouponKit;

/// <summary>Argument checks shared by the domain types.</summary>
internal static class Guard
{
    public const int MaxIdentifierLength = 128;

    public static string Identifier(string? value, string name)
    {
        if (value is null)
        {
            throw new ArgumentNullException(name);
        }

        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxIdentifierLength)
        {
            throw new ArgumentException($"{name} must be 1 to {MaxIdentifierLength} characters and not blank.", name);
        }

        return value;
    }
}
