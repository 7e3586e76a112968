using System.Globalization;
using System.Text;
using CouponKit.Core.Tests.Issuance;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Redemption;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CouponKit.Core.Tests.Properties;

/// <summary>
/// Model-based test of the coupon lifecycle: random sequences of claims, TCC locks, confirms and cancels (also before their
/// Try), clock advances past lock timeouts and coupon ends, delayed LockTimeout deliveries (late and repeated), merchant
/// pauses and resumes, duplicated steps and adjacent steps swapped, run on the real services and an
/// <see cref="InMemoryCouponKitStore"/> and, side by side, on <see cref="LifecycleModel"/>, a model made of dictionaries.
/// </summary>
public class LifecycleModelTests
{
    /// <summary>Each run has at least <see cref="LifecycleGen.MinSteps"/> steps: 300 runs make at least 15,000 steps.</summary>
    private const int Runs = 300;

    // After every step: the outcome (issued, replayed, rejected and why, key conflict; locked, confirmed, released, already
    // done, refused and why) and the state and order of every coupon are those of the model. After each sequence, once every
    // lock has timed out and its delayed message was delivered: no template issued more than its inventory, no user holds
    // more coupons of a template than its per-user limit, no coupon is both used and available (a used coupon was confirmed
    // by exactly one order, an available coupon is held by no order), every lock ended confirmed or released (no coupon is
    // still locked; every coupon an order locked has its Confirm or Cancel record), and the statistics read from the store
    // (coupons by state, stock, outbox events by tag and the coupons they name) equal the model's counts.
    [Property(MaxTest = Runs)]
    public Property Lifecycle_RandomStepsWithDuplicatesAndReordering_MatchesTheModelAndKeepsTheInvariants() =>
        Prop.ForAll(LifecycleGen.Scenario.ToArbitrary(), LifecycleRun.Execute);

    // The late-Try guarantee in the smallest sequence the generator makes: cancel, then the Try, then the timeout sweep.
    [Fact]
    public void Lifecycle_CancelBeforeTryThenTryAndTimeouts_MatchesTheModel()
    {
        var steps = new[]
        {
            Step.Claim(0, 0, "k0"),
            Step.Cancel(0, withIds: true),
            Step.Lock(0),
            Step.Lock(1),
            Step.Confirm(0),
            Step.Advance(31),
            Step.Timeouts(),
            Step.Redeliver(0),
            Step.Confirm(1),
        };
        var orders = Enumerable.Range(0, LifecycleGen.Orders).Select(_ => new OrderPlan(0, [0], null)).ToArray();

        Assert.True(LifecycleRun.Execute(new LifecycleScenario(orders, steps)));
    }
}

/// <summary>What a step does.</summary>
internal enum StepKind
{
    Claim,
    Lock,
    Confirm,
    Cancel,
    Advance,
    Timeouts,
    Redeliver,
    Pause,
    Resume,
    Duplicate,
}

/// <summary>One step of a scenario. Orders are numbers into the scenario's <see cref="OrderPlan"/>s.</summary>
internal sealed record Step(StepKind Kind, int User = 0, int Template = 0, string Key = "", int Reuse = 0, int Order = 0, bool WithIds = false, int Minutes = 0, int Pick = 0)
{
    public static Step Claim(int user, int template, string key) => new(StepKind.Claim, User: user, Template: template, Key: key);

    public static Step Lock(int order) => new(StepKind.Lock, Order: order);

    public static Step Confirm(int order) => new(StepKind.Confirm, Order: order);

    public static Step Cancel(int order, bool withIds) => new(StepKind.Cancel, Order: order, WithIds: withIds);

    public static Step Advance(int minutes) => new(StepKind.Advance, Minutes: minutes);

    public static Step Timeouts() => new(StepKind.Timeouts);

    public static Step Redeliver(int pick) => new(StepKind.Redeliver, Pick: pick);

