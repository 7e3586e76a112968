using CouponKit.Core.Tests.Statistics;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Redemption;

namespace CouponKit.Core.Tests.Expiry;

public class CouponExpiryTests
{
    private static readonly DateTimeOffset End = CouponWorld.Start.AddDays(3);

    [Fact]
    public async Task ExpireDue_OneTickBeforeEnd_ExpiresNothing()
    {
        var world = new CouponWorld();
        await world.TemplateEndingAtAsync("t1", End);
        var coupon = await world.ClaimAsync("t1", "u1");

        world.Time.SetUtcNow(End.AddTicks(-1));
        var result = await world.Expiry.ExpireDueAsync();

        Assert.Empty(result.Expired);
        Assert.False(result.MayHaveMore);
        Assert.Equal(CouponState.Available, (await world.FindAsync(coupon.CouponId))!.State);
    }

    [Fact]
    public async Task ExpireDue_AtEnd_ExpiresThroughTheTableWithAnEvent()
    {
        var world = new CouponWorld();
        await world.TemplateEndingAtAsync("t1", End);
        var coupon = await world.ClaimAsync("t1", "u1");

        world.Time.SetUtcNow(End);
        var result = await world.Expiry.ExpireDueAsync();

        var expired = Assert.Single(result.Expired);
        Assert.Equal(CouponState.Expired, expired.State);
        Assert.Equal(coupon.Version + 1, expired.Version);
        Assert.Equal(expired, await world.FindAsync(coupon.CouponId));
        var message = Assert.Single(world.Store.OutboxEntries, e => e.Message.Tag == CouponTopics.Expired).Message;
        Assert.Equal($"coupon:{coupon.CouponId}:expired", message.MessageId);
        Assert.Equal(CouponTopics.Coupon, message.Topic);
        Assert.Equal("t1", message.Key);
        var body = CouponEvents.Read<ExpiryEvents.CouponExpired>(message);
        Assert.Equal(new ExpiryEvents.CouponExpired(coupon.CouponId, "t1", "u1", End, End), body);
    }

    [Fact]
    public async Task ExpireDue_RunTwice_ExpiresOnceAndWritesOneEvent()
    {
        var world = new CouponWorld();
        await world.TemplateEndingAtAsync("t1", End);
        await world.ClaimAsync("t1", "u1");
        world.Time.SetUtcNow(End.AddHours(1));

        var first = await world.Expiry.ExpireDueAsync();
        var second = await world.Expiry.ExpireDueAsync();

        Assert.Single(first.Expired);
        Assert.Empty(second.Expired);
        Assert.Single(world.Store.OutboxEntries, e => e.Message.Tag == CouponTopics.Expired);
    }

    [Fact]
    public async Task ExpireDue_LockedCoupon_StaysLockedAndExpiresOnRelease()
    {
        var world = new CouponWorld();
        await world.TemplateEndingAtAsync("t1", End);
        var locked = await world.ClaimAsync("t1", "u1");
        world.Time.SetUtcNow(End.AddMinutes(-5));
        await world.LockAsync("o1", locked);

        world.Time.SetUtcNow(End.AddMinutes(1));
        var result = await world.Expiry.ExpireDueAsync();

        Assert.Empty(result.Expired);
        Assert.Equal(CouponState.Locked, (await world.FindAsync(locked.CouponId))!.State);

        await world.ReleaseAsync("o1", locked);
        Assert.Equal(CouponState.Expired, (await world.FindAsync(locked.CouponId))!.State);
    }

    [Fact]
    public async Task ExpireDue_UsedCoupon_StaysUsed()
    {
        var world = new CouponWorld();
        await world.TemplateEndingAtAsync("t1", End);
        var coupon = await world.ClaimAsync("t1", "u1");
        await world.UseAsync("o1", coupon);

        world.Time.SetUtcNow(End.AddDays(1));
        var result = await world.Expiry.ExpireDueAsync();

        Assert.Empty(result.Expired);
        Assert.Equal(CouponState.Used, (await world.FindAsync(coupon.CouponId))!.State);
    }

    [Fact]
    public async Task ExpireDue_MoreThanABatch_ExpiresEarliestEndFirstAndSaysMoreMayWait()
    {
        var world = new CouponWorld();
        await world.TemplateForDaysAsync("t1", days: 1);
        var first = await world.ClaimAsync("t1", "u1");
        world.Time.Advance(TimeSpan.FromMinutes(1));
        var second = await world.ClaimAsync("t1", "u2");
        world.Time.Advance(TimeSpan.FromMinutes(1));
        var third = await world.ClaimAsync("t1", "u3");
        world.Time.SetUtcNow(third.ValidUntil);

        var run1 = await world.Expiry.ExpireDueAsync(batchSize: 2);
        var run2 = await world.Expiry.ExpireDueAsync(batchSize: 2);

        Assert.Equal([first.CouponId, second.CouponId], run1.Expired.Select(c => c.CouponId));
        Assert.True(run1.MayHaveMore);
        Assert.Equal([third.CouponId], run2.Expired.Select(c => c.CouponId));
        Assert.False(run2.MayHaveMore);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(CouponExpiry.MaxBatchSize + 1)]
    public async Task ExpireDue_BatchSizeOutOfRange_Throws(int batchSize)
    {
        var world = new CouponWorld();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => world.Expiry.ExpireDueAsync(batchSize));
    }

    [Fact]
    public void Plan_OnlyAvailableCouponsPastTheirEnd()
    {
        var now = CouponWorld.Start;
        var due = Coupon("due", CouponState.Available, now);
        var notYet = Coupon("not-yet", CouponState.Available, now.AddTicks(1));
        var locked = Coupon("locked", CouponState.Locked, now.AddDays(-1));
        var used = Coupon("used", CouponState.Used, now.AddDays(-1));

        var plan = ExpiryPlanner.Plan([due, notYet, locked, used], now);

        var update = Assert.Single(plan.CouponUpdates);
        Assert.Equal(due with { State = CouponState.Expired, Version = 2 }, update);
        Assert.Equal("coupon:due:expired", Assert.Single(plan.Messages).MessageId);
    }

    private static IssuedCoupon Coupon(string id, CouponState state, DateTimeOffset until) =>
        new(id, "t1", "u1", state, until.AddDays(-7), until, until.AddDays(-7), ClaimChannels.Grab, state == CouponState.Available ? null : "o1", 1);
}
