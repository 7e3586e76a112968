namespace CouponKit.Security;

/// <summary>
/// Who owns templates, promo codes and statistics: a merchant (shop), by its id, or the platform, a distinct owner that no
/// merchant id can name.
/// </summary>
public static class CouponOwner
{
    /// <summary>
    /// The owner of platform templates, and the default owner of templates created without one (single-shop hosts, samples).
    /// Merchant ids may not start with <c>@</c>, so no merchant is the platform.
    /// </summary>
    public const string Platform = "@platform";

    /// <summary>Gets whether <paramref name="ownerId"/> is a valid owner: <see cref="Platform"/>, or a merchant id of 1 to 128 characters, not blank, not starting with <c>@</c>.</summary>
    /// <param name="ownerId">The owner id.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public static bool IsValid(string? ownerId) =>
        !string.IsNullOrWhiteSpace(ownerId) && ownerId.Length <= Guard.MaxIdentifierLength
        && (ownerId[0] != '@' || string.Equals(ownerId, Platform, StringComparison.Ordinal));

    /// <summary>Checks an owner id: <see cref="Platform"/>, or a merchant id of 1 to 128 characters, not blank, not starting with <c>@</c>.</summary>
    /// <param name="ownerId">The owner id.</param>
    /// <param name="name">The argument name, for the exception.</param>
    /// <returns>The owner id.</returns>
    /// <exception cref="ArgumentException">The id is not a valid owner.</exception>
    internal static string Require(string? ownerId, string name)
    {
        Guard.Identifier(ownerId, name);
        if (ownerId![0] == '@' && !string.Equals(ownerId, Platform, StringComparison.Ordinal))
        {
            throw new ArgumentException($"{name}: a merchant id may not start with '@' (reserved for {Platform}).", name);
        }

        return ownerId;
    }
}

/// <summary>
/// Who performs a merchant operation: the owner acted for (a merchant, or <see cref="CouponOwner.Platform"/>) and the person or
/// key acting, for the audit trail. Build it from the host's authenticated identity, never from a request body.
/// </summary>
public sealed record MerchantActor
{
    /// <summary>Initializes a new instance of the <see cref="MerchantActor"/> class.</summary>
    /// <param name="ownerId">The merchant acted for, or <see cref="CouponOwner.Platform"/>.</param>
    /// <param name="actorId">Who acts (a staff member, an API key), for the audit trail.</param>
    /// <exception cref="ArgumentException">An id is blank, too long, or a merchant id starts with <c>@</c>.</exception>
    public MerchantActor(string ownerId, string actorId)
    {
        OwnerId = CouponOwner.Require(ownerId, nameof(ownerId));
        ActorId = Guard.Identifier(actorId, nameof(actorId));
    }

    /// <summary>Gets the platform acting for itself: what the operations without an actor use.</summary>
    public static MerchantActor Platform { get; } = new(CouponOwner.Platform, "platform");

    /// <summary>Gets the owner acted for.</summary>
    public string OwnerId { get; }

    /// <summary>Gets who acts.</summary>
    public string ActorId { get; }

    /// <summary>Gets a value indicating whether the actor owns <paramref name="ownerId"/>'s resources.</summary>
    /// <param name="ownerId">The owner of a resource.</param>
    /// <returns><see langword="true"/> when it is the actor's owner.</returns>
    public bool Owns(string ownerId) => string.Equals(OwnerId, ownerId, StringComparison.Ordinal);
}

/// <summary>
/// Thrown when a merchant acts on a template, promo code or statistics of another owner. Nothing is changed, and the refusal is
/// counted (<c>couponkit.security.refusals</c>, reason <c>other_merchant</c>).
/// </summary>
public sealed class MerchantAccessDeniedException : CouponKitException
{
    /// <summary>Initializes a new instance of the <see cref="MerchantAccessDeniedException"/> class.</summary>
    /// <param name="resource">What was asked for (for example <c>template</c>).</param>
    /// <param name="resourceId">Its id, as the caller gave it.</param>
    public MerchantAccessDeniedException(string resource, string resourceId)
        : base("merchant_access_denied", $"The {resource} '{resourceId}' belongs to another merchant; it can be neither read nor changed.")
    {
        Resource = resource;
        ResourceId = resourceId;
    }

    /// <summary>Gets what was asked for.</summary>
    public string Resource { get; }

    /// <summary>Gets its id, as the caller gave it.</summary>
    public string ResourceId { get; }
}
