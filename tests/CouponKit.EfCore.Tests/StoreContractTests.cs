using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Redemption;
using CouponKit.Rules;
using CouponKit.Statistics;

namespace CouponKit.EfCore.Tests;

/// <summary>
/// What every store must do, with the semantics of the in-memory reference. Each adapter subclasses it and gives a fresh,
/// empty store per test through <see cref="CreateStore"/>.
/// </summary>
public abstract partial class StoreContractTests
{
    protected static readonly DateTimeOffset T0 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    private StoreUnderTest? _store;

    protected StoreUnderTest Store => _store ??= CreateStore();

    /// <summary>Creates an empty store.</summary>
    protected abstract StoreUnderTest CreateStore();

    // ---- templates -------------------------------------------------------------------------------------------------

    [Fact]
    public async Task AddAsync_NewTemplate_FindsItWithFullStock()
    {
        var template = Template("t1", inventory: 5);
        await Store.Templates.AddAsync(template, [], default);

        var found = await Store.Templates.FindAsync("t1", default);
        Assert.NotNull(found);
        Assert.Equal(template.Name, found.Name);
        Assert.Equal(template.Version, found.Version);
        Assert.Equal(TemplateState.Active, found.State);
        Assert.Equal(template.CreatedAt, found.CreatedAt);
        Assert.Equal(template.Rule.Describe(), found.Rule.Describe());
        Assert.Equal(new TemplateStock(5, 0), await Store.Templates.GetStockAsync("t1", default));
    }

    [Fact]
    public async Task FindAsync_UnknownTemplate_ReturnsNull()
    {
        Assert.Null(await Store.Templates.FindAsync("nope", default));
        Assert.Null(await Store.Templates.GetStockAsync("nope", default));
    }