    public override string ToString() => Kind switch
    {
        StepKind.Claim => $"Claim u{User} T{Template} key {Key}",
        StepKind.Lock or StepKind.Confirm => $"{Kind} o{Order}",
        StepKind.Cancel => $"Cancel o{Order}{(WithIds ? " with its coupons" : string.Empty)}",
        StepKind.Advance => $"Advance {Minutes} min",
        StepKind.Redeliver => $"Redeliver timeout #{Pick}",
        StepKind.Pause or StepKind.Resume => $"{Kind} T{Template}",
        _ => Kind.ToString(),
    };
}

/// <summary>
/// An order: its user, and which of the user's coupons it means to lock (indexes into the coupons the user holds when the
/// step runs), plus sometimes one coupon of anybody (so that orders meet coupons of other users).
/// </summary>
internal sealed record OrderPlan(int User, int[] Picks, int? Foreign)
{
    public override string ToString() => $"u{User} picks [{string.Join(", ", Picks)}]{(Foreign is { } f ? $" + any #{f}" : string.Empty)}";
}

internal sealed record LifecycleScenario(IReadOnlyList<OrderPlan> Orders, IReadOnlyList<Step> Steps)
{
    public override string ToString()
    {
        var text = new StringBuilder().AppendLine();
        for (var i = 0; i < Orders.Count; i++)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"o{i}: {Orders[i]}");
        }

        for (var i = 0; i < Steps.Count; i++)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"#{i} {Steps[i]}");
        }

        return text.ToString();
    }
}

/// <summary>
/// Generates scenarios of 50 to 80 steps over 4 users, 8 orders and 2 templates. Claims use a fresh key, the key of an
/// earlier claim of the same user and template (a retry), or the key of any earlier claim (often a conflict). About one
/// step in eleven duplicates an earlier step (a redelivered message); then up to a quarter of the adjacent pairs are swapped
/// (messages out of order), which also puts Confirms and Cancels before their Try.
/// </summary>
internal static class LifecycleGen
{
    public const int MinSteps = 50;
    public const int MaxSteps = 80;
    public const int Users = 4;
    public const int Orders = 8;
    public const int Templates = 2;

    public static Gen<OrderPlan> Order { get; } =
        from user in Gen.Choose(0, Users - 1)
        from picks in Gen.Choose(1, 2).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 5), n))
        from foreign in Gen.Frequency((5, Gen.Constant<int?>(null)), (1, Gen.Choose(0, 20).Select(i => (int?)i)))
        select new OrderPlan(user, picks, foreign);

    /// <summary>Steps before keys and duplicates are resolved: a claim's <see cref="Step.Reuse"/> is 0 fresh, 1 retry, 2 any.</summary>
    public static Gen<Step> RawStep { get; } = Gen.Frequency(
        (30, from user in Gen.Choose(0, Users - 1)
             from template in Gen.Choose(0, Templates - 1)
             from reuse in Gen.Frequency((6, Gen.Constant(0)), (2, Gen.Constant(1)), (1, Gen.Constant(2)))
             from pick in Gen.Choose(0, 1000)
             select new Step(StepKind.Claim, User: user, Template: template, Reuse: reuse, Pick: pick)),
        (18, Gen.Choose(0, Orders - 1).Select(Step.Lock)),
        (12, Gen.Choose(0, Orders - 1).Select(Step.Confirm)),
        (10, from order in Gen.Choose(0, Orders - 1) from withIds in Gen.Elements(true, false) select Step.Cancel(order, withIds)),
        (8, Gen.Elements(5, 31, (24 * 60) + 1).Select(Step.Advance)),
        (8, Gen.Constant(Step.Timeouts())),
        (3, Gen.Choose(0, 1000).Select(Step.Redeliver)),
        (2, Gen.Choose(0, Templates - 1).Select(t => new Step(StepKind.Pause, Template: t))),
        (3, Gen.Choose(0, Templates - 1).Select(t => new Step(StepKind.Resume, Template: t))),
        (9, Gen.Choose(0, 1000).Select(pick => new Step(StepKind.Duplicate, Pick: pick))));

    public static Gen<LifecycleScenario> Scenario { get; } =
        from orders in Gen.ArrayOf(Order, Orders)
        from count in Gen.Choose(MinSteps, MaxSteps)
        from raw in Gen.ArrayOf(RawStep, count)
        from swaps in Gen.Choose(0, count / 4).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, count - 2), n))
        select new LifecycleScenario(orders, Resolve(raw, swaps));

    /// <summary>Gives claims their keys, replaces duplicates by a copy of an earlier step, then swaps adjacent steps.</summary>
    public static Step[] Resolve(IReadOnlyList<Step> raw, IReadOnlyList<int> swaps)
    {
        var steps = new List<Step>();
        var claims = new List<Step>();
        for (var i = 0; i < raw.Count; i++)
        {
            var step = raw[i];
            if (step.Kind == StepKind.Duplicate)
            {
                step = steps.Count == 0 ? Step.Timeouts() : steps[step.Pick % steps.Count];
            }
            else if (step.Kind == StepKind.Claim)
            {
                var earlier = step.Reuse switch
                {
                    1 => claims.Where(c => c.User == step.User && c.Template == step.Template).ToList(),
                    2 => claims,
                    _ => [],
                };
                step = step with { Key = earlier.Count == 0 ? $"k{i}" : earlier[step.Pick % earlier.Count].Key, Reuse = 0, Pick = 0 };
                claims.Add(step);
            }

            steps.Add(step);
        }

        foreach (var at in swaps)
        {
            (steps[at], steps[at + 1]) = (steps[at + 1], steps[at]);
        }

        return [.. steps];
    }
}

