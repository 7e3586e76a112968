using CouponKit.RocketMQ.Protocol.V2;

namespace CouponKit.RocketMQ.Producing;

/// <summary>Picks the queue of a message: round robin, or by a stable hash of the message group for FIFO.</summary>
internal sealed class QueueSelector
{
    private int _next = -1;

    public MessageQueue Select(IReadOnlyList<MessageQueue> queues, MessageType messageType, string? messageGroup)
    {
        var writable = queues
            .Where(q => q.Permission is Permission.Write or Permission.ReadWrite)
            .OrderBy(q => q.Broker?.Name, StringComparer.Ordinal)
            .ThenBy(q => q.Id)
            .ToList();
        var accepting = writable.Where(q => q.AcceptMessageTypes.Count == 0 || q.AcceptMessageTypes.Contains(messageType)).ToList();

        // When no queue declares the type, send anyway and let the broker answer with its own status code.
        var candidates = accepting.Count > 0 ? accepting : writable;
        if (candidates.Count == 0)
        {
            throw new RocketMQException(RocketMQStatusCode.Forbidden, "RocketMQ: the topic has no writable message queue.");
        }

        var index = messageGroup is null
            ? (int)((uint)Interlocked.Increment(ref _next) % (uint)candidates.Count)
            : (int)(Fnv1a(messageGroup) % (uint)candidates.Count);
        return candidates[index];
    }

    /// <summary>FNV-1a over UTF-8: stable across processes, unlike <see cref="string.GetHashCode()"/>.</summary>
    internal static uint Fnv1a(string value)
    {
        var hash = 2166136261u;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(value))
        {
            hash ^= b;
            hash *= 16777619u;
        }

        return hash;
    }
}
