using CouponKit.Core.Tests.Issuance;
using CouponKit.InMemory;
using CouponKit.Issuance;
using CouponKit.Ports;
using Microsoft.Extensions.Options;

namespace CouponKit.Core.Tests.Expiry;

public sealed class ExpiryRemindersConcurrencyTests
{
    [Fact]
    public async Task SendDue_TwoRunsAtOnce_SendEachReminderOnce()
    {
        // Regression: the expiry worker's sweep and a manual sweep overlapped and both sent the same rows.
        var kit = new TestKit();
        var template = await kit.ActiveAsync(TestKit.Draft("t1"));
        var coupon = await kit.IssueAsync("t1", "u1");
        var sender = new SlowSender();
        var reminders = new ExpiryReminders(new InMemoryNotifyStore(), sender, new InMemoryUserActivity(), kit.Store, kit.Time, Options.Create(new ExpiryReminderOptions()));
        Assert.Equal(ReminderScheduling.Scheduled, await reminders.ScheduleAsync(coupon, template));
        kit.Time.Advance(TimeSpan.FromDays(6) + TimeSpan.FromMinutes(1));

        var runs = await Task.WhenAll(Task.Run(() => reminders.SendDueAsync()), Task.Run(() => reminders.SendDueAsync()));

        Assert.Equal(1, sender.Count);
        Assert.Equal(1, runs.Sum(r => r.Sent));
    }

    private sealed class SlowSender : INotificationSender
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public async Task SendAsync(ExpiryReminder reminder, CancellationToken cancellationToken)
        {
            await Task.Delay(100, cancellationToken);
            Interlocked.Increment(ref _count);
        }
    }
}
