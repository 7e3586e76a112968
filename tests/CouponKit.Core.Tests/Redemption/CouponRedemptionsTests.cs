using CouponKit.Core.Tests.Issuance;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Redemption;

namespace CouponKit.Core.Tests.Redemption;

public class CouponRedemptionsTests
{
    private static readonly string[] Orders = ["o1", "o2"];

    private readonly TestKit _kit = new();

    private string _c1 = string.Empty;
    private string _c2 = string.Empty;
    private string _other = string.Empty;

    [Fact]
    public async Task LockAsync_AvailableCoupons_LocksThemAllAndSchedulesTheTimeout()
    {
        await GivenCouponsAsync();

        var result = await _kit.Redemptions.LockAsync("o1", "u1", [_c1, _c2]);

        Assert.Equal((RedemptionStatus.Locked, RedemptionRefusal.None, true), (result.Status, result.Refusal, result.Succeeded));
        Assert.Equal([_c1, _c2], result.Coupons.Select(c => c.CouponId));
        AssertState(CouponState.Locked, "o1", 2, _c1, _c2);
        var locked = Assert.Single(_kit.Outbox(CouponTopics.Locked));
        Assert.Equal([_c1, _c2], CouponEvents.Read<CouponEvents.OrderCoupons>(locked).CouponIds);
        var timeout = Assert.Single(_kit.Outbox(CouponTopics.LockTimeout));
        Assert.Equal(("order:o1:lock-timeout", "o1", _kit.Now + _kit.Options.LockTimeout), (timeout.MessageId, timeout.Key, timeout.DeliverAt));
        var body = CouponEvents.Read<CouponEvents.OrderCoupons>(timeout);
        Assert.Equal(("o1", "u1", "timeout"), (body.OrderId, body.UserId, body.Reason));
        Assert.Equal([_c1, _c2], body.CouponIds);
        Assert.Equal(
            [(_c1, TccPhase.Try, TccPhase.Try), (_c2, TccPhase.Try, TccPhase.Try)],
            (await RecordsAsync("o1")).Select(r => (r.CouponId, r.Phase, r.Origin)));
    }

    [Fact]
    public async Task ConfirmAsync_LockedOrder_UsesTheCoupons()
    {
        await GivenCouponsAsync();
        await _kit.Redemptions.LockAsync("o1", "u1", [_c1, _c2]);

        var result = await _kit.Redemptions.ConfirmAsync("o1", "u1");

        Assert.Equal((RedemptionStatus.Confirmed, RedemptionRefusal.None), (result.Status, result.Refusal));
        AssertState(CouponState.Used, "o1", 3, _c1, _c2);
        Assert.Equal([_c1, _c2], CouponEvents.Read<CouponEvents.OrderCoupons>(Assert.Single(_kit.Outbox(CouponTopics.Confirmed))).CouponIds);
    }

    [Fact]
    public async Task ReleaseAsync_LockedOrder_MakesTheCouponsAvailableForAnotherOrder()
    {
        await GivenCouponsAsync();
        await _kit.Redemptions.LockAsync("o1", "u1", [_c1, _c2]);

        var result = await _kit.Redemptions.ReleaseAsync("o1", "u1", reason: "payment failed");

        Assert.Equal((RedemptionStatus.Released, RedemptionRefusal.None), (result.Status, result.Refusal));
        AssertState(CouponState.Available, null, 3, _c1, _c2);
        var released = CouponEvents.Read<CouponEvents.OrderCoupons>(Assert.Single(_kit.Outbox(CouponTopics.Released)));
        Assert.Equal("payment failed", released.Reason);
        Assert.Equal(RedemptionStatus.Locked, (await _kit.Redemptions.LockAsync("o2", "u1", [_c1])).Status);
    }

