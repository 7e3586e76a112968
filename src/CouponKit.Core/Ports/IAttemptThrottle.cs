namespace CouponKit.Ports;

/// <summary>
/// Counts misses (for example promo codes that match nothing) per key (a user, a client IP) and locks the key out for a time
/// that doubles with every further miss: guessing gets exponentially slower however it is spread in time.
/// </summary>
public interface IAttemptThrottle
{
    /// <summary>Reads a key's lock-out without changing it.</summary>
    /// <param name="key">The key, for example <c>promo:user:42</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key's misses and lock-out.</returns>
    ValueTask<AttemptThrottleState> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Records a miss: misses older than <see cref="LockoutPolicy.ForgetAfter"/> (since the last miss) are forgotten first; from
    /// the <see cref="LockoutPolicy.FreeMisses"/>-th miss on, the key is locked out for
    /// <see cref="LockoutPolicy.BaseLockout"/> × 2^(misses − free misses), at most <see cref="LockoutPolicy.MaxLockout"/>.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="policy">The policy.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key's misses and lock-out after the miss.</returns>
    ValueTask<AttemptThrottleState> RecordMissAsync(string key, LockoutPolicy policy, CancellationToken cancellationToken);
}

/// <summary>How misses lock a key out.</summary>
/// <param name="FreeMisses">The misses allowed before the first lock-out: 1 to 1,000.</param>
/// <param name="BaseLockout">The first lock-out; each further miss doubles it.</param>
/// <param name="MaxLockout">The longest lock-out.</param>
/// <param name="ForgetAfter">How long after the last miss the misses are forgotten.</param>
public sealed record LockoutPolicy(int FreeMisses, TimeSpan BaseLockout, TimeSpan MaxLockout, TimeSpan ForgetAfter)
{
    /// <summary>
    /// Gets the lock-out after <paramref name="misses"/> remembered misses: none below <see cref="FreeMisses"/>, then
    /// <see cref="BaseLockout"/> × 2^(misses − free misses), at most <see cref="MaxLockout"/>, without overflow. Every
    /// <see cref="IAttemptThrottle"/> computes it alike.
    /// </summary>
    /// <param name="misses">The misses remembered, this one included.</param>
    /// <returns>The lock-out; <see cref="TimeSpan.Zero"/> when the key is not locked out.</returns>
    public TimeSpan LockoutFor(int misses) =>
        misses < FreeMisses ? TimeSpan.Zero : InMemory.InMemoryAttemptThrottle.Lockout(this, misses - FreeMisses);

    /// <summary>Gets a value indicating whether the policy is usable: 1 to 1,000 free misses, a positive base, a maximum not below it and a positive forget time.</summary>
    public bool IsValid =>
        FreeMisses is >= 1 and <= 1_000 && BaseLockout > TimeSpan.Zero && MaxLockout >= BaseLockout && ForgetAfter > TimeSpan.Zero;
}

/// <summary>A key's misses and lock-out.</summary>
/// <param name="Misses">The misses remembered.</param>
/// <param name="LockedUntil">Until when the key is locked out; <see langword="null"/> or past when it is not.</param>
public sealed record AttemptThrottleState(int Misses, DateTimeOffset? LockedUntil)
{
    /// <summary>Gets the state of a key with no miss.</summary>
    public static AttemptThrottleState None { get; } = new(0, null);

    /// <summary>Gets how long the key stays locked out after <paramref name="now"/>; zero when it is not.</summary>
    /// <param name="now">The current time.</param>
    /// <returns>The remaining lock-out.</returns>
    public TimeSpan RemainingAt(DateTimeOffset now) => LockedUntil is { } until && until > now ? until - now : TimeSpan.Zero;
}
