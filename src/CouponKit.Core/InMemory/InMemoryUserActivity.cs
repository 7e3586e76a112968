using CouponKit.Ports;

namespace CouponKit.InMemory;

/// <summary>Every user is active unless marked inactive; the default when the shop supplies no user service.</summary>
public sealed class InMemoryUserActivity : IUserActivity
{
    private readonly object _gate = new();
    private readonly HashSet<string> _inactive = new(StringComparer.Ordinal);

    /// <summary>Marks a user as inactive or active again.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="active">Whether the user is active.</param>
    public void SetActive(string userId, bool active)
    {
        ArgumentNullException.ThrowIfNull(userId);
        lock (_gate)
        {
            if (active)
            {
                _inactive.Remove(userId);
            }
            else
            {
                _inactive.Add(userId);
            }
        }
    }

    /// <inheritdoc />
    public Task<bool> IsActiveAsync(string userId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(!_inactive.Contains(userId));
        }
    }
}