/// <summary>
/// The model: what the documentation says claims and TCC steps do, on plain dictionaries. Coupons carry the ids the real
/// services gave them, so that the model and the services can be compared coupon by coupon.
/// </summary>
internal sealed class LifecycleModel
{
    public static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(30);

    public static readonly TemplateModel[] TemplateModels =
    [
        new("relative", Inventory: 6, PerUserLimit: 2, RelativeDays: 1, FixedUntil: null),
        new("fixed", Inventory: 4, PerUserLimit: 1, RelativeDays: 0, FixedUntil: Shop.Now.AddDays(2)),
    ];

    private readonly bool[] _paused = new bool[TemplateModels.Length];
    private readonly Dictionary<string, CouponModel> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OrderModel> _orders = new(StringComparer.Ordinal);

    public DateTimeOffset Now { get; set; } = Shop.Now;

    public List<CouponModel> Coupons { get; } = [];

    /// <summary>Gets the LockTimeout messages written, in the order of their Try.</summary>
    public List<(string Order, string User, IReadOnlyList<string> CouponIds, DateTimeOffset DeliverAt)> Timeouts { get; } = [];

    public int TemplateChanges { get; set; } = 2 * TemplateModels.Length; // created and activated

    public int Locks { get; private set; }

    public int LockedCoupons { get; private set; }

    public int Confirms { get; private set; }

    public int ConfirmedCoupons { get; private set; }

    public int Releases { get; private set; }

    public int ReleasedCoupons { get; private set; }

    public string Claim(string user, int template, string key, string? newCouponId)
    {
        if (_byKey.TryGetValue(key, out var earlier))
        {
            return earlier.User == user && earlier.Template == template ? "Replay " + earlier.Id : "Conflict";
        }

        var spec = TemplateModels[template];
        if (_paused[template])
        {
            return "Rejected Paused";
        }

        if (spec.FixedUntil is { } until && Now >= until)
        {
            return "Rejected Ended";
        }

        if (Coupons.Count(c => c.User == user && c.Template == template) >= spec.PerUserLimit)
        {
            return "Rejected LimitReached";
        }

        if (Coupons.Count(c => c.Template == template) >= spec.Inventory)
        {
            return "Rejected SoldOut";
        }

        var coupon = new CouponModel(newCouponId ?? "(no coupon from the service)", user, template, spec.RelativeDays > 0 ? Now : Shop.Now, spec.FixedUntil ?? Now.AddDays(spec.RelativeDays));
        Coupons.Add(coupon);
        _byKey.Add(key, coupon);
        return "Issued";
    }

