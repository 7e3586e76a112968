using CouponKit.RocketMQ.Bus;
using Microsoft.Extensions.Hosting;

namespace CouponKit.RocketMQ.DependencyInjection;

/// <summary>
/// Starts the RocketMQ producer with the host, so that a wrong endpoint, credential or topic fails the start instead of the first
/// publication. Stopping is left to the container, which disposes the bus after every hosted service stopped (the outbox
/// dispatcher may still publish while it stops).
/// </summary>
internal sealed class RocketMQProducerHostedService(RocketMQMessageBus bus) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => bus.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
