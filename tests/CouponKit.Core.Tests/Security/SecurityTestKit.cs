using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace CouponKit.Core.Tests.Security;

/// <summary>A meter factory whose meters only this test listens to, and the measurements of <c>couponkit.security.refusals</c>.</summary>
internal sealed class SecurityMetrics : IMeterFactory
{
    private readonly List<Meter> _meters = [];
    private readonly MeterListener _listener = new();

    public SecurityMetrics()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            lock (_meters)
            {
                if (_meters.Contains(instrument.Meter) && instrument.Name == "couponkit.security.refusals")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var map = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var tag in tags)
            {
                map[tag.Key] = tag.Value?.ToString();
            }

            Refusals.Add((map.GetValueOrDefault("couponkit.security.reason") ?? "?", map.GetValueOrDefault("couponkit.security.operation") ?? "?", value, map));
        });
        _listener.Start();
    }

    public ConcurrentBag<(string Reason, string Operation, long Value, IReadOnlyDictionary<string, string?> Tags)> Refusals { get; } = [];

    public long Count(string reason, string operation) => Refusals.Where(r => r.Reason == reason && r.Operation == operation).Sum(r => r.Value);

    /// <summary>Asserts that no tag of any refusal carries one of the given ids.</summary>
    public void AssertNoTagContains(params string[] ids) =>
        Assert.All(Refusals, r => Assert.All(r.Tags.Values, v => Assert.DoesNotContain(v, ids)));

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options.Name, options.Version);
        lock (_meters)
        {
            _meters.Add(meter);
        }

        return meter;
    }

    public void Dispose()
    {
        _listener.Dispose();
        lock (_meters)
        {
            _meters.ForEach(m => m.Dispose());
        }
    }
}

/// <summary>A logger that keeps every message it is given, with its formatted text and its structured values.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
        Lines.Enqueue($"{logLevel} {eventId.Id} {formatter(state, exception)} | {values} | {exception}");
    }
}
