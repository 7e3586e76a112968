using System.Diagnostics.Metrics;
using CouponKit.DependencyInjection;
using CouponKit.InMemory;
using CouponKit.Messaging;
using CouponKit.Messaging.DeadLetters;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;

namespace CouponKit.Core.Tests.DeadLetters;

public sealed class DeadLetterAdminTests : IAsyncDisposable
{
    private const string Group = "test-group";

    private readonly FakeTimeProvider _time = new(Shop.Now);
    private readonly InMemoryCouponKitStore _store = new();
    private readonly InMemoryDeadLetterAuditLog _audit = new();
    private readonly InMemoryMessageBus _bus;
    private readonly DeadLetterAdmin _admin;
    private readonly List<string> _handled = [];
    private volatile bool _failing = true;

    public DeadLetterAdminTests()
    {
        _bus = new InMemoryMessageBus(_time, _store, maxConcurrentHandlers: 1);
        _admin = new DeadLetterAdmin(_store, _bus, _audit, _time);
    }

    public async ValueTask DisposeAsync() => await _bus.DisposeAsync();

    [Fact]
    public async Task DeadLetter_Arrives_CountsTheMetricAndDegradesHealth()
    {
        var measurements = new List<(long Value, string? Group)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "CouponKit" && instrument.Name == DeadLetterSignals.InstrumentName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "messaging.consumer.group.name" && Equals(tag.Value, Group))
                {
                    lock (measurements)
                    {
                        measurements.Add((value, (string?)tag.Value));
                    }
                }
            }
        });
        listener.Start();
        var health = new CouponKitHealthCheck(_store);
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(new HealthCheckContext())).Status);

        await DeadLetterAsync("m1");

        Assert.Equal([(1L, (string?)Group)], measurements);
        Assert.Equal(HealthStatus.Degraded, (await health.CheckHealthAsync(new HealthCheckContext())).Status);
        Assert.True(await _admin.DiscardAsync("m1", Group, "ops-1", "obsolete"));
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(new HealthCheckContext())).Status);
    }

    [Fact]
    public async Task ListAndInspect_DeadLetter_ShowsItAndAuditsTheInspection()
    {
        await DeadLetterAsync("m1");

        var listed = Assert.Single(await _admin.ListAsync());
        var inspected = await _admin.InspectAsync("m1", Group, "ops-1");
        var missing = await _admin.InspectAsync("m1", "other-group", "ops-1");

        Assert.Equal(listed, inspected);
        Assert.Equal(2, inspected!.Attempts);
        Assert.Contains("handler broke", inspected.LastError, StringComparison.Ordinal);
        Assert.Null(missing);
        var record = Assert.Single(await _audit.ListAsync(10, CancellationToken.None));
        Assert.Equal(new DeadLetterAuditRecord(DeadLetterAction.Inspected, "m1", Group, "t", "tag", "ops-1", null, _time.GetUtcNow()), record);
    }

    [Fact]
    public async Task ReplayAsync_HandlerFixed_DeliversAgainRemovesTheLetterAndAudits()
    {
        await DeadLetterAsync("m1");
        _failing = false;

        Assert.True(await _admin.ReplayAsync("m1", Group, "ops-1"));
        await _bus.WhenIdleAsync();

        Assert.Equal(["m1"], _handled);
        Assert.Empty(await _admin.ListAsync());
        Assert.False(await _admin.ReplayAsync("m1", Group, "ops-1"));
        Assert.Equal(DeadLetterAction.Replayed, Assert.Single(await _audit.ListAsync(10, CancellationToken.None)).Action);
    }

    [Fact]
    public async Task ReplayAsync_HandlerStillBroken_ComesBackToTheDeadLetters()
    {
        await DeadLetterAsync("m1");

        Assert.True(await _admin.ReplayAsync("m1", Group, "ops-1"));
        await DrainAsync();

        var letter = Assert.Single(await _admin.ListAsync());
        Assert.Equal("m1", letter.Message.MessageId);
    }

    [Fact]
    public async Task ReplayAllAsync_SeveralLetters_ReplaysEachOnce()
    {
        await DeadLetterAsync("m1");
        await DeadLetterAsync("m2");
        await DeadLetterAsync("m3");
        _failing = false;

        Assert.Equal(3, await _admin.ReplayAllAsync("ops-2"));
        await _bus.WhenIdleAsync();

        Assert.Equal(["m1", "m2", "m3"], _handled);
        Assert.Empty(await _admin.ListAsync());
        Assert.Equal(3, (await _audit.ListAsync(10, CancellationToken.None)).Count(r => r.Action == DeadLetterAction.Replayed && r.Actor == "ops-2"));
    }

    [Fact]
    public async Task DiscardAsync_Letter_RemovesItWithoutDeliveryAndAuditsTheReason()
    {
        await DeadLetterAsync("m1");
        _failing = false;

        Assert.True(await _admin.DiscardAsync("m1", Group, "ops-1", "duplicate of order 7"));
        Assert.False(await _admin.DiscardAsync("m1", Group, "ops-1", "again"));
        await _bus.WhenIdleAsync();

        Assert.Empty(_handled);
        Assert.Empty(await _admin.ListAsync());
        var record = Assert.Single(await _audit.ListAsync(10, CancellationToken.None));
        Assert.Equal((DeadLetterAction.Discarded, "duplicate of order 7"), (record.Action, record.Reason));
    }

    [Fact]
    public async Task Admin_BadInput_ThrowsAndChangesNothing()
    {
        await DeadLetterAsync("m1");

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _admin.ListAsync(0));
        await Assert.ThrowsAsync<ArgumentException>(() => _admin.DiscardAsync("m1", Group, "ops-1", " "));
        await Assert.ThrowsAsync<ArgumentException>(() => _admin.ReplayAsync("m1", Group, " "));

        Assert.Single(await _admin.ListAsync());
        Assert.Empty(await _audit.ListAsync(10, CancellationToken.None));
    }

    private async Task DeadLetterAsync(string messageId)
    {
        if (_subscription is null)
        {
            _subscription = await _bus.SubscribeAsync(
                new Subscription { ConsumerGroup = Group, Topic = "t", MaxDeliveryAttempts = 2, InitialBackoff = TimeSpan.FromSeconds(1) },
                (incoming, _) =>
                {
                    if (_failing)
                    {
                        throw new InvalidOperationException("handler broke");
                    }

                    lock (_handled)
                    {
                        _handled.Add(incoming.Message.MessageId);
                    }

                    return Task.CompletedTask;
                },
                CancellationToken.None);
        }

        await _bus.PublishAsync(new OutboxMessage(messageId, "t", "tag", "k", "{}", _time.GetUtcNow()), CancellationToken.None);
        await DrainAsync();
    }

    private async Task DrainAsync()
    {
        await _bus.WhenIdleAsync();
        _time.Advance(TimeSpan.FromSeconds(2));
        await _bus.WhenIdleAsync();
    }

    private IAsyncDisposable? _subscription;
}
