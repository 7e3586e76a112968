namespace CouponKit.Scheduling;

/// <summary>
/// The 18 classic RocketMQ delay levels (1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h), accepted as a
/// convenience and mapped to delivery times. Any other delay is an exact delivery timestamp: CouponKit's messages carry
/// <see cref="Messaging.OutboxMessage.DeliverAt"/>, which brokers with arbitrary delays (RocketMQ 5 timer messages) and the
/// in-process bus honour to the tick.
/// </summary>
public static class DelayLevels
{
    /// <summary>The number of levels.</summary>
    public const int Count = 18;

    private static readonly TimeSpan[] Delays =
    [
        TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30),
        TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5),
        TimeSpan.FromMinutes(6), TimeSpan.FromMinutes(7), TimeSpan.FromMinutes(8), TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10),
        TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(2),
    ];

    /// <summary>Gets the delays of levels 1 to 18, in order (index 0 is level 1).</summary>
    public static IReadOnlyList<TimeSpan> All => Delays;

    /// <summary>Gets the delay of a level.</summary>
    /// <param name="level">The level, 1 to 18.</param>
    /// <returns>The delay.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The level is not 1 to 18.</exception>
    public static TimeSpan DelayOf(int level)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, Count);
        return Delays[level - 1];
    }

    /// <summary>Maps a level to its delivery time.</summary>
    /// <param name="level">The level, 1 to 18.</param>
    /// <param name="now">The time of publication.</param>
    /// <returns>The delivery time.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The level is not 1 to 18.</exception>
    public static DateTimeOffset DeliveryTime(int level, DateTimeOffset now) => now + DelayOf(level);

    /// <summary>Finds the level of a delay, when it is exactly one of the 18.</summary>
    /// <param name="delay">The delay.</param>
    /// <param name="level">The level, 1 to 18, when found.</param>
    /// <returns><see langword="true"/> when the delay is a level.</returns>
    public static bool TryGetLevel(TimeSpan delay, out int level)
    {
        level = Array.IndexOf(Delays, delay) + 1;
        return level > 0;
    }

    /// <summary>Resolves a requested delivery to an exact timestamp: a level, a delay, or a time.</summary>
    /// <param name="delivery">The requested delivery.</param>
    /// <param name="now">The current time.</param>
    /// <returns>The delivery time, never before <paramref name="now"/>.</returns>
    /// <exception cref="ScheduleInPastException">An exact time before <paramref name="now"/>, or a negative delay.</exception>
    public static DateTimeOffset Resolve(Delivery delivery, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var at = delivery.Level is { } level ? DeliveryTime(level, now) : delivery.At ?? now + (delivery.Delay ?? TimeSpan.Zero);
        return at < now ? throw new ScheduleInPastException(at, now) : at;
    }
}

/// <summary>When a scheduled message is delivered: at a delay level, after a delay, or at an exact time.</summary>
public sealed record Delivery
{
    private Delivery(int? level, TimeSpan? delay, DateTimeOffset? at)
    {
        Level = level;
        Delay = delay;
        At = at;
    }

    /// <summary>Gets the RocketMQ delay level (1 to 18), or <see langword="null"/>.</summary>
    public int? Level { get; }

    /// <summary>Gets the delay, or <see langword="null"/>.</summary>
    public TimeSpan? Delay { get; }

    /// <summary>Gets the exact time, or <see langword="null"/>.</summary>
    public DateTimeOffset? At { get; }

    /// <summary>Delivers at one of the 18 classic delay levels.</summary>
    /// <param name="level">The level, 1 (1 s) to 18 (2 h).</param>
    /// <returns>The delivery.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The level is not 1 to 18.</exception>
    public static Delivery AtLevel(int level)
    {
        _ = DelayLevels.DelayOf(level);
        return new(level, null, null);
    }

    /// <summary>Delivers after a delay.</summary>
    /// <param name="delay">The delay, zero or more.</param>
    /// <returns>The delivery.</returns>
    public static Delivery After(TimeSpan delay) => new(null, delay, null);

    /// <summary>Delivers at an exact time.</summary>
    /// <param name="at">The time.</param>
    /// <returns>The delivery.</returns>
    public static Delivery AtTime(DateTimeOffset at) => new(null, null, at);
}

/// <summary>Thrown when a schedule asks for a time in the past; nothing is scheduled.</summary>
public sealed class ScheduleInPastException : CouponKitException
{
    /// <summary>Initializes a new instance of the <see cref="ScheduleInPastException"/> class.</summary>
    /// <param name="requested">The time asked for.</param>
    /// <param name="now">The current time.</param>
    public ScheduleInPastException(DateTimeOffset requested, DateTimeOffset now)
        : base("schedule_in_past", $"The schedule asks for {requested:O}, which is before now ({now:O}).")
    {
        Requested = requested;
        Now = now;
    }

    /// <summary>Gets the time asked for.</summary>
    public DateTimeOffset Requested { get; }

    /// <summary>Gets the current time when it was refused.</summary>
    public DateTimeOffset Now { get; }
}
