using CouponKit.Core.Tests.Statistics;
using CouponKit.InMemory;
using CouponKit.Issuance;
using CouponKit.Ports;
using Microsoft.Extensions.Options;

namespace CouponKit.Core.Tests.Expiry;

public class ExpiryRemindersTests
{
    private static readonly DateTimeOffset End = CouponWorld.Start.AddDays(3);

    private readonly CouponWorld _world = new();
    private readonly InMemoryNotifyStore _table = new();
    private readonly InMemoryNotificationSender _sender = new();
    private readonly InMemoryUserActivity _users = new();

    [Fact]
    public async Task Schedule_SameUserTemplateAndDay_OneRow()
    {
        var template = await _world.TemplateEndingAtAsync("t1", End);
        var first = await _world.ClaimAsync("t1", "u1");
        var second = await _world.ClaimAsync("t1", "u1");
        var reminders = CreateSut();

        Assert.Equal(ReminderScheduling.Scheduled, await reminders.ScheduleAsync(first, template));
        Assert.Equal(ReminderScheduling.AlreadyScheduled, await reminders.ScheduleAsync(first, template));
        Assert.Equal(ReminderScheduling.AlreadyScheduled, await reminders.ScheduleAsync(second, template));

        var row = Assert.Single(_table.Rows);
        Assert.Equal(new ExpiryReminder("u1", "t1", DateOnly.FromDateTime(End.UtcDateTime), End.AddDays(-1), End, template.Name, NotificationChannels.Inbox), row);
        Assert.Equal("u1:t1:2026-11-26", row.Key);
    }

    [Fact]
    public async Task Schedule_OtherUserTemplateOrDay_OneRowEach()
    {
        var t1 = await _world.TemplateEndingAtAsync("t1", End);
        var t2 = await _world.TemplateEndingAtAsync("t2", End);
        var relative = await _world.TemplateForDaysAsync("t3", days: 3);
        var reminders = CreateSut();

        await reminders.ScheduleAsync(await _world.ClaimAsync("t1", "u1"), t1);
        await reminders.ScheduleAsync(await _world.ClaimAsync("t1", "u2"), t1);
        await reminders.ScheduleAsync(await _world.ClaimAsync("t2", "u1"), t2);
        await reminders.ScheduleAsync(await _world.ClaimAsync("t3", "u1"), relative);
        _world.Time.Advance(TimeSpan.FromDays(1));
        await reminders.ScheduleAsync(await _world.ClaimAsync("t3", "u1"), relative);

        Assert.Equal(5, _table.Rows.Count);
        Assert.Equal(2, _table.Rows.Count(r => r is { UserId: "u1", TemplateId: "t3" }));
    }

    [Fact]
    public async Task Schedule_ReminderTimeAlreadyPassed_TooLate()
    {
        var template = await _world.TemplateEndingAtAsync("t1", CouponWorld.Start.AddHours(12));
        var coupon = await _world.ClaimAsync("t1", "u1");

        Assert.Equal(ReminderScheduling.TooLate, await CreateSut().ScheduleAsync(coupon, template));
        Assert.Empty(_table.Rows);
    }

    [Fact]
    public async Task Schedule_LeadFromOptions()
    {
        var template = await _world.TemplateEndingAtAsync("t1", End);
        var coupon = await _world.ClaimAsync("t1", "u1");

        await CreateSut(new ExpiryReminderOptions { ReminderLead = TimeSpan.FromHours(6), Channels = NotificationChannels.Sms | NotificationChannels.Email }).ScheduleAsync(coupon, template);

        var row = Assert.Single(_table.Rows);
        Assert.Equal(End.AddHours(-6), row.NotifyAt);
        Assert.Equal(NotificationChannels.Sms | NotificationChannels.Email, row.Channels);
    }

    [Fact]
    public async Task Schedule_LockedCoupon_NotAvailable()
    {
        var template = await _world.TemplateEndingAtAsync("t1", End);
        var coupon = await _world.ClaimAsync("t1", "u1");
        await _world.LockAsync("o1", coupon);

        Assert.Equal(ReminderScheduling.NotAvailable, await CreateSut().ScheduleAsync((await _world.FindAsync(coupon.CouponId))!, template));
    }

    [Fact]
    public async Task Schedule_CouponOfAnotherTemplate_Throws()
    {
        var t1 = await _world.TemplateEndingAtAsync("t1", End);
        await _world.TemplateEndingAtAsync("t2", End);
        var coupon = await _world.ClaimAsync("t2", "u1");

        await Assert.ThrowsAsync<ArgumentException>(() => CreateSut().ScheduleAsync(coupon, t1));
    }

    [Fact]
    public async Task SendDue_BeforeReminderTime_SendsNothing()
    {
        var reminders = await ScheduledAsync("u1");
        _world.Time.SetUtcNow(End.AddDays(-1).AddTicks(-1));

        var result = await reminders.SendDueAsync();

        Assert.Equal(new ReminderRunResult(0, 0, 0, 0, 0), result);
        Assert.Empty(_sender.Sent);
        Assert.Single(_table.Rows);
    }