    public string Pause(int template)
    {
        if (_paused[template])
        {
            return "TemplateStateException";
        }

        _paused[template] = true;
        TemplateChanges++;
        return "Paused";
    }

    public string Resume(int template)
    {
        if (!_paused[template])
        {
            return "TemplateStateException";
        }

        _paused[template] = false;
        TemplateChanges++;
        return "Resumed";
    }

    public string Try(string orderId, string user, IReadOnlyList<string> ids)
    {
        var order = Order(orderId);
        if (order.Cancelled.Count > 0)
        {
            return "Refused OrderCancelled";
        }

        if (order.Tried.Count > 0)
        {
            return order.Tried.Keys.ToHashSet().SetEquals(ids) ? "AlreadyDone" : "Refused DifferentCoupons";
        }

        foreach (var id in ids)
        {
            var coupon = Coupons.Find(c => c.Id == id);
            if (coupon is null || coupon.User != user)
            {
                return "Refused CouponNotFound";
            }

            if (Now < coupon.ValidFrom || Now >= coupon.ValidUntil)
            {
                return "Refused OutsideValidity";
            }

            if (coupon.State != CouponState.Available)
            {
                return "Refused CouponNotAvailable";
            }
        }

        foreach (var id in ids)
        {
            var coupon = Coupons.Single(c => c.Id == id);
            (coupon.State, coupon.Order) = (CouponState.Locked, orderId);
            order.Tried[id] = true;
        }

        Locks++;
        LockedCoupons += ids.Count;
        Timeouts.Add((orderId, user, ids, Now + LockTimeout));
        return "Locked";
    }

    public string Confirm(string orderId)
    {
        var order = Order(orderId);
        var ids = order.Tried.Keys.Where(id => id != OperationRecord.OrderWide).ToArray();
        if (order.Cancelled.Count > 0)
        {
            return "Refused OrderCancelled";
        }

        if (ids.Length > 0 && ids.All(order.Confirmed.Contains))
        {
            return "AlreadyDone";
        }

        if (ids.Length == 0)
        {
            return "Refused NotLocked";
        }

        foreach (var id in ids)
        {
            var coupon = Coupons.Single(c => c.Id == id);
            (coupon.State, coupon.Order) = (CouponState.Used, orderId);
            order.Confirmed.Add(id);
        }

        Confirms++;
        ConfirmedCoupons += ids.Length;
        return "Confirmed";
    }

    public string Cancel(string orderId, string user, IReadOnlyList<string>? given)
    {
        var order = Order(orderId);
        IReadOnlyList<string> ids = given is { Count: > 0 } ? given : order.Tried.Keys.Where(id => id != OperationRecord.OrderWide).ToArray();
        if (order.Confirmed.Count > 0)
        {
            return "Refused OrderConfirmed";
        }

        IReadOnlyList<string> targets = ids.Count > 0 ? ids : [OperationRecord.OrderWide];
        if (targets.All(order.Cancelled.Contains))
        {
            return "AlreadyDone";
        }

        // A coupon the order never tried gets a barrier only if it is the user's own (issue 11: a foreign and an unknown id
        // are refused alike, and nothing is written).
        foreach (var id in targets.Where(id => id != OperationRecord.OrderWide && !order.Cancelled.Contains(id) && !order.Tried.ContainsKey(id)))
        {
            var coupon = Coupons.Find(c => c.Id == id);
            if (coupon is null || coupon.User != user)
            {
                return "Refused CouponNotFound";
            }
        }

        var released = 0;
        foreach (var id in targets.Where(id => !order.Cancelled.Contains(id)))
        {
            order.Cancelled.Add(id);
            if (order.Tried.TryGetValue(id, out var byTry) && byTry)
            {
                var coupon = Coupons.Single(c => c.Id == id);
                if (coupon.State == CouponState.Locked && coupon.Order == orderId)
                {
                    coupon.State = Now >= coupon.ValidUntil ? CouponState.Expired : CouponState.Available;
                    coupon.Order = null;
                    released++;
                }
            }
            else
            {
                order.Tried.TryAdd(id, false); // the empty compensation that refuses a late Try
            }
        }

        if (released > 0)
        {
            Releases++;
            ReleasedCoupons += released;
        }

        return "Released";
    }

