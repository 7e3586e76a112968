using CouponKit.Issuance;
using CouponKit.Messaging;

namespace CouponKit.Redemption;

/// <summary>
/// Decides a TCC step from the stored facts: pure, shared by every store so that all behave the same. The rules:
/// <list type="bullet">
/// <item>Every step: refused as <see cref="RedemptionRefusal.OrderNotFound"/>, changing nothing, when the order belongs to
/// another user (its records were written for another user, or the coupons it locked are another user's).</item>
/// <item>Try: refused if the order was cancelled (a Cancel row, or a Try row an earlier Cancel wrote); done already if the same
/// coupons are locked by the order; otherwise every coupon must exist, belong to the user, be Available and valid at the time, and
/// all are locked together or none; a delayed <see cref="CouponTopics.LockTimeout"/> command is written for <c>LockUntil</c>.</item>
/// <item>Confirm: done already if confirmed; refused after a Cancel or without a Try; otherwise Locked → Used.</item>
/// <item>Cancel: done already if cancelled; refused after a Confirm; otherwise Locked → Available (or Expired past its end), and
/// for a coupon never tried, an empty compensation row that refuses a late Try; such a coupon must exist and belong to the
/// user, else the Cancel is refused as <see cref="RedemptionRefusal.CouponNotFound"/> (the same answer for an unknown and a
/// foreign coupon) and writes nothing.</item>
/// </list>
/// </summary>
public static class RedemptionPlanner
{
    /// <summary>Plans a TCC step.</summary>
    /// <param name="command">The step.</param>
    /// <param name="coupons">The stored coupons the step is about, by id (missing ids are unknown coupons).</param>
    /// <param name="records">Every stored operation record of the order.</param>
    /// <returns>The plan to write atomically.</returns>
    public static RedemptionPlan Plan(RedemptionCommand command, IReadOnlyDictionary<string, IssuedCoupon> coupons, IReadOnlyCollection<OperationRecord> records)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(coupons);
        ArgumentNullException.ThrowIfNull(records);
        if (IsForeignOrder(command, coupons, records))
        {
            return Refuse(RedemptionRefusal.OrderNotFound, $"order '{command.OrderId}' was not found for this user");
        }

