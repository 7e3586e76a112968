using CouponKit.Messaging;
using CouponKit.Ports;

namespace CouponKit.EfCore.Tests.Postgres;

/// <summary>A message bus that records every publication (which dispatcher, which message) in arrival order, across dispatchers.</summary>
internal sealed class RecordingBus
{
    private readonly List<(int Dispatcher, OutboxMessage Message)> _published = [];

    /// <summary>Gets or sets which publications the bus refuses (throws for, records nothing); none by default.</summary>
    public Func<OutboxMessage, bool> Refuses { get; set; } = _ => false;

    public int Count
    {
        get
        {
            lock (_published)
            {
                return _published.Count;
            }
        }
    }

    public IReadOnlyList<(int Dispatcher, OutboxMessage Message)> Published
    {
        get
        {
            lock (_published)
            {
                return [.. _published];
            }
        }
    }

    /// <summary>The bus one dispatcher publishes through.</summary>
    public IMessageBus For(int dispatcher) => new Port(this, dispatcher);

    /// <summary>Waits until at least <paramref name="count"/> messages arrived (or the token fires: the test then fails on its counts).</summary>
    public async Task WaitForAsync(int count, CancellationToken cancellationToken)
    {
        while (Count < count && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(50, CancellationToken.None);
        }
    }

    private void Add(int dispatcher, OutboxMessage message)
    {
        lock (_published)
        {
            _published.Add((dispatcher, message));
        }
    }

    private sealed class Port(RecordingBus bus, int dispatcher) : IMessageBus
    {
        public Task PublishAsync(OutboxMessage message, CancellationToken cancellationToken)
        {
            if (bus.Refuses(message))
            {
                throw new InvalidOperationException($"The broker refused {message.MessageId}.");
            }

            bus.Add(dispatcher, message);
            return Task.CompletedTask;
        }

        public Task<IAsyncDisposable> SubscribeAsync(Subscription subscription, Func<IncomingMessage, CancellationToken, Task> handler, CancellationToken cancellationToken) =>
            throw new NotSupportedException("The recording bus only publishes.");
    }
}