    private OrderModel Order(string orderId)
    {
        if (!_orders.TryGetValue(orderId, out var order))
        {
            _orders[orderId] = order = new OrderModel();
        }

        return order;
    }

    internal sealed record TemplateModel(string Id, int Inventory, int PerUserLimit, int RelativeDays, DateTimeOffset? FixedUntil);

    internal sealed class CouponModel(string id, string user, int template, DateTimeOffset validFrom, DateTimeOffset validUntil)
    {
        public string Id { get; } = id;

        public string User { get; } = user;

        public int Template { get; } = template;

        public DateTimeOffset ValidFrom { get; } = validFrom;

        public DateTimeOffset ValidUntil { get; } = validUntil;

        public CouponState State { get; set; } = CouponState.Available;

        public string? Order { get; set; }
    }

    /// <summary>An order's barrier: coupons with a Try row (true when written by a Try, false for an empty compensation), with a Cancel row, with a Confirm row.</summary>
    private sealed class OrderModel
    {
        public Dictionary<string, bool> Tried { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Cancelled { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Confirmed { get; } = new(StringComparer.Ordinal);
    }
}

/// <summary>Runs a scenario on the real services and on the model, comparing them step by step, then checks the invariants.</summary>
internal sealed class LifecycleRun
{
    private readonly LifecycleScenario _scenario;
    private readonly TestKit _kit = new(new CouponKitOptions { ClaimsPerUser = 1_000_000, LockTimeout = LifecycleModel.LockTimeout });
    private readonly LifecycleModel _model = new();
    private readonly List<OutboxMessage> _delivered = [];
    private readonly StringBuilder _log = new();

    private LifecycleRun(LifecycleScenario scenario)
    {
        _scenario = scenario;
    }

    public static bool Execute(LifecycleScenario scenario) => new LifecycleRun(scenario).RunAsync().GetAwaiter().GetResult();

    private static string UserId(int user) => $"u{user}";

    private static string OrderId(int order) => $"o{order}";

    private static string Describe(ClaimResult result) =>
        result.IsIssued ? (result.IsReplay ? "Replay " + result.Coupon!.CouponId : "Issued") : $"Rejected {result.Rejection}";

    private static string Describe(RedemptionResult result) =>
        result.Status == RedemptionStatus.Refused ? $"Refused {result.Refusal}" : result.Status.ToString();

    private async Task<bool> RunAsync()
    {
        foreach (var spec in LifecycleModel.TemplateModels)
        {
            var validity = spec.FixedUntil is { } until ? CouponValidity.Between(Shop.Now, until) : CouponValidity.ForDaysAfterClaim(spec.RelativeDays);
            await _kit.ActiveAsync(TestKit.Draft(spec.Id) with { TotalInventory = spec.Inventory, PerUserLimit = spec.PerUserLimit, Validity = validity });
        }

        for (var i = 0; i < _scenario.Steps.Count; i++)
        {
            _log.AppendLine(CultureInfo.InvariantCulture, $"#{i} {_scenario.Steps[i]}");
            await RunAsync(_scenario.Steps[i]);
            CheckCouponsMatchTheModel();
        }

        _log.AppendLine("drain: advance past every lock timeout and deliver the due timeouts");
        await RunAsync(Step.Advance((int)LifecycleModel.LockTimeout.TotalMinutes + 1));
        await RunAsync(Step.Timeouts());
        CheckCouponsMatchTheModel();
        await CheckInvariantsAsync();
        return true;
    }