        return command.Phase switch
        {
            TccPhase.Try => PlanTry(command, coupons, records),
            TccPhase.Confirm => PlanConfirm(command, coupons, records),
            _ => PlanCancel(command, coupons, records),
        };
    }

    /// <summary>The coupons a Confirm or Cancel without coupon ids is about: those the order's Try rows name.</summary>
    /// <param name="command">The step.</param>
    /// <param name="records">The order's records.</param>
    /// <returns>The coupon ids.</returns>
    public static IReadOnlyList<string> CouponIdsOf(RedemptionCommand command, IReadOnlyCollection<OperationRecord> records)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(records);
        return command.CouponIds.Count > 0
            ? command.CouponIds
            : records.Where(r => r.Phase == TccPhase.Try && r.CouponId != OperationRecord.OrderWide).Select(r => r.CouponId).Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>
    /// Whether the order belongs to another user than the command's: a record of the order was written for another user, or a
    /// coupon the order locked (by a Try) is held by another user. Coupons never change hands, so the second test holds for
    /// stores that do not keep <see cref="OperationRecord.UserId"/>.
    /// </summary>
    private static bool IsForeignOrder(RedemptionCommand command, IReadOnlyDictionary<string, IssuedCoupon> coupons, IReadOnlyCollection<OperationRecord> records)
    {
        foreach (var record in records)
        {
            if (record.UserId is { } owner && !string.Equals(owner, command.UserId, StringComparison.Ordinal))
            {
                return true;
            }

            if (record.Phase == TccPhase.Try && record.Origin == TccPhase.Try
                && coupons.TryGetValue(record.CouponId, out var coupon)
                && !string.Equals(coupon.UserId, command.UserId, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static RedemptionPlan PlanTry(RedemptionCommand command, IReadOnlyDictionary<string, IssuedCoupon> coupons, IReadOnlyCollection<OperationRecord> records)
    {
        var ids = command.CouponIds;
        if (records.Any(r => r.Phase == TccPhase.Cancel || r.IsEmptyCompensation))
        {
            return Refuse(RedemptionRefusal.OrderCancelled, $"order '{command.OrderId}' was cancelled; a late Try locks nothing");
        }

        var tried = records.Where(r => r.Phase == TccPhase.Try).Select(r => r.CouponId).ToHashSet(StringComparer.Ordinal);
        if (tried.Count > 0)
        {
            return tried.SetEquals(ids)
                ? Done(command, coupons, "the order already locked these coupons")
                : Refuse(RedemptionRefusal.DifferentCoupons, $"order '{command.OrderId}' already locked other coupons");
        }

        var updates = new List<IssuedCoupon>();
        var newRecords = new List<OperationRecord>();
        foreach (var id in ids)
        {
            if (!coupons.TryGetValue(id, out var coupon) || !string.Equals(coupon.UserId, command.UserId, StringComparison.Ordinal))
            {
                return Refuse(RedemptionRefusal.CouponNotFound, $"coupon '{id}' was not found for this user");
            }

            if (command.At < coupon.ValidFrom || command.At >= coupon.ValidUntil)
            {
                return Refuse(RedemptionRefusal.OutsideValidity, $"coupon '{id}' is not valid at {command.At:O}");
            }

            if (!RedemptionTransitions.TryFire(coupon.State, CouponTrigger.Lock, out var next, out var why))
            {
                return Refuse(RedemptionRefusal.CouponNotAvailable, $"coupon '{id}': {why}");
            }

            updates.Add(coupon with { State = next, OrderId = command.OrderId, Version = coupon.Version + 1 });
            newRecords.Add(new OperationRecord(command.OrderId, id, TccPhase.Try, TccPhase.Try, command.At) { UserId = command.UserId });
        }

        var messages = new List<OutboxMessage> { CouponEvents.Locked(command, updates) };
        if (command.LockUntil is { } until)
        {
            messages.Add(CouponEvents.LockTimeout(command, until));
        }

        return new RedemptionPlan(new RedemptionResult(RedemptionStatus.Locked, RedemptionRefusal.None, $"{updates.Count} coupon(s) locked for order '{command.OrderId}'", updates), updates, newRecords, messages);
    }

    private static RedemptionPlan PlanConfirm(RedemptionCommand command, IReadOnlyDictionary<string, IssuedCoupon> coupons, IReadOnlyCollection<OperationRecord> records)
    {
        var ids = CouponIdsOf(command, records);
        if (records.Any(r => r.Phase == TccPhase.Cancel || r.IsEmptyCompensation))
        {
            return Refuse(RedemptionRefusal.OrderCancelled, $"order '{command.OrderId}' was cancelled; it cannot be confirmed");
        }

        if (ids.Count > 0 && ids.All(id => Has(records, id, TccPhase.Confirm)))
        {
            return Done(command, coupons, "the order was already confirmed");
        }

        if (ids.Count == 0 || !ids.All(id => Has(records, id, TccPhase.Try)))
        {
            return Refuse(RedemptionRefusal.NotLocked, $"order '{command.OrderId}' has no locked coupons to confirm");
        }

        var updates = new List<IssuedCoupon>();
        var newRecords = new List<OperationRecord>();
        foreach (var id in ids)
        {
            if (Has(records, id, TccPhase.Confirm))
            {
                continue;
            }

            if (!coupons.TryGetValue(id, out var coupon)
                || !string.Equals(coupon.OrderId, command.OrderId, StringComparison.Ordinal)
                || !RedemptionTransitions.TryFire(coupon.State, CouponTrigger.Confirm, out var next, out _))
            {
                return Refuse(RedemptionRefusal.CouponNotAvailable, $"coupon '{id}' is no longer locked by order '{command.OrderId}'");
            }

            updates.Add(coupon with { State = next, Version = coupon.Version + 1 });
            newRecords.Add(new OperationRecord(command.OrderId, id, TccPhase.Confirm, TccPhase.Confirm, command.At) { UserId = command.UserId });
        }

        return new RedemptionPlan(
            new RedemptionResult(RedemptionStatus.Confirmed, RedemptionRefusal.None, $"{updates.Count} coupon(s) used by order '{command.OrderId}'", updates),
            updates,
            newRecords,
            [CouponEvents.Confirmed(command, updates)]);
    }

    private static RedemptionPlan PlanCancel(RedemptionCommand command, IReadOnlyDictionary<string, IssuedCoupon> coupons, IReadOnlyCollection<OperationRecord> records)
    {
        var ids = CouponIdsOf(command, records);
        if (records.Any(r => r.Phase == TccPhase.Confirm))
        {
            return Refuse(RedemptionRefusal.OrderConfirmed, $"order '{command.OrderId}' was paid; its coupons are used");
        }

        var targets = ids.Count > 0 ? ids : [OperationRecord.OrderWide];
        if (targets.All(id => Has(records, id, TccPhase.Cancel)))
        {
            return Done(command, coupons, "the order was already cancelled");
        }

        foreach (var id in targets)
        {
            // A coupon this order never tried gets a barrier: it must be the user's own, or a Cancel could block another
            // user's coupon, and the answer would tell whether it exists.
            if (id != OperationRecord.OrderWide && !Has(records, id, TccPhase.Cancel) && !Has(records, id, TccPhase.Try)
                && (!coupons.TryGetValue(id, out var named) || !string.Equals(named.UserId, command.UserId, StringComparison.Ordinal)))
            {
                return Refuse(RedemptionRefusal.CouponNotFound, $"coupon '{id}' was not found for this user");
            }
        }

        var updates = new List<IssuedCoupon>();
        var newRecords = new List<OperationRecord>();
        foreach (var id in targets)
        {
            if (Has(records, id, TccPhase.Cancel))
            {
                continue;
            }

            newRecords.Add(new OperationRecord(command.OrderId, id, TccPhase.Cancel, TccPhase.Cancel, command.At) { UserId = command.UserId });
            var tried = records.Any(r => r.CouponId == id && r.Phase == TccPhase.Try && r.Origin == TccPhase.Try);
            if (!tried)
            {
                if (!Has(records, id, TccPhase.Try))
                {
                    newRecords.Add(new OperationRecord(command.OrderId, id, TccPhase.Try, TccPhase.Cancel, command.At) { UserId = command.UserId });
                }

                continue;
            }

            if (coupons.TryGetValue(id, out var coupon)
                && string.Equals(coupon.OrderId, command.OrderId, StringComparison.Ordinal)
                && RedemptionTransitions.TryFire(coupon.State, CouponTrigger.Release, out var next, out _))
            {
                var released = coupon with { State = next, OrderId = null, Version = coupon.Version + 1 };
                if (command.At >= released.ValidUntil && RedemptionTransitions.TryFire(released.State, CouponTrigger.Expire, out var expired, out _))
                {
                    released = released with { State = expired };
                }

                updates.Add(released);
            }
        }

        var messages = updates.Count > 0 ? new[] { CouponEvents.Released(command, updates) } : [];
        var message = updates.Count > 0
            ? $"{updates.Count} coupon(s) released from order '{command.OrderId}'"
            : $"order '{command.OrderId}' cancelled before any lock; a late Try will be refused";
        return new RedemptionPlan(new RedemptionResult(RedemptionStatus.Released, RedemptionRefusal.None, message, updates), updates, newRecords, messages);
    }

    private static bool Has(IReadOnlyCollection<OperationRecord> records, string couponId, TccPhase phase) =>
        records.Any(r => r.Phase == phase && string.Equals(r.CouponId, couponId, StringComparison.Ordinal));

    private static RedemptionPlan Refuse(RedemptionRefusal refusal, string message) =>
        new(new RedemptionResult(RedemptionStatus.Refused, refusal, message, []), [], [], []);

    private static RedemptionPlan Done(RedemptionCommand command, IReadOnlyDictionary<string, IssuedCoupon> coupons, string message)
    {
        var current = command.CouponIds.Where(coupons.ContainsKey).Select(id => coupons[id]).ToArray();
        return new(new RedemptionResult(RedemptionStatus.AlreadyDone, RedemptionRefusal.None, message, current), [], [], []);
    }
}