    [Fact]
    public async Task LockAsync_Repeated_IsAlreadyDoneAndChangesNothing()
    {
        await GivenCouponsAsync();
        await _kit.Redemptions.LockAsync("o1", "u1", [_c1, _c2]);
        var before = await _kit.SnapshotAsync(orderIds: Orders);

        var again = await _kit.Redemptions.LockAsync("o1", "u1", [_c2, _c1]);

        Assert.Equal((RedemptionStatus.AlreadyDone, RedemptionRefusal.None, true), (again.Status, again.Refusal, again.Succeeded));
        Assert.All(again.Coupons, c => Assert.Equal(CouponState.Locked, c.State));
        await _kit.AssertUnchangedAsync(before, orderIds: Orders);
    }

    [Fact]
    public async Task ConfirmAsync_Repeated_IsAlreadyDoneAndChangesNothing()
    {
        await GivenCouponsAsync();
        await _kit.Redemptions.LockAsync("o1", "u1", [_c1]);
        await _kit.Redemptions.ConfirmAsync("o1", "u1");
        var before = await _kit.SnapshotAsync(orderIds: Orders);

        Assert.Equal(RedemptionStatus.AlreadyDone, (await _kit.Redemptions.ConfirmAsync("o1", "u1")).Status);
        Assert.Equal(RedemptionStatus.AlreadyDone, (await _kit.Redemptions.LockAsync("o1", "u1", [_c1])).Status);

        await _kit.AssertUnchangedAsync(before, orderIds: Orders);
    }

    [Fact]
    public async Task ReleaseAsync_Repeated_IsAlreadyDoneAndChangesNothing()
    {
        await GivenCouponsAsync();
        await _kit.Redemptions.LockAsync("o1", "u1", [_c1]);
        await _kit.Redemptions.ReleaseAsync("o1", "u1");
        var before = await _kit.SnapshotAsync(orderIds: Orders);

        Assert.Equal(RedemptionStatus.AlreadyDone, (await _kit.Redemptions.ReleaseAsync("o1", "u1")).Status);
        Assert.Equal(RedemptionStatus.AlreadyDone, (await _kit.Redemptions.ReleaseAsync("o1", "u1", [_c1], "timeout")).Status);

        await _kit.AssertUnchangedAsync(before, orderIds: Orders);
    }

    [Fact]
    public async Task ReleaseAsync_BeforeTheTry_RecordsAnEmptyCompensationAndTheLateTryIsRefused()
    {
        await GivenCouponsAsync();

        var cancel = await _kit.Redemptions.ReleaseAsync("o1", "u1", [_c1]);

        Assert.Equal((RedemptionStatus.Released, RedemptionRefusal.None), (cancel.Status, cancel.Refusal));
        Assert.Empty(cancel.Coupons);
        var records = await RecordsAsync("o1");
        Assert.Equal([(_c1, TccPhase.Cancel, TccPhase.Cancel), (_c1, TccPhase.Try, TccPhase.Cancel)], records.Select(r => (r.CouponId, r.Phase, r.Origin)));
        Assert.Single(records, r => r.IsEmptyCompensation);
        Assert.DoesNotContain(_kit.Store.OutboxEntries, e => e.Message.Key == "o1");
        var before = await _kit.SnapshotAsync(orderIds: Orders);

        var lateTry = await _kit.Redemptions.LockAsync("o1", "u1", [_c1]);

        Assert.Equal((RedemptionStatus.Refused, RedemptionRefusal.OrderCancelled, false), (lateTry.Status, lateTry.Refusal, lateTry.Succeeded));
        AssertState(CouponState.Available, null, 1, _c1);
        await _kit.AssertUnchangedAsync(before, orderIds: Orders);
    }

