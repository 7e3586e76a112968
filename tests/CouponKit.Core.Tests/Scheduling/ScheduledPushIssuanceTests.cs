using CouponKit.Core.Tests.Push;
using CouponKit.InMemory;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Scheduling;
using CouponKit.Security;

namespace CouponKit.Core.Tests.Scheduling;

/// <summary>Push issuance at a set time, carried by a delayed message; rescheduling and cancelling are safe.</summary>
public sealed class ScheduledPushIssuanceTests : IAsyncDisposable
{
    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web);
    private readonly PushHarness _push = new PushHarness().WithUsers(100);
    private readonly InMemoryIssuanceScheduleStore _schedules = new();
    private readonly InMemoryMessageBus _bus;
    private readonly ScheduledPushIssuance _scheduler;

    public ScheduledPushIssuanceTests()
    {
        _bus = new InMemoryMessageBus(_push.Time, _push.Store);
        _scheduler = new ScheduledPushIssuance(_push.Templates, _push.Sut, _push.Jobs, _schedules, _bus, _push.Time);
    }

    public async ValueTask DisposeAsync()
    {
        await _scheduler.StopAsync(CancellationToken.None);
        await _bus.DisposeAsync();
    }

    [Fact]
    public async Task SchedulePushAsync_RescheduledTwice_PushesOnceAtTheLastTime()
    {
        await _scheduler.StartAsync(CancellationToken.None);
        var template = await _push.ActiveTemplateAsync(inventory: 100);
        var request = Request(template.Id);
        await _scheduler.SchedulePushAsync(MerchantActor.Platform, request, Delivery.AtTime(Shop.Now.AddHours(1)));
        await _scheduler.SchedulePushAsync(MerchantActor.Platform, request, Delivery.AtLevel(18)); // 2 h
        var last = await _scheduler.SchedulePushAsync(MerchantActor.Platform, request, Delivery.AtTime(Shop.Now.AddHours(22))); // 10:00 tomorrow

        await AdvanceAsync(TimeSpan.FromHours(2));
        Assert.Null(await _push.Jobs.FindAsync("welcome", CancellationToken.None));
        Assert.Empty(_push.Store.Coupons);
        await AdvanceAsync(TimeSpan.FromHours(20) - TimeSpan.FromSeconds(1));
        Assert.Empty(_push.Store.Coupons);
        await AdvanceAsync(TimeSpan.FromSeconds(1));

        var job = (await _push.Jobs.FindAsync("welcome", CancellationToken.None))!;
        Assert.Equal((PushJobState.Completed, 100L, Shop.Now.AddHours(22)), (job.State, job.Issued, job.CreatedAt));
        Assert.Equal(100, _push.Store.Coupons.Count);
        Assert.All(_push.Store.Coupons, c => Assert.Equal(Shop.Now.AddHours(22), c.ClaimedAt));
        var schedule = (await _scheduler.FindAsync("welcome"))!;
        Assert.Equal((last.ScheduleId, ScheduleStatus.Fired), (schedule.ScheduleId, schedule.Status));

        await AdvanceAsync(TimeSpan.FromDays(2)); // nothing else is due
        Assert.Equal(100, _push.Store.Coupons.Count);
    }

    [Fact]
    public async Task HandleAsync_DuplicateOrStaleDelivery_PushesOnce()
    {
        var template = await _push.ActiveTemplateAsync(inventory: 500);
        var first = await _scheduler.SchedulePushAsync(MerchantActor.Platform, Request(template.Id), Delivery.AtLevel(1));
        var current = await _scheduler.SchedulePushAsync(MerchantActor.Platform, Request(template.Id), Delivery.AtLevel(2));

        await _scheduler.HandleAsync(Fire(template.Id, first.ScheduleId), CancellationToken.None); // stale
        Assert.Empty(_push.Store.Coupons);
        await _scheduler.HandleAsync(Fire(template.Id, current.ScheduleId), CancellationToken.None);
        await _scheduler.HandleAsync(Fire(template.Id, current.ScheduleId), CancellationToken.None); // duplicate

        Assert.Equal(100, _push.Store.Coupons.Count);
        Assert.Equal(new TemplateStock(500, 100), await _push.Templates.GetStockAsync(template.Id));
    }

    [Fact]
    public async Task CancelAsync_ThePendingPush_NeverRuns()
    {
        await _scheduler.StartAsync(CancellationToken.None);
        var template = await _push.ActiveTemplateAsync(inventory: 100);
        await _scheduler.SchedulePushAsync(MerchantActor.Platform, Request(template.Id), Delivery.After(TimeSpan.FromMinutes(10)));

        Assert.True(await _scheduler.CancelAsync(MerchantActor.Platform, "welcome"));
        Assert.False(await _scheduler.CancelAsync(MerchantActor.Platform, "welcome"));
        await AdvanceAsync(TimeSpan.FromHours(1));

        Assert.Empty(_push.Store.Coupons);
        Assert.Equal(ScheduleStatus.Cancelled, (await _scheduler.FindAsync("welcome"))!.Status);
    }

    [Fact]
    public async Task HandleAsync_TemplatePausedAtTheTime_CancelsTheScheduleAndIssuesNothing()
    {
        await _scheduler.StartAsync(CancellationToken.None);
        var template = await _push.ActiveTemplateAsync(inventory: 100);
        await _scheduler.SchedulePushAsync(MerchantActor.Platform, Request(template.Id), Delivery.AtLevel(5));
        await _push.Templates.PauseAsync(template.Id);

        await AdvanceAsync(TimeSpan.FromMinutes(1));

        Assert.Empty(_push.Store.Coupons);
        Assert.Equal(ScheduleStatus.Cancelled, (await _scheduler.FindAsync("welcome"))!.Status);
    }

    [Fact]
    public async Task SchedulePushAsync_BadInput_ThrowsItsTypedErrorAndChangesNothing()
    {
        var template = await _push.ActiveTemplateAsync(inventory: 100);
        var grabOnly = await _push.ActiveTemplateAsync(inventory: 100, channels: ClaimChannels.Grab);
        var at = Delivery.AtTime(Shop.Now.AddHours(1));

        await Assert.ThrowsAsync<ScheduleInPastException>(() => _scheduler.SchedulePushAsync(MerchantActor.Platform, Request(template.Id), Delivery.AtTime(Shop.Now.AddTicks(-1))));
        await Assert.ThrowsAsync<TemplateNotFoundException>(() => _scheduler.SchedulePushAsync(MerchantActor.Platform, Request("no-such-template"), at));
        await Assert.ThrowsAsync<InvalidTemplateException>(() => _scheduler.SchedulePushAsync(MerchantActor.Platform, Request(grabOnly.Id), at));
        await Assert.ThrowsAsync<ArgumentException>(() => _scheduler.SchedulePushAsync(MerchantActor.Platform, new PushJobRequest { JobId = "welcome", TemplateId = template.Id, Segment = PushHarness.Segment, ChunkSize = 0 }, at));
        await _push.Sut.StartAsync(new PushJobRequest { JobId = "started", TemplateId = template.Id, Segment = PushHarness.Segment });
        await Assert.ThrowsAsync<IdempotencyKeyConflictException>(() => _scheduler.SchedulePushAsync(MerchantActor.Platform, Request(template.Id, "started"), at));

        Assert.Null(await _scheduler.FindAsync("welcome"));
        Assert.Null(await _scheduler.FindAsync("started"));
    }

    private static PushJobRequest Request(string templateId, string jobId = "welcome") =>
        new() { JobId = jobId, TemplateId = templateId, Segment = PushHarness.Segment, ChunkSize = 30 };

    private static IncomingMessage Fire(string templateId, string scheduleId)
    {
        var body = System.Text.Json.JsonSerializer.Serialize(new ScheduledPushIssuance.Fire("welcome", scheduleId, templateId, PushHarness.Segment, 30), Json);
        return new IncomingMessage(new OutboxMessage($"push-schedule:{scheduleId}", CouponTopics.Coupon, ScheduledPushIssuance.PushTag, "welcome", body, Shop.Now), 1);
    }

    private async Task AdvanceAsync(TimeSpan by)
    {
        _push.Time.Advance(by);
        await _bus.WhenIdleAsync();
    }
}