    [Fact]
    public async Task AddAsync_DuplicateId_ThrowsInvalidTemplate()
    {
        await Store.Templates.AddAsync(Template("t1"), [], default);
        var ex = await Assert.ThrowsAsync<InvalidTemplateException>(() => Store.Templates.AddAsync(Template("t1"), [], default));
        Assert.Equal("id", ex.Field);
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public async Task AddAsync_EveryRuleKind_RoundTripsTheDefinition(string kind)
    {
        var rule = RuleOf(kind);
        var draft = new TemplateDraft
        {
            Id = "t-" + kind,
            Name = "All the trimmings",
            Rule = rule,
            Scope = new CouponScope { Categories = ["shoes"], ExcludedSkus = ["sku-9"], Brands = ["acme"], IncludeDiscountedItems = true },
            Stacking = StackingPolicy.InGroup("vip", priority: 3),
            Issuer = CouponIssuer.Platform,
            TotalInventory = 42,
            Validity = CouponValidity.Between(T0, T0.AddDays(30)),
            ClaimStartsAt = T0.AddHours(-1),
            ClaimEndsAt = T0.AddDays(10),
            PerUserLimit = 3,
            Audience = new Audience { Segments = ["gold", "silver"], NewUsersOnly = true },
            ClaimCostPoints = 150,
            Channels = ClaimChannels.Grab | ClaimChannels.PromoCode,
        };
        await Store.Templates.AddAsync(CouponTemplate.Restore(draft.Id!, draft, TemplateState.Draft, 1, T0, T0), [], default);

        var found = await Store.Templates.FindAsync(draft.Id!, default);

        Assert.NotNull(found);
        Assert.Equal(rule.Kind, found.Rule.Kind);
        Assert.Equal(rule.GetType(), found.Rule.GetType());
        Assert.Equal(rule.Describe(), found.Rule.Describe());
        Assert.Equal(["shoes"], found.Scope.Categories);
        Assert.Equal(["sku-9"], found.Scope.ExcludedSkus);
        Assert.Equal(["acme"], found.Scope.Brands);
        Assert.True(found.Scope.IncludeDiscountedItems);
        Assert.Equal("vip", found.Stacking.Group);
        Assert.Equal(3, found.Stacking.Priority);
        Assert.Equal(CouponIssuer.Platform, found.Issuer);
        Assert.Equal(42, found.TotalInventory);
        Assert.Equal(T0, found.Validity.From);
        Assert.Equal(T0.AddDays(30), found.Validity.Until);
        Assert.Equal(T0.AddHours(-1), found.ClaimStartsAt);
        Assert.Equal(T0.AddDays(10), found.ClaimEndsAt);
        Assert.Equal(3, found.PerUserLimit);
        Assert.Equal(["gold", "silver"], found.Audience.Segments.Order(StringComparer.Ordinal));
        Assert.True(found.Audience.NewUsersOnly);
        Assert.Equal(150, found.ClaimCostPoints);
        Assert.Equal(ClaimChannels.Grab | ClaimChannels.PromoCode, found.Channels);
        Assert.Equal(TemplateState.Draft, found.State);
    }

    public static TheoryData<string> Rules() => new(Enum.GetNames<RuleKind>());

    private static DiscountRule RuleOf(string kind)
    {
        var spend = Threshold.Spend(Money.Of(100m, "CNY"));
        return Enum.Parse<RuleKind>(kind) switch
        {
            RuleKind.ThresholdRebate => new ThresholdRebateRule([new RebateTier(spend, Money.Of(10m, "CNY")), new RebateTier(Threshold.Spend(Money.Of(200m, "CNY")), Money.Of(25m, "CNY"))]),
            RuleKind.RepeatingRebate => new RepeatingRebateRule(spend, Money.Of(15m, "CNY"), 3),
            RuleKind.FixedAmount => new FixedAmountRule(Money.Of(5m, "CNY"), Threshold.ItemCount(2)),
            RuleKind.PercentOff => new PercentOffRule(12.5m, Money.Of(50m, "CNY"), spend),
            RuleKind.BuyXGetY => new BuyXGetYRule(2, 1, 50m, "sku-1", 3),
            RuleKind.FreeShipping => new FreeShippingRule(spend, Money.Of(10m, "CNY")),
            RuleKind.FreeGift => new FreeGiftRule("gift-1", "Mug", Money.Of(30m, "CNY"), 2, spend),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no sample rule"),
        };
    }

    [Fact]
    public async Task UpdateAsync_ExpectedVersion_ReplacesAndAdjustsRemaining()
    {
        await Store.Templates.AddAsync(Template("t1", inventory: 5), [], default);
        await IssueAsync("t1", "u1");
        await IssueAsync("t1", "u2");

        await Store.Templates.UpdateAsync(Template("t1", inventory: 8, version: 2, name: "bigger"), 1, [Message("m-upd", "t1")], default);

        var found = await Store.Templates.FindAsync("t1", default);
        Assert.Equal("bigger", found!.Name);
        Assert.Equal(2, found.Version);
        Assert.Equal(new TemplateStock(8, 2), await Store.Templates.GetStockAsync("t1", default));
        Assert.Contains(await LeaseAllAsync(), e => e.Message.MessageId == "m-upd");
    }

    [Fact]
    public async Task UpdateAsync_StaleVersion_ThrowsConcurrencyConflict()
    {
        await Store.Templates.AddAsync(Template("t1"), [], default);
        await Store.Templates.UpdateAsync(Template("t1", version: 2), 1, [], default);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Store.Templates.UpdateAsync(Template("t1", version: 2, name: "late"), 1, [Message("m-late", "t1")], default));

        Assert.Equal("10 off 100", (await Store.Templates.FindAsync("t1", default))!.Name);
        Assert.DoesNotContain(await LeaseAllAsync(), e => e.Message.MessageId == "m-late");
    }

    [Fact]
    public async Task UpdateAsync_InventoryBelowIssued_ThrowsInvalidTemplate()
    {
        await Store.Templates.AddAsync(Template("t1", inventory: 5), [], default);
        await IssueAsync("t1", "u1");
        await IssueAsync("t1", "u2");

        var ex = await Assert.ThrowsAsync<InvalidTemplateException>(() => Store.Templates.UpdateAsync(Template("t1", inventory: 1, version: 2), 1, [], default));

        Assert.Equal("totalInventory", ex.Field);
        Assert.Equal(new TemplateStock(5, 2), await Store.Templates.GetStockAsync("t1", default));
        await Store.Templates.UpdateAsync(Template("t1", inventory: 2, version: 2), 1, [], default);
        Assert.Equal(new TemplateStock(2, 2), await Store.Templates.GetStockAsync("t1", default));
    }

    [Fact]
    public async Task UpdateAsync_UnknownTemplate_ThrowsNotFound() =>
        await Assert.ThrowsAsync<TemplateNotFoundException>(() => Store.Templates.UpdateAsync(Template("nope", version: 2), 1, [], default));

    // ---- issuance --------------------------------------------------------------------------------------------------