    [Fact]
    public async Task ReleaseAsync_WithoutCouponsBeforeTheTry_RefusesAnyLateTryOfTheOrder()
    {
        await GivenCouponsAsync();

        var cancel = await _kit.Redemptions.ReleaseAsync("o1", "u1");

        Assert.Equal(RedemptionStatus.Released, cancel.Status);
        Assert.All(await RecordsAsync("o1"), r => Assert.Equal(OperationRecord.OrderWide, r.CouponId));
        Assert.Equal(RedemptionRefusal.OrderCancelled, (await _kit.Redemptions.LockAsync("o1", "u1", [_c2])).Refusal);
        Assert.Equal(RedemptionRefusal.OrderCancelled, (await _kit.Redemptions.ConfirmAsync("o1", "u1")).Refusal);
        Assert.Equal(RedemptionStatus.AlreadyDone, (await _kit.Redemptions.ReleaseAsync("o1", "u1")).Status);
        AssertState(CouponState.Available, null, 1, _c1, _c2);
    }

    [Fact]
    public async Task ConfirmAsync_AfterCancel_IsRefusedOrderCancelledAndChangesNothing()
    {
        await GivenCouponsAsync();
        await _kit.Redemptions.LockAsync("o1", "u1", [_c1]);
        await _kit.Redemptions.ReleaseAsync("o1", "u1");
        var before = await _kit.SnapshotAsync(orderIds: Orders);

        var confirm = await _kit.Redemptions.ConfirmAsync("o1", "u1");

        Assert.Equal((RedemptionStatus.Refused, RedemptionRefusal.OrderCancelled), (confirm.Status, confirm.Refusal));
        await _kit.AssertUnchangedAsync(before, orderIds: Orders);
    }

    [Fact]
    public async Task ConfirmAsync_AfterTheLockTimedOut_IsRefusedOrderCancelled()
    {
        await GivenCouponsAsync();
        await _kit.Redemptions.LockAsync("o1", "u1", [_c1]);
        _kit.Time.Advance(_kit.Options.LockTimeout);

        var timeout = await DeliverLockTimeoutAsync("o1");
        var confirm = await _kit.Redemptions.ConfirmAsync("o1", "u1");

        Assert.Equal(RedemptionStatus.Released, timeout.Status);
        Assert.Equal(RedemptionRefusal.OrderCancelled, confirm.Refusal);
        AssertState(CouponState.Available, null, 3, _c1);
    }

    [Fact]
    public async Task ReleaseAsync_AfterConfirm_IsRefusedOrderConfirmedAndChangesNothing()
    {
        await GivenCouponsAsync();
        await _kit.Redemptions.LockAsync("o1", "u1", [_c1]);
        await _kit.Redemptions.ConfirmAsync("o1", "u1");
        _kit.Time.Advance(_kit.Options.LockTimeout);
        var before = await _kit.SnapshotAsync(orderIds: Orders);

        var cancel = await _kit.Redemptions.ReleaseAsync("o1", "u1");
        var timeout = await DeliverLockTimeoutAsync("o1");

        Assert.Equal((RedemptionStatus.Refused, RedemptionRefusal.OrderConfirmed), (cancel.Status, cancel.Refusal));
        Assert.Equal(RedemptionRefusal.OrderConfirmed, timeout.Refusal);
        AssertState(CouponState.Used, "o1", 3, _c1);
        await _kit.AssertUnchangedAsync(before, orderIds: Orders);
    }

    [Fact]
    public async Task ConfirmAsync_WithoutTry_IsRefusedNotLocked()
    {
        await GivenCouponsAsync();
        var before = await _kit.SnapshotAsync(orderIds: Orders);

        var confirm = await _kit.Redemptions.ConfirmAsync("o1", "u1");

        Assert.Equal((RedemptionStatus.Refused, RedemptionRefusal.NotLocked), (confirm.Status, confirm.Refusal));
        await _kit.AssertUnchangedAsync(before, orderIds: Orders);
    }

    [Fact]
    public async Task LockAsync_CouponLockedByAnotherOrder_IsRefusedCouponNotAvailable()
    {
        await GivenCouponsAsync();
        await _kit.Redemptions.LockAsync("o1", "u1", [_c1]);
        var before = await _kit.SnapshotAsync(orderIds: Orders);

        var second = await _kit.Redemptions.LockAsync("o2", "u1", [_c2, _c1]);

        Assert.Equal((RedemptionStatus.Refused, RedemptionRefusal.CouponNotAvailable), (second.Status, second.Refusal));
        Assert.Contains(_c1, second.Message, StringComparison.Ordinal);
        AssertState(CouponState.Locked, "o1", 2, _c1);
        AssertState(CouponState.Available, null, 1, _c2); // all or none
        await _kit.AssertUnchangedAsync(before, orderIds: Orders);
    }

