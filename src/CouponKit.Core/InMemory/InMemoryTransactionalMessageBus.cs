using CouponKit.Messaging;
using CouponKit.Ports;

namespace CouponKit.InMemory;

/// <summary>
/// Transactional messages in process: the half message is kept aside while the local transaction runs, then published to the
/// inner bus or dropped. When the local transaction throws, the outcome is resolved by asking the
/// <see cref="ITransactionCheckResolver"/> after <see cref="CheckInterval"/> on the clock, again and again while it answers
/// <see cref="TransactionOutcome.Unknown"/>, up to <see cref="MaxChecks"/> times (then the message is dropped, as RocketMQ does).
/// </summary>
public sealed class InMemoryTransactionalMessageBus : ITransactionalMessageBus, IDisposable
{
    private readonly IMessageBus _bus;
    private readonly ITransactionCheckResolver _resolver;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private readonly Dictionary<string, (OutboxMessage Message, int Checks, ITimer Timer)> _half = new(StringComparer.Ordinal);

    /// <summary>Initializes a new instance of the <see cref="InMemoryTransactionalMessageBus"/> class.</summary>
    /// <param name="bus">The bus committed messages go to.</param>
    /// <param name="resolver">Answers check-backs.</param>
    /// <param name="time">The clock of the check-backs.</param>
    public InMemoryTransactionalMessageBus(IMessageBus bus, ITransactionCheckResolver resolver, TimeProvider time)
    {
        _bus = bus ?? throw new ArgumentNullException(nameof(bus));
        _resolver = resolver ?? throw new ArgumentNullException(nameof(resolver));
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <summary>Gets or sets how long after an unresolved local transaction the resolver is asked.</summary>
    /// <value>The default value is 1 minute.</value>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets how many times the resolver is asked before the half message is dropped.</summary>
    /// <value>The default value is 15.</value>
    public int MaxChecks { get; set; } = 15;

    /// <summary>Gets the number of half messages waiting for a check-back.</summary>
    public int PendingChecks
    {
        get
        {
            lock (_gate)
            {
                return _half.Count;
            }
        }
    }

    /// <inheritdoc />
    public async Task<TransactionOutcome> PublishInTransactionAsync(OutboxMessage message, Func<CancellationToken, Task<bool>> localTransaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(localTransaction);
        bool commit;
        try
        {
            commit = await localTransaction(cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The local outcome is unknown: the check-back decides, like a crashed producer.
        catch (Exception)
#pragma warning restore CA1031
        {
            ScheduleCheck(message, 0);
            return TransactionOutcome.Unknown;
        }

        if (!commit)
        {
            return TransactionOutcome.RolledBack;
        }

        await _bus.PublishAsync(message, cancellationToken).ConfigureAwait(false);
        return TransactionOutcome.Committed;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var half in _half.Values)
            {
                half.Timer.Dispose();
            }

            _half.Clear();
        }
    }

    private void ScheduleCheck(OutboxMessage message, int checks)
    {
        lock (_gate)
        {
            var timer = _time.CreateTimer(_ => _ = CheckAsync(message.MessageId), null, CheckInterval, Timeout.InfiniteTimeSpan);
            if (_half.Remove(message.MessageId, out var old))
            {
                old.Timer.Dispose();
            }

            _half[message.MessageId] = (message, checks, timer);
        }
    }

    private async Task CheckAsync(string messageId)
    {
        OutboxMessage message;
        int checks;
        lock (_gate)
        {
            if (!_half.Remove(messageId, out var half))
            {
                return;
            }

            half.Timer.Dispose();
            (message, checks) = (half.Message, half.Checks + 1);
        }

        TransactionOutcome outcome;
        try
        {
            outcome = await _resolver.ResolveAsync(message, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A failing resolver is the same as an unknown answer: ask again.
        catch (Exception)
#pragma warning restore CA1031
        {
            outcome = TransactionOutcome.Unknown;
        }

        switch (outcome)
        {
            case TransactionOutcome.Committed:
                await _bus.PublishAsync(message, CancellationToken.None).ConfigureAwait(false);
                break;
            case TransactionOutcome.Unknown when checks < MaxChecks:
                ScheduleCheck(message, checks);
                break;
        }
    }
}
