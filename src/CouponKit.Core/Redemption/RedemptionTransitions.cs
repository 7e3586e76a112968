namespace CouponKit.Redemption;

/// <summary>
/// The coupon state machine as one table: every legal (state, trigger) pair and the state it leads to. Anything not in the
/// table is refused with a reason. Pure; the stores keep the state.
/// </summary>
public static class RedemptionTransitions
{
    private static readonly Dictionary<(CouponState From, CouponTrigger Trigger), CouponState> Table = new()
    {
        [(CouponState.Available, CouponTrigger.Lock)] = CouponState.Locked,
        [(CouponState.Locked, CouponTrigger.Confirm)] = CouponState.Used,
        [(CouponState.Locked, CouponTrigger.Release)] = CouponState.Available,
        [(CouponState.Available, CouponTrigger.Expire)] = CouponState.Expired,
        [(CouponState.Available, CouponTrigger.Revoke)] = CouponState.Revoked,
    };

    /// <summary>Gets every legal transition, for documentation and tests.</summary>
    public static IReadOnlyCollection<(CouponState From, CouponTrigger Trigger, CouponState To)> All { get; } =
        Table.Select(t => (t.Key.From, t.Key.Trigger, t.Value)).ToArray();

    /// <summary>Decides a transition.</summary>
    /// <param name="from">The current state.</param>
    /// <param name="trigger">What happens.</param>
    /// <param name="to">The next state when legal.</param>
    /// <param name="reason">Why it is refused, when it is.</param>
    /// <returns><see langword="true"/> when the transition is legal.</returns>
    public static bool TryFire(CouponState from, CouponTrigger trigger, out CouponState to, out string? reason)
    {
        if (Table.TryGetValue((from, trigger), out to))
        {
            reason = null;
            return true;
        }

        to = from;
        reason = $"a coupon that is {from} cannot {trigger}";
        return false;
    }

    /// <summary>Draws the state machine as a Mermaid state diagram.</summary>
    /// <returns>The diagram source.</returns>
    public static string ToMermaid()
    {
        var lines = new List<string> { "stateDiagram-v2", "    [*] --> Available: Claim" };
        lines.AddRange(Table.Select(t => $"    {t.Key.From} --> {t.Value}: {t.Key.Trigger}"));
        lines.Add("    Used --> [*]");
        lines.Add("    Expired --> [*]");
        lines.Add("    Revoked --> [*]");
        return string.Join('\n', lines);
    }
}