    [Fact]
    public async Task LockAsync_TwoOrdersRaceForOneCoupon_ExactlyOneLocks()
    {
        await GivenCouponsAsync();
        var orders = Enumerable.Range(0, 32).Select(i => $"race-{i}").ToArray();

        var results = await Task.WhenAll(orders.Select(order => Task.Run(() => _kit.Redemptions.LockAsync(order, "u1", [_c1]))));

        var winner = Assert.Single(results, r => r.Status == RedemptionStatus.Locked);
        Assert.All(results.Where(r => r != winner), r => Assert.Equal(RedemptionRefusal.CouponNotAvailable, r.Refusal));
        var coupon = _kit.Coupon(_c1);
        Assert.Equal((CouponState.Locked, orders[Array.IndexOf(results, winner)], 2L), (coupon.State, coupon.OrderId, coupon.Version));
        Assert.Single(_kit.Outbox(CouponTopics.Locked));
        Assert.Single(_kit.Outbox(CouponTopics.LockTimeout));
    }

    [Fact]
    public async Task LockAsync_TwoOrdersRaceForOverlappingCoupons_OneLocksBothAndTheOtherNone()
    {
        await GivenCouponsAsync();

        for (var round = 0; round < 50; round++)
        {
            var (first, second) = ($"a-{round}", $"b-{round}");
            var results = await Task.WhenAll(
                Task.Run(() => _kit.Redemptions.LockAsync(first, "u1", [_c1, _c2])),
                Task.Run(() => _kit.Redemptions.LockAsync(second, "u1", [_c2, _c1])));

            var winner = Assert.Single(results, r => r.Status == RedemptionStatus.Locked);
            Assert.Equal(RedemptionRefusal.CouponNotAvailable, Assert.Single(results, r => r != winner).Refusal);
            var order = results[0] == winner ? first : second;
            AssertState(CouponState.Locked, order, 2 + (2 * round), _c1, _c2);
            Assert.Equal(RedemptionStatus.Released, (await _kit.Redemptions.ReleaseAsync(order, "u1")).Status);
        }
    }

    [Fact]
    public async Task LockAsync_UsedCoupon_IsRefusedCouponNotAvailable()
    {
        await GivenCouponsAsync();
        await _kit.Redemptions.LockAsync("o1", "u1", [_c1]);
        await _kit.Redemptions.ConfirmAsync("o1", "u1");

        Assert.Equal(RedemptionRefusal.CouponNotAvailable, (await _kit.Redemptions.LockAsync("o2", "u1", [_c1])).Refusal);
    }

    [Fact]
    public async Task LockAsync_SameOrderOtherCoupons_IsRefusedDifferentCoupons()
    {
        await GivenCouponsAsync();
        await _kit.Redemptions.LockAsync("o1", "u1", [_c1]);
        var before = await _kit.SnapshotAsync(orderIds: Orders);

        var other = await _kit.Redemptions.LockAsync("o1", "u1", [_c1, _c2]);

        Assert.Equal(RedemptionRefusal.DifferentCoupons, other.Refusal);
        await _kit.AssertUnchangedAsync(before, orderIds: Orders);
    }

    [Fact]
    public async Task LockAsync_CouponOfAnotherUserOrUnknown_IsRefusedCouponNotFound()
    {
        await GivenCouponsAsync();
        var before = await _kit.SnapshotAsync(orderIds: Orders);

        var foreign = await _kit.Redemptions.LockAsync("o1", "u1", [_c1, _other]);
        var unknown = await _kit.Redemptions.LockAsync("o2", "u1", ["no-such-coupon"]);

        Assert.Equal((RedemptionStatus.Refused, RedemptionRefusal.CouponNotFound), (foreign.Status, foreign.Refusal));
        Assert.Equal(RedemptionRefusal.CouponNotFound, unknown.Refusal);
        await _kit.AssertUnchangedAsync(before, orderIds: Orders);
    }

