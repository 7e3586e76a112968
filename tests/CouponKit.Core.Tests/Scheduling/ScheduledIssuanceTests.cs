using CouponKit.InMemory;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Scheduling;
using CouponKit.Security;
using Microsoft.Extensions.Time.Testing;

namespace CouponKit.Core.Tests.Scheduling;

public sealed class ScheduledIssuanceTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new(Shop.Now);
    private readonly InMemoryCouponKitStore _store = new();
    private readonly InMemoryIssuanceScheduleStore _schedules = new();
    private readonly InMemoryMessageBus _bus;
    private readonly CouponTemplates _templates;
    private readonly ScheduledIssuance _scheduler;

    public ScheduledIssuanceTests()
    {
        _bus = new InMemoryMessageBus(_time, _store);
        _templates = new CouponTemplates(_store, _time);
        _scheduler = new ScheduledIssuance(_templates, _store, _schedules, _bus, _time);
    }

    public async ValueTask DisposeAsync()
    {
        await _scheduler.StopAsync(CancellationToken.None);
        await _bus.DisposeAsync();
    }

    [Fact]
    public async Task ScheduleOpeningAsync_RescheduledTwice_OpensOnceAtTheLastTime()
    {
        await _scheduler.StartAsync(CancellationToken.None);
        var template = await _templates.CreateAsync(Issuance.TestKit.Draft());
        await _scheduler.ScheduleOpeningAsync(MerchantActor.Platform, template.Id, Delivery.AtTime(Shop.Now.AddHours(1)));
        await _scheduler.ScheduleOpeningAsync(MerchantActor.Platform, template.Id, Delivery.AtLevel(17)); // 1 h as well: a level
        var last = await _scheduler.ScheduleOpeningAsync(MerchantActor.Platform, template.Id, Delivery.After(TimeSpan.FromHours(3)));

        await AdvanceAsync(TimeSpan.FromHours(1));
        Assert.Equal(TemplateState.Draft, (await _templates.GetAsync(template.Id)).State);
        await AdvanceAsync(TimeSpan.FromHours(2) - TimeSpan.FromSeconds(1));
        Assert.Equal(TemplateState.Draft, (await _templates.GetAsync(template.Id)).State);
        await AdvanceAsync(TimeSpan.FromSeconds(1));

        var opened = await _templates.GetAsync(template.Id);
        Assert.Equal(TemplateState.Active, opened.State);
        Assert.Equal(template.Version + 1, opened.Version);
        Assert.Equal(Shop.Now.AddHours(3), opened.UpdatedAt);
        Assert.Equal(ScheduleStatus.Fired, (await _schedules.FindAsync(template.Id, CancellationToken.None))!.Status);
        Assert.Equal(last.ScheduleId, (await _schedules.FindAsync(template.Id, CancellationToken.None))!.ScheduleId);
    }

    [Fact]
    public async Task HandleAsync_DuplicateAndLateDeliveries_OpenOnce()
    {
        var template = await _templates.CreateAsync(Issuance.TestKit.Draft());
        var schedule = await _scheduler.ScheduleOpeningAsync(MerchantActor.Platform, template.Id, Delivery.After(TimeSpan.FromMinutes(5)));
        var message = new OutboxMessage($"schedule:{schedule.ScheduleId}", CouponTopics.Coupon, ScheduledIssuance.OpeningTag, template.Id, System.Text.Json.JsonSerializer.Serialize(new ScheduledIssuance.Opening(template.Id, schedule.ScheduleId, template.Version)), Shop.Now);

        await _scheduler.HandleAsync(new IncomingMessage(message, 1), CancellationToken.None);
        var opened = await _templates.GetAsync(template.Id);
        await _templates.PauseAsync(template.Id);
        await _scheduler.HandleAsync(new IncomingMessage(message, 2), CancellationToken.None);

        Assert.Equal(TemplateState.Active, opened.State);
        Assert.Equal(TemplateState.Paused, (await _templates.GetAsync(template.Id)).State);
    }

    [Fact]
    public async Task HandleAsync_TemplateEditedOrCancelledSinceScheduled_IsIgnored()
    {
        await _scheduler.StartAsync(CancellationToken.None);
        var edited = await _templates.CreateAsync(Issuance.TestKit.Draft("edited"));
        var cancelled = await _templates.CreateAsync(Issuance.TestKit.Draft("cancelled"));
        await _scheduler.ScheduleOpeningAsync(MerchantActor.Platform, edited.Id, Delivery.AtLevel(5));
        await _scheduler.ScheduleOpeningAsync(MerchantActor.Platform, cancelled.Id, Delivery.AtLevel(5));
        await _templates.EditAsync(edited.Id, new TemplateEdit { Name = "renamed" });
        Assert.True(await _scheduler.CancelAsync(MerchantActor.Platform, cancelled.Id));

        await AdvanceAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(TemplateState.Draft, (await _templates.GetAsync(edited.Id)).State);
        Assert.Equal(TemplateState.Draft, (await _templates.GetAsync(cancelled.Id)).State);
        Assert.Equal(ScheduleStatus.Cancelled, (await _schedules.FindAsync(edited.Id, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task ScheduleOpeningAsync_InThePastOrActiveTemplate_ThrowsAndChangesNothing()
    {
        var template = await _templates.CreateAsync(Issuance.TestKit.Draft());
        var active = await _templates.ActivateAsync((await _templates.CreateAsync(Issuance.TestKit.Draft("active"))).Id);

        await Assert.ThrowsAsync<ScheduleInPastException>(() => _scheduler.ScheduleOpeningAsync(MerchantActor.Platform, template.Id, Delivery.AtTime(Shop.Now.AddMinutes(-1))));
        await Assert.ThrowsAsync<TemplateStateException>(() => _scheduler.ScheduleOpeningAsync(MerchantActor.Platform, active.Id, Delivery.AtLevel(1)));

        Assert.Null(await _schedules.FindAsync(template.Id, CancellationToken.None));
        Assert.Null(await _schedules.FindAsync(active.Id, CancellationToken.None));
        Assert.Equal(template, await _templates.GetAsync(template.Id));
    }

    private async Task AdvanceAsync(TimeSpan by)
    {
        _time.Advance(by);
        await _bus.WhenIdleAsync();
    }
}