    [Fact]
    public async Task IssueAsync_FreshKey_IssuesAndWritesEverything()
    {
        await Store.Templates.AddAsync(Template("t1", inventory: 5), [], default);
        var coupon = Coupon("c1", "t1", "u1");

        var outcome = await Store.Coupons.IssueAsync(new IssueCommand("k1", coupon, 1, [Message("m1", "c1")]), default);

        Assert.Equal(IssueStatus.Issued, outcome.Status);
        Assert.Equal(coupon, outcome.Coupon);
        Assert.Equal(coupon, await Store.Coupons.FindAsync("c1", default));
        Assert.Equal(coupon, await Store.Coupons.FindByClaimKeyAsync("k1", default));
        Assert.Equal([coupon], await Store.Coupons.ListByUserAsync("u1", default));
        Assert.Equal(new TemplateStock(5, 1), await Store.Templates.GetStockAsync("t1", default));
        Assert.Equal(["m1"], (await LeaseAllAsync()).Select(e => e.Message.MessageId));
    }

    [Fact]
    public async Task IssueAsync_SameKeySameUser_ReplaysWithoutSpendingStock()
    {
        await Store.Templates.AddAsync(Template("t1", inventory: 5), [], default);
        var first = await Store.Coupons.IssueAsync(new IssueCommand("k1", Coupon("c1", "t1", "u1"), 2, []), default);

        var again = await Store.Coupons.IssueAsync(new IssueCommand("k1", Coupon("c2", "t1", "u1"), 2, [Message("m2", "c2")]), default);

        Assert.Equal(IssueStatus.Replayed, again.Status);
        Assert.Equal(first.Coupon, again.Coupon);
        Assert.Equal(new TemplateStock(5, 1), await Store.Templates.GetStockAsync("t1", default));
        Assert.Null(await Store.Coupons.FindAsync("c2", default));
        Assert.Empty(await LeaseAllAsync());
    }

    [Fact]
    public async Task IssueAsync_SameKeyOtherUser_IsKeyConflict()
    {
        await Store.Templates.AddAsync(Template("t1", inventory: 5), [], default);
        await Store.Coupons.IssueAsync(new IssueCommand("k1", Coupon("c1", "t1", "u1"), 1, []), default);

        var other = await Store.Coupons.IssueAsync(new IssueCommand("k1", Coupon("c2", "t1", "u2"), 1, []), default);

        Assert.Equal(IssueStatus.KeyConflict, other.Status);
        Assert.Null(other.Coupon);
        Assert.Equal(new TemplateStock(5, 1), await Store.Templates.GetStockAsync("t1", default));
    }

    [Fact]
    public async Task IssueAsync_PerUserLimit_IsLimitReached()
    {
        await Store.Templates.AddAsync(Template("t1", inventory: 5), [], default);
        Assert.Equal(IssueStatus.Issued, (await Store.Coupons.IssueAsync(new IssueCommand("k1", Coupon("c1", "t1", "u1"), 2, []), default)).Status);
        Assert.Equal(IssueStatus.Issued, (await Store.Coupons.IssueAsync(new IssueCommand("k2", Coupon("c2", "t1", "u1"), 2, []), default)).Status);

        var third = await Store.Coupons.IssueAsync(new IssueCommand("k3", Coupon("c3", "t1", "u1"), 2, []), default);

        Assert.Equal(IssueStatus.LimitReached, third.Status);
        Assert.Equal(new TemplateStock(5, 2), await Store.Templates.GetStockAsync("t1", default));
        Assert.Equal(2, (await Store.Coupons.ListByUserAsync("u1", default)).Count);
    }

    [Fact]
    public async Task IssueAsync_NoStock_IsSoldOut()
    {
        await Store.Templates.AddAsync(Template("t1", inventory: 1), [], default);
        await IssueAsync("t1", "u1");

        var late = await Store.Coupons.IssueAsync(new IssueCommand("k-late", Coupon("c-late", "t1", "u2"), 1, [Message("m-late", "c-late")]), default);

        Assert.Equal(IssueStatus.SoldOut, late.Status);
        Assert.Equal(new TemplateStock(1, 1), await Store.Templates.GetStockAsync("t1", default));
        Assert.Null(await Store.Coupons.FindByClaimKeyAsync("k-late", default));
        Assert.DoesNotContain(await LeaseAllAsync(), e => e.Message.MessageId == "m-late");
    }