    [Fact]
    public async Task LockAsync_ExpiredCoupon_IsRefusedOutsideValidity()
    {
        await GivenCouponsAsync();
        _kit.Time.Advance(TimeSpan.FromDays(7));
        var before = await _kit.SnapshotAsync(orderIds: Orders);

        var result = await _kit.Redemptions.LockAsync("o1", "u1", [_c1]);

        Assert.Equal(RedemptionRefusal.OutsideValidity, result.Refusal);
        await _kit.AssertUnchangedAsync(before, orderIds: Orders);
    }

    [Fact]
    public async Task LockAsync_CouponNotYetValid_IsRefusedOutsideValidity()
    {
        await _kit.ActiveAsync(TestKit.Draft("later") with { Validity = CouponValidity.Between(Shop.Now.AddDays(1), Shop.Now.AddDays(2)) });
        var coupon = await _kit.IssueAsync("later", "u1");

        Assert.Equal(RedemptionRefusal.OutsideValidity, (await _kit.Redemptions.LockAsync("o1", "u1", [coupon.CouponId])).Refusal);

        _kit.Time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(RedemptionStatus.Locked, (await _kit.Redemptions.LockAsync("o1", "u1", [coupon.CouponId])).Status);
    }

    [Fact]
    public async Task ReleaseAsync_AtTheCouponsEnd_ExpiresIt()
    {
        await GivenCouponsAsync();
        _kit.Time.Advance(TimeSpan.FromDays(7) - TimeSpan.FromMinutes(10));
        await _kit.Redemptions.LockAsync("o1", "u1", [_c1, _c2]);
        _kit.Time.Advance(TimeSpan.FromMinutes(10));

        var result = await _kit.Redemptions.ReleaseAsync("o1", "u1");

        Assert.Equal(RedemptionStatus.Released, result.Status);
        AssertState(CouponState.Expired, null, 3, _c1, _c2);
        Assert.All(result.Coupons, c => Assert.Equal(CouponState.Expired, c.State));
        Assert.Single(_kit.Outbox(CouponTopics.Released));
    }

    [Fact]
    public async Task ReleaseAsync_LockTimeoutAfterTheCouponsEnd_ExpiresOnlyTheEndedCoupon()
    {
        await _kit.ActiveAsync(TestKit.Draft("short") with { Validity = CouponValidity.Between(Shop.Now, Shop.Now.AddMinutes(20)) });
        await GivenCouponsAsync();
        var ending = (await _kit.IssueAsync("short", "u1")).CouponId;
        await _kit.Redemptions.LockAsync("o1", "u1", [_c1, ending]);
        _kit.Time.Advance(_kit.Options.LockTimeout);

        var result = await DeliverLockTimeoutAsync("o1");

        Assert.Equal(RedemptionStatus.Released, result.Status);
        AssertState(CouponState.Available, null, 3, _c1);
        AssertState(CouponState.Expired, null, 3, ending);
    }

    [Theory]
    [InlineData("no coupons")]
    [InlineData("51 coupons")]
    [InlineData("duplicate coupon")]
    [InlineData("blank coupon id")]
    [InlineData("blank order id")]
    [InlineData("order id too long")]
    [InlineData("blank user id")]
    public async Task LockAsync_BadInput_ThrowsArgumentExceptionAndWritesNothing(string mistake)
    {
        await GivenCouponsAsync();
        var before = await _kit.SnapshotAsync(orderIds: ["o1", " ", string.Empty]);
        var (order, user, coupons) = mistake switch
        {
            "no coupons" => ("o1", "u1", Array.Empty<string>()),
            "51 coupons" => ("o1", "u1", Enumerable.Range(0, CouponRedemptions.MaxCouponsPerOrder + 1).Select(i => $"c{i}").ToArray()),
            "duplicate coupon" => ("o1", "u1", new[] { _c1, _c2, _c1 }),
            "blank coupon id" => ("o1", "u1", new[] { _c1, " " }),
            "blank order id" => (" ", "u1", new[] { _c1 }),
            "order id too long" => (new string('o', 129), "u1", new[] { _c1 }),
            _ => ("o1", string.Empty, new[] { _c1 }),
        };

        await Assert.ThrowsAnyAsync<ArgumentException>(() => _kit.Redemptions.LockAsync(order, user, coupons));

        await _kit.AssertUnchangedAsync(before, orderIds: ["o1", " ", string.Empty]);
    }

