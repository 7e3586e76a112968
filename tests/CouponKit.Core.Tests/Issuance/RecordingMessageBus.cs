using CouponKit.Messaging;
using CouponKit.Ports;

namespace CouponKit.Core.Tests.Issuance;

/// <summary>A message bus that only records what is published; subscriptions receive nothing.</summary>
internal sealed class RecordingMessageBus : IMessageBus
{
    private readonly object _gate = new();
    private readonly List<OutboxMessage> _published = [];

    public IReadOnlyList<OutboxMessage> Published
    {
        get
        {
            lock (_gate)
            {
                return _published.ToArray();
            }
        }
    }

    public Task PublishAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_gate)
        {
            _published.Add(message);
        }

        return Task.CompletedTask;
    }

    public Task<IAsyncDisposable> SubscribeAsync(Subscription subscription, Func<IncomingMessage, CancellationToken, Task> handler, CancellationToken cancellationToken) =>
        Task.FromResult<IAsyncDisposable>(new NoSubscription());

    private sealed class NoSubscription : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