    private async Task RunAsync(Step step)
    {
        switch (step.Kind)
        {
            case StepKind.Claim:
                await ClaimAsync(step);
                break;
            case StepKind.Lock:
            {
                var plan = _scenario.Orders[step.Order];
                var ids = CouponsOf(plan);
                var real = await _kit.Redemptions.LockAsync(OrderId(step.Order), UserId(plan.User), ids);
                Compare(_model.Try(OrderId(step.Order), UserId(plan.User), ids), Describe(real), $"lock [{string.Join(", ", ids)}]");
                break;
            }

            case StepKind.Confirm:
            {
                var real = await _kit.Redemptions.ConfirmAsync(OrderId(step.Order), UserId(_scenario.Orders[step.Order].User));
                Compare(_model.Confirm(OrderId(step.Order)), Describe(real), "confirm");
                break;
            }

            case StepKind.Cancel:
            {
                var plan = _scenario.Orders[step.Order];
                var ids = step.WithIds ? CouponsOf(plan) : null;
                var real = await _kit.Redemptions.ReleaseAsync(OrderId(step.Order), UserId(plan.User), ids, "cancelled");
                Compare(_model.Cancel(OrderId(step.Order), UserId(plan.User), ids), Describe(real), $"cancel [{string.Join(", ", ids ?? [])}]");
                break;
            }

            case StepKind.Advance:
                _kit.Time.Advance(TimeSpan.FromMinutes(step.Minutes));
                _model.Now += TimeSpan.FromMinutes(step.Minutes);
                break;
            case StepKind.Timeouts:
                await DeliverDueTimeoutsAsync();
                break;
            case StepKind.Redeliver when _delivered.Count > 0:
                await DeliverAsync(_delivered[step.Pick % _delivered.Count]);
                break;
            case StepKind.Pause:
            case StepKind.Resume:
                await MoveTemplateAsync(step);
                break;
        }
    }

    private async Task ClaimAsync(Step step)
    {
        string real;
        string? issued = null;
        try
        {
            var result = await _kit.ClaimAsync(LifecycleModel.TemplateModels[step.Template].Id, UserId(step.User), step.Key);
            real = Describe(result);
            issued = result is { IsIssued: true, IsReplay: false } ? result.Coupon!.CouponId : null;
        }
        catch (IdempotencyKeyConflictException)
        {
            real = "Conflict";
        }

        Compare(_model.Claim(UserId(step.User), step.Template, step.Key, issued), real, "claim");
    }

    private async Task MoveTemplateAsync(Step step)
    {
        var id = LifecycleModel.TemplateModels[step.Template].Id;
        string real;
        try
        {
            real = step.Kind == StepKind.Pause
                ? (await _kit.Templates.PauseAsync(id)).State == TemplateState.Paused ? "Paused" : "not paused"
                : (await _kit.Templates.ResumeAsync(id)).State == TemplateState.Active ? "Resumed" : "not resumed";
        }
        catch (TemplateStateException)
        {
            real = "TemplateStateException";
        }

        Compare(step.Kind == StepKind.Pause ? _model.Pause(step.Template) : _model.Resume(step.Template), real, step.Kind.ToString());
    }

    /// <summary>What the LockTimeout consumer does: release each due LockTimeout message's order, oldest first.</summary>
    private async Task DeliverDueTimeoutsAsync()
    {
        var now = _kit.Now;
        var due = _kit.Store.OutboxEntries
            .Select(e => e.Message)
            .Where(m => m.Tag == CouponTopics.LockTimeout && m.DeliverAt <= now && !_delivered.Contains(m))
            .OrderBy(m => m.DeliverAt)
            .ThenBy(m => m.MessageId, StringComparer.Ordinal)
            .ToArray();
        var expected = _model.Timeouts
            .Where(t => t.DeliverAt <= now && !_delivered.Any(m => m.Key == t.Order))
            .OrderBy(t => t.DeliverAt)
            .ThenBy(t => $"order:{t.Order}:lock-timeout", StringComparer.Ordinal)
            .Select(t => t.Order);
        Compare(string.Join(", ", expected), string.Join(", ", due.Select(m => m.Key)), "due timeouts");
        foreach (var message in due)
        {
            _delivered.Add(message);
            await DeliverAsync(message);
        }
    }