    [Fact]
    public async Task Steps_BadInput_ThrowArgumentExceptionAndWriteNothing()
    {
        await GivenCouponsAsync();
        await _kit.Redemptions.LockAsync("o1", "u1", [_c1]);
        var before = await _kit.SnapshotAsync(orderIds: Orders);
        var fifty = Enumerable.Range(0, CouponRedemptions.MaxCouponsPerOrder).Select(i => $"c{i}").ToArray();

        await Assert.ThrowsAsync<ArgumentNullException>(() => _kit.Redemptions.LockAsync("o1", "u1", null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => _kit.Redemptions.LockAsync(null!, "u1", [_c1]));
        await Assert.ThrowsAsync<ArgumentException>(() => _kit.Redemptions.ConfirmAsync(" ", "u1"));
        await Assert.ThrowsAsync<ArgumentException>(() => _kit.Redemptions.ConfirmAsync("o1", " "));
        await Assert.ThrowsAsync<ArgumentException>(() => _kit.Redemptions.ReleaseAsync("\n", "u1"));
        await Assert.ThrowsAsync<ArgumentException>(() => _kit.Redemptions.ReleaseAsync("o1", "u1", [.. fifty, "one more"]));
        await Assert.ThrowsAsync<ArgumentException>(() => _kit.Redemptions.ReleaseAsync("o1", "u1", [_c1, _c1]));

        await _kit.AssertUnchangedAsync(before, orderIds: Orders);
        Assert.Equal(RedemptionRefusal.CouponNotFound, (await _kit.Redemptions.LockAsync("o2", "u1", fifty)).Refusal); // 50 is accepted
    }

    /// <summary>An active template, 5 per user, 7 days of validity; u1 claims two coupons and u2 one.</summary>
    private async Task GivenCouponsAsync()
    {
        await _kit.ActiveAsync(TestKit.Draft() with { PerUserLimit = 5 });
        _c1 = (await _kit.IssueAsync("t1", "u1")).CouponId;
        _c2 = (await _kit.IssueAsync("t1", "u1")).CouponId;
        _other = (await _kit.IssueAsync("t1", "u2")).CouponId;
    }

    /// <summary>Does what the LockTimeout consumer does with the order's delayed message.</summary>
    private async Task<RedemptionResult> DeliverLockTimeoutAsync(string orderId)
    {
        var message = Assert.Single(_kit.Outbox(CouponTopics.LockTimeout), m => m.Key == orderId);
        Assert.True(message.DeliverAt <= _kit.Now, "the timeout is not due yet");

        var body = CouponEvents.Read<CouponEvents.OrderCoupons>(message);
        return await _kit.Redemptions.ReleaseAsync(body.OrderId, body.UserId, body.CouponIds, body.Reason ?? "timeout");
    }

    private async Task<IReadOnlyList<OperationRecord>> RecordsAsync(string orderId) =>
        await _kit.Store.ListRecordsAsync(orderId, CancellationToken.None);

    private void AssertState(CouponState state, string? orderId, long version, params string[] couponIds)
    {
        foreach (var id in couponIds)
        {
            var coupon = _kit.Coupon(id);
            Assert.Equal((id, state, orderId, version), (coupon.CouponId, coupon.State, coupon.OrderId, coupon.Version));
        }
    }
}
