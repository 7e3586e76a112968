using CouponKit.EfCore.Model;
using CouponKit.Ports;
using Microsoft.EntityFrameworkCore;

namespace CouponKit.EfCore.Stores;

/// <content>
/// <see cref="IAttemptThrottle"/>: misses and lock-outs per key in one table. A miss is counted by the database in one
/// conditional <c>UPDATE</c> (<c>Misses = Misses + 1</c>, or 1 when the last miss is forgotten), never read, incremented and
/// written back, so concurrent misses are all counted; the first miss of a key inserts its row, and a concurrent first miss
/// that loses the primary key runs again as an update. The row stays locked by the transaction until the lock-out computed
/// from the counted misses is written, so the lock-out always matches the count.
/// </content>
internal sealed partial class EfCoreCouponKitStore<TContext> : IAttemptThrottle
{
    /// <inheritdoc />
    public ValueTask<AttemptThrottleState> GetAsync(string key, CancellationToken cancellationToken)
    {
        ThrottleKey(key);
        return new ValueTask<AttemptThrottleState>(ReadAsync(
            nameof(IAttemptThrottle.GetAsync),
            async (db, ct) =>
            {
                var row = await db.Set<AttemptThrottleRow>().AsNoTracking().FirstOrDefaultAsync(r => r.Key == key, ct).ConfigureAwait(false);
                return row is null ? AttemptThrottleState.None : new AttemptThrottleState(row.Misses, row.LockedUntil);
            },
            cancellationToken));
    }

    /// <inheritdoc />
    public ValueTask<AttemptThrottleState> RecordMissAsync(string key, LockoutPolicy policy, CancellationToken cancellationToken)
    {
        ThrottleKey(key);
        ArgumentNullException.ThrowIfNull(policy);
        if (!policy.IsValid)
        {
            throw new ArgumentOutOfRangeException(nameof(policy), "A lock-out policy needs 1 to 1,000 free misses, a positive base, a maximum not below it and a positive forget time.");
        }

        var now = _time.GetUtcNow();
        var forgottenBefore = now - policy.ForgetAfter; // a last miss at or before this is forgotten (now - last >= ForgetAfter)
        return new ValueTask<AttemptThrottleState>(WriteAsync(
            nameof(IAttemptThrottle.RecordMissAsync),
            async (db, ct) =>
            {
                var rows = db.Set<AttemptThrottleRow>();
                var counted = await rows.Where(r => r.Key == key).ExecuteUpdateAsync(
                    s => s
                        .SetProperty(r => r.Misses, r => r.LastMiss <= forgottenBefore ? 1 : r.Misses < int.MaxValue ? r.Misses + 1 : r.Misses)
                        .SetProperty(r => r.LockedUntil, r => r.LastMiss <= forgottenBefore ? null : r.LockedUntil)
                        .SetProperty(r => r.LastMiss, now),
                    ct).ConfigureAwait(false);
                if (counted == 0)
                {
                    // The key's first miss. A concurrent first miss that inserted the row already makes this insert fail on the
                    // primary key: the transaction rolls back and runs again, and then counts with the update above.
                    rows.Add(new AttemptThrottleRow { Key = key, Misses = 1, LastMiss = now });
                    await db.SaveChangesAsync(ct).ConfigureAwait(false);
                }

                var row = await rows.AsNoTracking().Where(r => r.Key == key).Select(r => new { r.Misses, r.LockedUntil }).SingleAsync(ct).ConfigureAwait(false);
                var lockout = policy.LockoutFor(row.Misses);
                if (lockout <= TimeSpan.Zero)
                {
                    return new AttemptThrottleState(row.Misses, row.LockedUntil);
                }

                DateTimeOffset? until = now + lockout;
                await rows.Where(r => r.Key == key).ExecuteUpdateAsync(s => s.SetProperty(r => r.LockedUntil, until), ct).ConfigureAwait(false);
                return new AttemptThrottleState(row.Misses, until);
            },
            cancellationToken));
    }

    private static void ThrottleKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length is 0 or > CouponKitModelBuilderExtensions.MaxThrottleKeyLength)
        {
            throw new ArgumentException($"A throttle key must be 1 to {CouponKitModelBuilderExtensions.MaxThrottleKeyLength} characters.", nameof(key));
        }
    }
}
