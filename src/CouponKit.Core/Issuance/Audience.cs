namespace CouponKit.Issuance;

/// <summary>What CouponKit knows about the user making a claim; supplied by the shop from its own user service.</summary>
public sealed class UserProfile
{
    /// <summary>Initializes a new instance of the <see cref="UserProfile"/> class.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="segments">The segments or tags the user belongs to (for example <c>vip</c>, <c>beijing</c>).</param>
    /// <param name="isNewUser">Whether the shop counts the user as new.</param>
    public UserProfile(string userId, IEnumerable<string>? segments = null, bool isNewUser = false)
    {
        UserId = Guard.Identifier(userId, nameof(userId));
        Segments = (segments ?? []).ToHashSet(StringComparer.Ordinal);
        IsNewUser = isNewUser;
    }

    /// <summary>Gets the user.</summary>
    public string UserId { get; }

    /// <summary>Gets the segments the user belongs to.</summary>
    public IReadOnlySet<string> Segments { get; }

    /// <summary>Gets a value indicating whether the shop counts the user as new.</summary>
    public bool IsNewUser { get; }
}

/// <summary>Who may claim a template's coupons.</summary>
public sealed class Audience
{
    /// <summary>Gets an audience of every user.</summary>
    public static Audience Everyone { get; } = new();

    /// <summary>Gets the segments admitted; empty admits every segment.</summary>
    public IReadOnlyCollection<string> Segments { get; init; } = [];

    /// <summary>Gets a value indicating whether only new users are admitted.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool NewUsersOnly { get; init; }

    /// <summary>An audience of the users in any of the given segments.</summary>
    /// <param name="segments">The segments.</param>
    /// <returns>The audience.</returns>
    public static Audience InSegments(params string[] segments) => new() { Segments = segments };

    /// <summary>Decides whether a user belongs to the audience.</summary>
    /// <param name="user">The user.</param>
    /// <returns><see langword="true"/> when admitted.</returns>
    public bool Admits(UserProfile user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (NewUsersOnly && !user.IsNewUser)
        {
            return false;
        }

        return Segments.Count == 0 || Segments.Any(user.Segments.Contains);
    }
}