    private async Task DeliverAsync(OutboxMessage message)
    {
        var body = CouponEvents.Read<CouponEvents.OrderCoupons>(message);
        var real = await _kit.Redemptions.ReleaseAsync(body.OrderId, body.UserId, body.CouponIds, "timeout");
        var timeout = _model.Timeouts.Single(t => t.Order == body.OrderId);
        Compare(timeout.CouponIds.SequenceEqual(body.CouponIds) ? "same coupons" : "other coupons", "same coupons", $"timeout of {body.OrderId}");
        Compare(_model.Cancel(timeout.Order, timeout.User, timeout.CouponIds), Describe(real), $"timeout of {body.OrderId}");
    }

    /// <summary>The coupons an order means to lock now: its picks among its user's coupons, plus maybe one of anybody.</summary>
    private string[] CouponsOf(OrderPlan plan)
    {
        var own = _model.Coupons.Where(c => c.User == UserId(plan.User)).ToList();
        var ids = new List<string>();
        foreach (var pick in own.Count == 0 ? [] : plan.Picks)
        {
            var id = own[pick % own.Count].Id;
            if (!ids.Contains(id))
            {
                ids.Add(id);
            }
        }

        if (plan.Foreign is { } any && _model.Coupons.Count > 0 && _model.Coupons[any % _model.Coupons.Count].Id is var foreign && !ids.Contains(foreign))
        {
            ids.Add(foreign);
        }

        return ids.Count == 0 ? ["no-such-coupon"] : [.. ids];
    }

    private void Compare(string expected, string actual, string what)
    {
        _log.AppendLine(CultureInfo.InvariantCulture, $"    {what}: {actual}");
        if (expected != actual)
        {
            Fail($"{what}: the model expects '{expected}', the services answered '{actual}'");
        }
    }

    private void CheckCouponsMatchTheModel()
    {
        var real = _kit.Store.Coupons.OrderBy(c => c.CouponId, StringComparer.Ordinal).Select(c => $"{c.CouponId} {c.UserId} {c.State} {c.OrderId} {c.ValidUntil:O}");
        var model = _model.Coupons.OrderBy(c => c.Id, StringComparer.Ordinal).Select(c => $"{c.Id} {c.User} {c.State} {c.Order} {c.ValidUntil:O}");
        Compare(string.Join("; ", model), string.Join("; ", real), "coupons");
    }