    [Fact]
    public async Task SendDue_AtReminderTime_SendsOnceAndRemovesTheRow()
    {
        var reminders = await ScheduledAsync("u1");
        _world.Time.SetUtcNow(End.AddDays(-1));

        var first = await reminders.SendDueAsync();
        var second = await reminders.SendDueAsync();

        Assert.Equal(new ReminderRunResult(1, 1, 0, 0, 0), first);
        Assert.Equal(new ReminderRunResult(0, 0, 0, 0, 0), second);
        Assert.Equal("u1", Assert.Single(_sender.Sent).UserId);
        Assert.Empty(_table.Rows);
    }

    [Fact]
    public async Task SendDue_InactiveUser_RemovesTheRowWithoutSending()
    {
        var reminders = await ScheduledAsync("active", "inactive");
        _users.SetActive("inactive", false);
        _world.Time.SetUtcNow(End.AddDays(-1));

        var result = await reminders.SendDueAsync();

        Assert.Equal(new ReminderRunResult(2, 1, 1, 0, 0), result);
        Assert.Equal("active", Assert.Single(_sender.Sent).UserId);
        Assert.Empty(_table.Rows);
    }

    [Fact]
    public async Task SendDue_SenderFails_KeepsTheRowAndSendsAtTheNextRun()
    {
        var flaky = new FlakySender(failures: 1);
        var reminders = await ScheduledAsync(flaky, "u1", "u2");
        _world.Time.SetUtcNow(End.AddDays(-1));

        var first = await reminders.SendDueAsync();
        var remaining = Assert.Single(_table.Rows);
        _world.Time.Advance(TimeSpan.FromMinutes(5));
        var second = await reminders.SendDueAsync();

        Assert.Equal(new ReminderRunResult(2, 1, 0, 0, 1), first);
        Assert.Equal(new ReminderRunResult(1, 1, 0, 0, 0), second);
        Assert.Equal(2, flaky.Sent.Count);
        Assert.Contains(remaining, flaky.Sent);
        Assert.Empty(_table.Rows);
    }

    [Fact]
    public async Task SendDue_CouponUsedMeanwhile_RemovesTheRowWithoutSending()
    {
        var template = await _world.TemplateEndingAtAsync("t1", End);
        var coupon = await _world.ClaimAsync("t1", "u1");
        var reminders = CreateSut();
        await reminders.ScheduleAsync(coupon, template);
        await _world.UseAsync("o1", coupon);
        _world.Time.SetUtcNow(End.AddDays(-1));

        var result = await reminders.SendDueAsync();

        Assert.Equal(new ReminderRunResult(1, 0, 0, 1, 0), result);
        Assert.Empty(_sender.Sent);
        Assert.Empty(_table.Rows);
    }

    [Fact]
    public async Task SendDue_SenderFailsUntilTheCouponsEnd_DropsTheRow()
    {
        var reminders = await ScheduledAsync(new FlakySender(failures: int.MaxValue), "u1");
        _world.Time.SetUtcNow(End.AddDays(-1));
        Assert.Equal(1, (await reminders.SendDueAsync()).Failed);

        _world.Time.SetUtcNow(End);
        var result = await reminders.SendDueAsync();

        Assert.Equal(new ReminderRunResult(1, 0, 0, 1, 0), result);
        Assert.Empty(_table.Rows);
    }

    [Fact]
    public void Constructor_InvalidOptions_Throws()
    {
        Assert.Throws<OptionsValidationException>(() => CreateSut(new ExpiryReminderOptions { ReminderLead = TimeSpan.Zero }));
        Assert.Throws<OptionsValidationException>(() => CreateSut(new ExpiryReminderOptions { Channels = NotificationChannels.None }));
        Assert.Throws<OptionsValidationException>(() => CreateSut(new ExpiryReminderOptions { BatchSize = 0 }));
    }

    private ExpiryReminders CreateSut(ExpiryReminderOptions? options = null, INotificationSender? sender = null) =>
        new(_table, sender ?? _sender, _users, _world.Store, _world.Time, Options.Create(options ?? new ExpiryReminderOptions()));

    private Task<ExpiryReminders> ScheduledAsync(params string[] users) => ScheduledAsync(null, users);

    private async Task<ExpiryReminders> ScheduledAsync(INotificationSender? sender, params string[] users)
    {
        var template = await _world.TemplateEndingAtAsync("t1", End);
        var reminders = CreateSut(sender: sender);
        foreach (var user in users)
        {
            Assert.Equal(ReminderScheduling.Scheduled, await reminders.ScheduleAsync(await _world.ClaimAsync("t1", user), template));
        }

        return reminders;
    }

    /// <summary>Fails the first <c>failures</c> sends, then records.</summary>
    private sealed class FlakySender(int failures) : INotificationSender
    {
        private int _failuresLeft = failures;

        public List<ExpiryReminder> Sent { get; } = [];

        public Task SendAsync(ExpiryReminder reminder, CancellationToken cancellationToken)
        {
            if (_failuresLeft > 0)
            {
                _failuresLeft--;
                throw new InvalidOperationException("SMS gateway unavailable");
            }

            Sent.Add(reminder);
            return Task.CompletedTask;
        }
    }
}