    [Fact]
    public async Task IssueAsync_UnknownTemplate_ThrowsNotFound() =>
        await Assert.ThrowsAsync<TemplateNotFoundException>(() => Store.Coupons.IssueAsync(new IssueCommand("k1", Coupon("c1", "nope", "u1"), 1, []), default));

    [Fact]
    public async Task IssueAsync_32ConcurrentClaimersOn100Stock_IssuesExactly100()
    {
        await Store.Templates.AddAsync(Template("t1", inventory: 100), [], default);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 32).Select(claimer => Task.Run(async () =>
        {
            var mine = new List<IssueStatus>();
            for (var i = 0; i < 5; i++)
            {
                var id = $"c-{claimer}-{i}";
                var outcome = await Store.Coupons.IssueAsync(new IssueCommand($"k-{claimer}-{i}", Coupon(id, "t1", $"u{claimer}"), 10, [Message("m-" + id, id)]), default);
                mine.Add(outcome.Status);
            }

            return mine;
        })));

        var all = outcomes.SelectMany(o => o).ToArray();
        Assert.Equal(100, all.Count(s => s == IssueStatus.Issued));
        Assert.Equal(60, all.Count(s => s == IssueStatus.SoldOut));
        Assert.Equal(new TemplateStock(100, 100), await Store.Templates.GetStockAsync("t1", default));
        var held = 0;
        for (var claimer = 0; claimer < 32; claimer++)
        {
            held += (await Store.Coupons.ListByUserAsync($"u{claimer}", default)).Count;
        }

        Assert.Equal(100, held);
        Assert.Equal(100, (await LeaseAllAsync()).Count);
    }

    [Fact]
    public async Task IssueAsync_ConcurrentClaimsOfOneUser_StopAtTheLimit()
    {
        await Store.Templates.AddAsync(Template("t1", inventory: 100), [], default);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            Task.Run(() => Store.Coupons.IssueAsync(new IssueCommand($"k{i}", Coupon($"c{i}", "t1", "u1"), 3, []), default))));

        Assert.Equal(3, outcomes.Count(o => o.Status == IssueStatus.Issued));
        Assert.Equal(13, outcomes.Count(o => o.Status == IssueStatus.LimitReached));
        Assert.Equal(new TemplateStock(100, 3), await Store.Templates.GetStockAsync("t1", default));
    }

    [Fact]
    public async Task IssueAsync_ConcurrentClaimsWithOneKey_IssueOnce()
    {
        await Store.Templates.AddAsync(Template("t1", inventory: 100), [], default);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            Task.Run(() => Store.Coupons.IssueAsync(new IssueCommand("same-key", Coupon($"c{i}", "t1", "u1"), 5, []), default))));

        Assert.Equal(1, outcomes.Count(o => o.Status == IssueStatus.Issued));
        Assert.Equal(15, outcomes.Count(o => o.Status == IssueStatus.Replayed));
        Assert.Single(outcomes.Select(o => o.Coupon!.CouponId).Distinct());
        Assert.Equal(new TemplateStock(100, 1), await Store.Templates.GetStockAsync("t1", default));
    }

    // ---- TCC -------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Tcc_TryThenConfirm_LocksThenUses()
    {
        var coupon = await ReadyCouponAsync("c1", "u1");

        var locked = await Store.Redemptions.ExecuteAsync(Try("o1", "u1", "c1"), default);
        Assert.Equal(RedemptionStatus.Locked, locked.Status);
        var stored = await Store.Coupons.FindAsync("c1", default);
        Assert.Equal(CouponState.Locked, stored!.State);
        Assert.Equal("o1", stored.OrderId);
        Assert.Equal(coupon.Version + 1, stored.Version);

        Assert.Equal(RedemptionStatus.AlreadyDone, (await Store.Redemptions.ExecuteAsync(Try("o1", "u1", "c1"), default)).Status);

        var confirmed = await Store.Redemptions.ExecuteAsync(Step(TccPhase.Confirm, "o1", "u1"), default);
        Assert.Equal(RedemptionStatus.Confirmed, confirmed.Status);
        Assert.Equal(CouponState.Used, (await Store.Coupons.FindAsync("c1", default))!.State);
        Assert.Equal(RedemptionStatus.AlreadyDone, (await Store.Redemptions.ExecuteAsync(Step(TccPhase.Confirm, "o1", "u1"), default)).Status);

        var cancel = await Store.Redemptions.ExecuteAsync(Step(TccPhase.Cancel, "o1", "u1"), default);
        Assert.Equal(RedemptionRefusal.OrderConfirmed, cancel.Refusal);

        var records = await Store.Redemptions.ListRecordsAsync("o1", default);
        Assert.Equal([TccPhase.Try, TccPhase.Confirm], records.Select(r => r.Phase));
        var tags = (await LeaseAllAsync()).Select(e => e.Message.Topic + "/" + e.Message.Tag).ToArray();
        Assert.Equal(3, tags.Length); // locked, lock timeout, confirmed
    }

    [Fact]
    public async Task Tcc_TryThenCancel_ReleasesTheCoupon()
    {
        await ReadyCouponAsync("c1", "u1");
        await Store.Redemptions.ExecuteAsync(Try("o1", "u1", "c1"), default);

        var released = await Store.Redemptions.ExecuteAsync(Step(TccPhase.Cancel, "o1", "u1"), default);

        Assert.Equal(RedemptionStatus.Released, released.Status);
        var stored = await Store.Coupons.FindAsync("c1", default);
        Assert.Equal(CouponState.Available, stored!.State);
        Assert.Null(stored.OrderId);
        Assert.Equal(RedemptionStatus.AlreadyDone, (await Store.Redemptions.ExecuteAsync(Step(TccPhase.Cancel, "o1", "u1"), default)).Status);
        Assert.Equal(RedemptionRefusal.OrderCancelled, (await Store.Redemptions.ExecuteAsync(Step(TccPhase.Confirm, "o1", "u1"), default)).Refusal);
    }

    [Fact]
    public async Task Tcc_CancelBeforeTry_RefusesTheLateTry()
    {
        await ReadyCouponAsync("c1", "u1");

        var cancelled = await Store.Redemptions.ExecuteAsync(Step(TccPhase.Cancel, "o1", "u1", "c1"), default);
        Assert.Equal(RedemptionStatus.Released, cancelled.Status);

        var late = await Store.Redemptions.ExecuteAsync(Try("o1", "u1", "c1"), default);

        Assert.Equal(RedemptionRefusal.OrderCancelled, late.Refusal);
        Assert.Equal(CouponState.Available, (await Store.Coupons.FindAsync("c1", default))!.State);
        var records = await Store.Redemptions.ListRecordsAsync("o1", default);
        Assert.Contains(records, r => r.IsEmptyCompensation);
    }

    [Fact]
    public async Task Tcc_SecondOrderOnALockedCoupon_IsRefused()
    {
        await ReadyCouponAsync("c1", "u1");
        await Store.Redemptions.ExecuteAsync(Try("o1", "u1", "c1"), default);

        var second = await Store.Redemptions.ExecuteAsync(Try("o2", "u1", "c1"), default);

        Assert.Equal(RedemptionRefusal.CouponNotAvailable, second.Refusal);
        Assert.Equal("o1", (await Store.Coupons.FindAsync("c1", default))!.OrderId);
        Assert.Empty(await Store.Redemptions.ListRecordsAsync("o2", default));
    }

    [Fact]
    public async Task Tcc_ConfirmWithoutTry_IsNotLocked()
    {
        await ReadyCouponAsync("c1", "u1");
        Assert.Equal(RedemptionRefusal.NotLocked, (await Store.Redemptions.ExecuteAsync(Step(TccPhase.Confirm, "o1", "u1"), default)).Refusal);
    }

    [Fact]
    public async Task Tcc_ConcurrentTriesOfOneOrder_LockOnce()
    {
        await ReadyCouponAsync("c1", "u1");

        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(() => Store.Redemptions.ExecuteAsync(Try("o1", "u1", "c1"), default))));

        Assert.Equal(1, results.Count(r => r.Status == RedemptionStatus.Locked));
        Assert.Equal(11, results.Count(r => r.Status == RedemptionStatus.AlreadyDone));
        Assert.Single(await Store.Redemptions.ListRecordsAsync("o1", default));
    }

    [Fact]
    public async Task Tcc_ConcurrentOrdersOnOneCoupon_OneWins()
    {
        await ReadyCouponAsync("c1", "u1");

        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(() => Store.Redemptions.ExecuteAsync(Try($"o{i}", "u1", "c1"), default))));

        Assert.Equal(1, results.Count(r => r.Status == RedemptionStatus.Locked));
        Assert.Equal(11, results.Count(r => r.Refusal == RedemptionRefusal.CouponNotAvailable));
        var stored = await Store.Coupons.FindAsync("c1", default);
        Assert.Equal(CouponState.Locked, stored!.State);
        Assert.Equal(2, stored.Version);
    }

    // ---- expiry ----------------------------------------------------------------------------------------------------

    [Fact]
    public async Task ExpireAsync_PastTheirEnd_ExpiresAvailableCouponsOnly()
    {
        await Store.Templates.AddAsync(Template("t1", inventory: 10), [], default);
        await Store.Coupons.IssueAsync(new IssueCommand("k1", Coupon("c1", "t1", "u1", days: 1), 5, []), default);
        await Store.Coupons.IssueAsync(new IssueCommand("k2", Coupon("c2", "t1", "u1", days: 2), 5, []), default);
        await Store.Coupons.IssueAsync(new IssueCommand("k3", Coupon("c3", "t1", "u1", days: 30), 5, []), default);
        await Store.Redemptions.ExecuteAsync(Try("o1", "u1", "c2"), default);

        var expired = await Store.Expiry.ExpireAsync(T0.AddDays(3), 10, default);

        Assert.Equal(["c1"], expired.Select(c => c.CouponId));
        Assert.Equal(CouponState.Expired, (await Store.Coupons.FindAsync("c1", default))!.State);
        Assert.Equal(CouponState.Locked, (await Store.Coupons.FindAsync("c2", default))!.State);
        Assert.Equal(CouponState.Available, (await Store.Coupons.FindAsync("c3", default))!.State);
        Assert.Empty(await Store.Expiry.ExpireAsync(T0.AddDays(3), 10, default));
    }

    // ---- outbox ----------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Outbox_LeaseDue_KeepsOrderPerKeyAndLeases()
    {
        await Store.Templates.AddAsync(Template("t1"), [Message("a1", "A"), Message("a2", "A"), Message("b1", "B")], default);
        var lease = TimeSpan.FromSeconds(30);

        var first = await Store.Outbox.LeaseDueAsync(T0, 10, lease, default);
        Assert.Equal(["a1", "b1"], first.Select(e => e.Message.MessageId));
        Assert.All(first, e => Assert.Equal(1, e.Attempts));
        Assert.All(first, e => Assert.Equal(OutboxStatus.Pending, e.Status));
        Assert.Empty(await Store.Outbox.LeaseDueAsync(T0, 10, lease, default));

        await Store.Outbox.MarkPublishedAsync("a1", default);
        Assert.Equal(["a2"], (await Store.Outbox.LeaseDueAsync(T0, 10, lease, default)).Select(e => e.Message.MessageId));

        await Store.Outbox.MarkFailedAsync("b1", T0.AddMinutes(1), "broker down", default);
        Assert.Empty(await Store.Outbox.LeaseDueAsync(T0.AddSeconds(10), 10, lease, default));

        var retried = await Store.Outbox.LeaseDueAsync(T0.AddMinutes(1), 10, lease, default);
        Assert.Equal(["a2", "b1"], retried.Select(e => e.Message.MessageId));
        Assert.Equal(2, retried.Single(e => e.Message.MessageId == "b1").Attempts);

        await Store.Outbox.MarkFailedAsync("b1", null, "gave up", default);
        await Store.Outbox.MarkPublishedAsync("a2", default);
        Assert.Empty(await Store.Outbox.LeaseDueAsync(T0.AddHours(1), 10, lease, default));
    }

    [Fact]
    public async Task Outbox_LeaseDue_RespectsMax()
    {
        await Store.Templates.AddAsync(Template("t1"), [Message("a", "A"), Message("b", "B"), Message("c", "C")], default);
        Assert.Equal(["a", "b"], (await Store.Outbox.LeaseDueAsync(T0, 2, TimeSpan.FromSeconds(30), default)).Select(e => e.Message.MessageId));
    }

    [Fact]
    public async Task Outbox_SameMessageTwice_IsOneRow()
    {
        await Store.Templates.AddAsync(Template("t1"), [Message("m1", "A")], default);
        await Store.Templates.UpdateAsync(Template("t1", version: 2), 1, [Message("m1", "A")], default);
        Assert.Single(await LeaseAllAsync());
    }

    [Fact]
    public async Task Outbox_Message_RoundTripsEveryField()
    {
        var message = new OutboxMessage("m1", "topic-x", "tag-y", "key-z", "{\"a\":1}", T0, T0.AddMinutes(30));
        await Store.Templates.AddAsync(Template("t1"), [message], default);
        Assert.Equal(message, (await LeaseAllAsync()).Single().Message);
    }

    // ---- inbox and dead letters ------------------------------------------------------------------------------------

    [Fact]
    public async Task Inbox_RecordsOncePerGroup()
    {
        Assert.False(await Store.Inbox.ContainsAsync("g1", "m1", default));
        Assert.True(await Store.Inbox.TryRecordAsync("g1", "m1", default));
        Assert.False(await Store.Inbox.TryRecordAsync("g1", "m1", default));
        Assert.True(await Store.Inbox.ContainsAsync("g1", "m1", default));
        Assert.True(await Store.Inbox.TryRecordAsync("g2", "m1", default));
    }

    [Fact]
    public async Task Inbox_ConcurrentRecords_OnlyOneIsFirst()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(() => Store.Inbox.TryRecordAsync("g1", "m1", default))));
        Assert.Equal(1, results.Count(r => r));
    }

    [Fact]
    public async Task DeadLetters_AddListRemove()
    {
        var first = new DeadLetter(Message("d1", "A"), "g1", 16, "boom", T0);
        var second = new DeadLetter(Message("d2", "B"), "g2", 3, "bang", T0.AddMinutes(1));
        await Store.DeadLetters.AddAsync(first, default);
        await Store.DeadLetters.AddAsync(second, default);

        Assert.Equal([first, second], await Store.DeadLetters.ListAsync(10, default));
        Assert.Equal([first], await Store.DeadLetters.ListAsync(1, default));
        Assert.True(await Store.DeadLetters.RemoveAsync("d1", "g1", default));
        Assert.False(await Store.DeadLetters.RemoveAsync("d1", "g1", default));
        Assert.False(await Store.DeadLetters.RemoveAsync("d2", "g1", default));
        Assert.Equal([second], await Store.DeadLetters.ListAsync(10, default));
    }

    // ---- discounts, statistics, reconciliation ----------------------------------------------------------------------

    [Fact]
    public async Task Discounts_RecordAgain_ReplacesTheAmount()
    {
        await Store.Discounts.RecordAsync([new CouponDiscount("o1", "c1", Money.Of(10m, "CNY")), new CouponDiscount("o1", "c2", Money.Of(2.5m, "USD"))], default);
        await Store.Discounts.RecordAsync([new CouponDiscount("o1", "c1", Money.Of(12.34m, "CNY"))], default);

        var listed = (await Store.Discounts.ListByOrderAsync("o1", default)).OrderBy(d => d.CouponId, StringComparer.Ordinal).ToArray();

        Assert.Equal([new CouponDiscount("o1", "c1", Money.Of(12.34m, "CNY")), new CouponDiscount("o1", "c2", Money.Of(2.5m, "USD"))], listed);
        Assert.Empty(await Store.Discounts.ListByOrderAsync("o2", default));
    }

    [Fact]
    public async Task Statistics_CountStatesLocksAndDiscounts()
    {
        await ReadyCouponAsync("c1", "u1");
        await ReadyCouponAsync("c2", "u1");
        await ReadyCouponAsync("c3", "u2");
        await Store.Redemptions.ExecuteAsync(Try("o1", "u1", "c1"), default);
        await Store.Redemptions.ExecuteAsync(Step(TccPhase.Confirm, "o1", "u1"), default);
        await Store.Redemptions.ExecuteAsync(Try("o2", "u1", "c2"), default);
        await Store.Redemptions.ExecuteAsync(Step(TccPhase.Cancel, "o2", "u1"), default);
        await Store.Redemptions.ExecuteAsync(Try("o3", "u2", "c3"), default);
        await Store.Redemptions.ExecuteAsync(Step(TccPhase.Cancel, "o9", "u2", "c3"), default); // a Cancel before any Try: no lock
        await Store.Discounts.RecordAsync([new CouponDiscount("o1", "c1", Money.Of(10m, "CNY"))], default);

        var stats = await Store.Statistics.GetTemplateStatisticsAsync("tcc", default);

        Assert.NotNull(stats);
        Assert.Equal(3, stats.Issued);
        Assert.Equal(3, stats.Claimed);
        Assert.Equal(1, stats.Available);
        Assert.Equal(1, stats.Locked);
        Assert.Equal(1, stats.Used);
        Assert.Equal(0, stats.Expired);
        Assert.Equal(3, stats.LocksTaken);
        Assert.Equal(1, stats.Released);
        Assert.Equal(1, stats.UsedWithRecordedDiscount);
        Assert.Equal([Money.Of(10m, "CNY")], stats.DiscountGranted);
        Assert.Null(await Store.Statistics.GetTemplateStatisticsAsync("nope", default));
    }

    [Fact]
    public async Task Reconciliation_ListsCouponsConfirmedInThePeriod()
    {
        await ReadyCouponAsync("c1", "u1");
        await ReadyCouponAsync("c2", "u1");
        await Store.Redemptions.ExecuteAsync(Try("o1", "u1", "c1"), default);
        await Store.Redemptions.ExecuteAsync(Step(TccPhase.Confirm, "o1", "u1"), default);
        await Store.Redemptions.ExecuteAsync(Try("o2", "u1", "c2"), default);
        await Store.Discounts.RecordAsync([new CouponDiscount("o1", "c1", Money.Of(10m, "CNY"))], default);

        var used = await Store.Reconciliation.ListUsedAsync(T0, T0.AddDays(1), default);

        var single = Assert.Single(used);
        Assert.Equal("c1", single.Coupon.CouponId);
        Assert.Equal(CouponState.Used, single.Coupon.State);
        Assert.Equal(T0.AddHours(2), single.ConfirmedAt);
        Assert.Equal(Money.Of(10m, "CNY"), single.Discount);
        Assert.Empty(await Store.Reconciliation.ListUsedAsync(T0.AddDays(1), T0.AddDays(2), default));
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    protected static CouponTemplate Template(string id, int inventory = 100, long version = 1, string name = "10 off 100")
    {
        var draft = new TemplateDraft
        {
            Id = id,
            Name = name,
            Rule = new ThresholdRebateRule(Threshold.Spend(Money.Of(100m, "CNY")), Money.Of(10m, "CNY")),
            TotalInventory = inventory,
            Validity = CouponValidity.ForDaysAfterClaim(7),
        };
        return CouponTemplate.Restore(id, draft, TemplateState.Active, version, T0, T0.AddMinutes(version));
    }

    protected static IssuedCoupon Coupon(string id, string templateId, string userId, int days = 7) =>
        new(id, templateId, userId, CouponState.Available, T0, T0.AddDays(days), T0, ClaimChannels.Grab, null, 1);

    protected static OutboxMessage Message(string id, string key) => new(id, "couponkit-test", "Tested", key, "{}", T0);

    protected static RedemptionCommand Try(string orderId, string userId, params string[] couponIds) =>
        new(TccPhase.Try, orderId, userId, couponIds, T0.AddHours(1), T0.AddHours(1).AddMinutes(30));

    protected static RedemptionCommand Step(TccPhase phase, string orderId, string userId, params string[] couponIds) =>
        new(phase, orderId, userId, couponIds, T0.AddHours(2), Reason: phase == TccPhase.Cancel ? "test" : null);

    protected async Task<IssuedCoupon> IssueAsync(string templateId, string userId)
    {
        var id = Guid.NewGuid().ToString("N");
        var outcome = await Store.Coupons.IssueAsync(new IssueCommand("k-" + id, Coupon("c-" + id, templateId, userId), 10, []), default);
        Assert.Equal(IssueStatus.Issued, outcome.Status);
        return outcome.Coupon!;
    }

    protected async Task<IssuedCoupon> ReadyCouponAsync(string couponId, string userId)
    {
        if (await Store.Templates.FindAsync("tcc", default) is null)
        {
            await Store.Templates.AddAsync(Template("tcc"), [], default);
        }

        var outcome = await Store.Coupons.IssueAsync(new IssueCommand("k-" + couponId, Coupon(couponId, "tcc", userId), 10, []), default);
        return outcome.Coupon!;
    }

    /// <summary>Leases every pending message far in the future (each lease gets the oldest of each key; loop until dry).</summary>
    protected async Task<List<OutboxEntry>> LeaseAllAsync()
    {
        var all = new List<OutboxEntry>();
        var at = T0.AddYears(1);
        for (var round = 0; round < 1000; round++)
        {
            var batch = await Store.Outbox.LeaseDueAsync(at, 1000, TimeSpan.FromDays(1), default);
            if (batch.Count == 0)
            {
                return all;
            }

            all.AddRange(batch);
            foreach (var entry in batch)
            {
                await Store.Outbox.MarkPublishedAsync(entry.Message.MessageId, default);
            }
        }

        return all;
    }
}