    private async Task CheckInvariantsAsync()
    {
        var coupons = _kit.Store.Coupons;

        // Issued ≤ inventory, and the stock counts what was issued.
        foreach (var spec in LifecycleModel.TemplateModels)
        {
            var stock = (await _kit.Templates.GetStockAsync(spec.Id))!;
            var issued = coupons.Count(c => c.TemplateId == spec.Id);
            Check(issued <= spec.Inventory && stock.Issued == issued && stock.Total == spec.Inventory, $"template {spec.Id}: {issued} coupons, stock {stock}");
        }

        // The per-user limit held.
        foreach (var group in coupons.GroupBy(c => (c.UserId, c.TemplateId)))
        {
            var limit = LifecycleModel.TemplateModels.Single(t => t.Id == group.Key.TemplateId).PerUserLimit;
            Check(group.Count() <= limit, $"{group.Key.UserId} holds {group.Count()} coupons of {group.Key.TemplateId}, limit {limit}");
        }

        // No coupon both used and available; every lock ended confirmed or released.
        var records = new List<OperationRecord>();
        for (var order = 0; order < LifecycleGen.Orders; order++)
        {
            records.AddRange(await _kit.Store.ListRecordsAsync(OrderId(order), CancellationToken.None));
        }

        foreach (var coupon in coupons)
        {
            var confirmedBy = records.Where(r => r.CouponId == coupon.CouponId && r.Phase == TccPhase.Confirm).Select(r => r.OrderId).ToArray();
            var lockedBy = records.Where(r => r.CouponId == coupon.CouponId && r.Phase == TccPhase.Try && r.Origin == TccPhase.Try).Select(r => r.OrderId).ToArray();
            var releasedBy = records.Where(r => r.CouponId == coupon.CouponId && r.Phase == TccPhase.Cancel && lockedBy.Contains(r.OrderId)).Select(r => r.OrderId).ToArray();
            var what = $"coupon {coupon.CouponId} ({coupon.State}, order {coupon.OrderId}): locked by [{string.Join(", ", lockedBy)}], confirmed by [{string.Join(", ", confirmedBy)}], released by [{string.Join(", ", releasedBy)}]";
            Check(coupon.State != CouponState.Locked, "still locked after every timeout: " + what);
            Check(confirmedBy.Length <= 1 && confirmedBy.Length == (coupon.State == CouponState.Used ? 1 : 0), what);
            Check(coupon.State != CouponState.Used || coupon.OrderId == confirmedBy[0], what);
            Check(coupon.State == CouponState.Used || coupon.OrderId is null, what);
            Check(lockedBy.All(order => confirmedBy.Contains(order) ^ releasedBy.Contains(order)), "a lock neither confirmed nor released, or both: " + what);
        }

        // The statistics read from the store equal the model's counts.
        var byState = Enum.GetValues<CouponState>().Select(s => $"{s} {coupons.Count(c => c.State == s)}");
        var modelByState = Enum.GetValues<CouponState>().Select(s => $"{s} {_model.Coupons.Count(c => c.State == s)}");
        Compare(string.Join(", ", modelByState), string.Join(", ", byState), "coupons by state");
        var outbox = _kit.Store.OutboxEntries.Select(e => e.Message).ToArray();
        string Events(string tag) => $"{tag} {outbox.Count(m => m.Tag == tag)}";
        string CouponsIn(string tag) => $"{tag} {outbox.Where(m => m.Tag == tag).Sum(m => CouponEvents.Read<CouponEvents.OrderCoupons>(m).CouponIds.Count)}";
        Compare(
            $"Issued {_model.Coupons.Count}, Locked {_model.Locks}, LockTimeout {_model.Locks}, Confirmed {_model.Confirms}, Released {_model.Releases}, TemplateChanged {_model.TemplateChanges}",
            string.Join(", ", new[] { CouponTopics.Issued, CouponTopics.Locked, CouponTopics.LockTimeout, CouponTopics.Confirmed, CouponTopics.Released, CouponTopics.TemplateChanged }.Select(Events)),
            "events by tag");
        Compare(
            $"Locked {_model.LockedCoupons}, Confirmed {_model.ConfirmedCoupons}, Released {_model.ReleasedCoupons}",
            string.Join(", ", new[] { CouponTopics.Locked, CouponTopics.Confirmed, CouponTopics.Released }.Select(CouponsIn)),
            "coupons named by events");
        Check(_model.LockedCoupons == _model.ConfirmedCoupons + _model.ReleasedCoupons, "every coupon locked is confirmed or released once");
        Check(outbox.Length == outbox.Select(m => m.MessageId).Distinct().Count(), "outbox message ids are unique");
        Check(_kit.Bus.Published.Count == 0, "no compensation was published");
    }

    private void Check(bool condition, string what)
    {
        if (!condition)
        {
            Fail(what);
        }
    }

    private void Fail(string what) => Assert.Fail($"{what}{Environment.NewLine}run:{Environment.NewLine}{_log}");
}
