using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using CouponKit.Ports;
using CouponKit.Telemetry;
using Microsoft.Extensions.Logging;

namespace CouponKit.Messaging.DeadLetters;

/// <summary>
/// Reports that a message reached the dead letters: the counter <c>couponkit.messaging.dead_letters</c> on the <c>CouponKit</c>
/// meter (tags <c>messaging.consumer.group.name</c>, <c>messaging.destination.name</c> and <c>couponkit.message.tag</c>; never an
/// id), and, when a logger is given, a warning (event 1055). Buses call it after storing a dead letter; the health check of
/// <c>AddCouponKit()</c> reports Degraded while any dead letter is stored.
/// </summary>
public static class DeadLetterSignals
{
    /// <summary>The name of the counter.</summary>
    public const string InstrumentName = "couponkit.messaging.dead_letters";

    private static readonly ConditionalWeakTable<IMeterFactory, Counter<long>> PerFactory = new();
    private static readonly Lazy<Counter<long>> Shared = new(() => Create(new Meter(CouponKitDiagnostics.Name)));

    /// <summary>Reports a dead letter.</summary>
    /// <param name="letter">The dead letter.</param>
    /// <param name="logger">Logs a warning when given; <see langword="null"/> when the caller logs it itself.</param>
    /// <param name="meterFactory">The meter factory, or <see langword="null"/> for the process-wide meter.</param>
    public static void Arrived(DeadLetter letter, ILogger? logger = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(letter);
        var counter = meterFactory is null ? Shared.Value : PerFactory.GetValue(meterFactory, f => Create(f.Create(CouponKitDiagnostics.Name)));
        counter.Add(
            1,
            new KeyValuePair<string, object?>("messaging.consumer.group.name", letter.ConsumerGroup),
            new KeyValuePair<string, object?>("messaging.destination.name", letter.Message.Topic),
            new KeyValuePair<string, object?>("couponkit.message.tag", letter.Message.Tag));
        if (logger is not null)
        {
            Log.DeadLetterArrived(logger, letter.Message.MessageId, letter.Message.Topic, letter.Message.Tag, letter.ConsumerGroup, letter.Attempts);
        }
    }

    private static Counter<long> Create(Meter meter) =>
        meter.CreateCounter<long>(InstrumentName, "{message}", "Messages that failed every delivery attempt and reached the dead letters.");
}
