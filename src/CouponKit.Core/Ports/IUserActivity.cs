namespace CouponKit.Ports;

/// <summary>Tells whether a user is active, from the shop's user service; only active users get reminders.</summary>
public interface IUserActivity
{
    /// <summary>Tells whether a user is active (not closed, banned or dormant, by the shop's own definition).</summary>
    /// <param name="userId">The user.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when the user is active.</returns>
    Task<bool> IsActiveAsync(string userId, CancellationToken cancellationToken);
}
