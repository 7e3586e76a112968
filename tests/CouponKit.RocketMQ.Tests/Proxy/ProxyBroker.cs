using System.Globalization;
using CouponKit.RocketMQ.Protocol.V2;
using Google.Protobuf.WellKnownTypes;
using V2Resolution = CouponKit.RocketMQ.Protocol.V2.TransactionResolution;

namespace CouponKit.RocketMQ.Tests.Proxy;

/// <summary>
/// The in-memory broker behind the test proxy: topics with a message type, queues, consumer groups,
/// half messages invisible until committed and checked back when orphaned, delivery timestamps,
/// invisible durations with receipt handles that expire, delivery attempts and dead-letter queues.
/// All time comes from the injected <see cref="TimeProvider"/>; every refusal is a real RocketMQ <see cref="Code"/>.
/// </summary>
internal sealed class ProxyBroker : IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, TopicState> _topics = new(StringComparer.Ordinal);
    private readonly HashSet<string> _groups = new(StringComparer.Ordinal);
    private readonly HashSet<string> _fifoGroups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StoredMessage> _byTransactionId = new(StringComparer.Ordinal);
    private readonly List<TelemetryPeer> _peers = [];
    private readonly List<CancellationTokenSource> _telemetryStreams = [];
    private readonly List<ITimer> _timers = [];
    private readonly List<EndTransactionRequest> _endTransactions = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _handleSequence;
    private int _waitingReceivers;
    private int _acksAccepted;
    private int _failNextSends;
    private Code _failSendsWith;

    public ProxyBroker(TimeProvider time, ProxyBrokerOptions options)
    {
        Time = time;
        Options = options;
    }

    public TimeProvider Time { get; }

    public ProxyBrokerOptions Options { get; }

    /// <summary>The proxy's own address, given in routes.</summary>
    public Address? Address { get; set; }

    public int WaitingReceivers => Volatile.Read(ref _waitingReceivers);

    public int HeartbeatCount { get; private set; }

    public int RouteQueries { get; private set; }

    public int InjectedSendFailuresLeft
    {
        get
        {
            lock (_gate)
            {
                return _failNextSends;
            }
        }
    }

    public int TransactionChecksSent { get; private set; }

    /// <summary>Gets how many acks the broker accepted (a test advancing the fake clock waits for them, or an unacked message is redelivered).</summary>
    public int AcksAccepted => Volatile.Read(ref _acksAccepted);

    public IReadOnlyList<EndTransactionRequest> EndTransactions
    {
        get
        {
            lock (_gate)
            {
                return _endTransactions.ToList();
            }
        }
    }

    public int TelemetryPeerCount
    {
        get
        {
            lock (_gate)
            {
                return _peers.Count;
            }
        }
    }

    /// <summary>
    /// Creates a topic that accepts the given message types: one type, or several for a MIXED topic
    /// (RocketMQ 5.1+ <c>message.type=MIXED</c>), whose route lists every accepted type.
    /// </summary>
    public void CreateTopic(string name, params MessageType[] types)
    {
        lock (_gate)
        {
            _topics[name] = new TopicState(name, types.Length == 0 ? [MessageType.Normal] : types);
        }
    }

    /// <summary>
    /// Creates a consumer group. A FIFO group (<c>consumeMessageOrderly=true</c>) receives each queue in order: a queue is
    /// locked for the group while its oldest message not yet acked or dead-lettered is out (or backing off), so that a later
    /// message of the queue never overtakes it (RocketMQ's orderly pop, one message of a queue at a time).
    /// </summary>
    public void CreateConsumerGroup(string name, bool fifo = false)
    {
        lock (_gate)
        {
            _groups.Add(name);
            if (fifo)
            {
                _fifoGroups.Add(name);
            }
        }
    }

    /// <summary>Gets the consumer groups that exist (created, or auto-created on first use).</summary>
    public IReadOnlyCollection<string> ConsumerGroups
    {
        get
        {
            lock (_gate)
            {
                return _groups.ToList();
            }
        }
    }

    /// <summary>The next <paramref name="count"/> sends fail with <paramref name="code"/> (for retry tests).</summary>
    public void FailNextSends(int count, Code code)
    {
        lock (_gate)
        {
            _failNextSends = count;
            _failSendsWith = code;
        }
    }

    /// <summary>Messages stored on <paramref name="topic"/> (a DLQ topic is <c>%DLQ%group</c>), committed or not.</summary>
    public IReadOnlyList<Message> MessagesOf(string topic)
    {
        lock (_gate)
        {
            return _topics.TryGetValue(topic, out var state) ? state.Messages.Select(m => m.Message.Clone()).ToList() : [];
        }
    }

    public Status QueryRoute(Resource topic, Endpoints? endpoints, out IReadOnlyList<MessageQueue> queues)
    {
        queues = [];
        if (endpoints is null || endpoints.Addresses.Count == 0)
        {
            return Fail(Code.IllegalAccessPoint, "endpoints are empty");
        }

        lock (_gate)
        {
            RouteQueries++;
            if (!_topics.TryGetValue(topic.Name, out var state))
            {
                return Fail(Code.TopicNotFound, $"topic '{topic.Name}' does not exist");
            }

            queues = Enumerable.Range(0, Options.QueuesPerTopic).Select(id => Queue(topic, id, state.Types)).ToList();
            return Ok();
        }
    }

    public Status QueryAssignment(Resource topic, Resource group, out IReadOnlyList<Assignment> assignments)
    {
        assignments = [];
        lock (_gate)
        {
            if (!_topics.TryGetValue(topic.Name, out var state))
            {
                return Fail(Code.TopicNotFound, $"topic '{topic.Name}' does not exist");
            }

            if (!HasGroupLocked(group.Name))
            {
                return Fail(Code.ConsumerGroupNotFound, $"consumer group '{group.Name}' does not exist");
            }

            assignments = [new Assignment { MessageQueue = Queue(topic, -1, state.Types) }];
            return Ok();
        }
    }

    public Status Heartbeat(HeartbeatRequest request)
    {
        if (request.ClientType == ClientType.Unspecified)
        {
            return Fail(Code.UnrecognizedClientType, "client type is not set");
        }

        lock (_gate)
        {
            if (request.ClientType == ClientType.SimpleConsumer && (request.Group is null || !HasGroupLocked(request.Group.Name)))
            {
                return Fail(Code.ConsumerGroupNotFound, $"consumer group '{request.Group?.Name}' does not exist");
            }

            HeartbeatCount++;
            return Ok();
        }
    }

    public SendResultEntry Send(Message message)
    {
        lock (_gate)
        {
            if (_failNextSends > 0)
            {
                _failNextSends--;
                return new SendResultEntry { Status = Fail(_failSendsWith, "injected failure") };
            }

            var system = message.SystemProperties;
            if (!_topics.TryGetValue(message.Topic?.Name ?? string.Empty, out var topic))
            {
                return new SendResultEntry { Status = Fail(Code.TopicNotFound, $"topic '{message.Topic?.Name}' does not exist") };
            }

            if (system is null || string.IsNullOrEmpty(system.MessageId))
            {
                return new SendResultEntry { Status = Fail(Code.IllegalMessageId, "message id is empty") };
            }

            if (message.Body.IsEmpty)
            {
                return new SendResultEntry { Status = Fail(Code.MessageBodyEmpty, "message body is empty") };
            }

            if (system.HasTag && (string.IsNullOrWhiteSpace(system.Tag) || system.Tag.Contains('|', StringComparison.Ordinal)))
            {
                return new SendResultEntry { Status = Fail(Code.IllegalMessageTag, $"tag '{system.Tag}' is illegal") };
            }

            if (!topic.Types.Contains(system.MessageType))
            {
                return new SendResultEntry { Status = Fail(Code.MessagePropertyConflictWithType, $"topic '{topic.Name}' accepts {string.Join('/', topic.Types)} messages, not {system.MessageType}") };
            }

            if (system.MessageType == MessageType.Fifo && (!system.HasMessageGroup || string.IsNullOrWhiteSpace(system.MessageGroup)))
            {
                return new SendResultEntry { Status = Fail(Code.IllegalMessageGroup, "a FIFO message needs a message group") };
            }

            if (system.MessageType != MessageType.Fifo && system.HasMessageGroup)
            {
                return new SendResultEntry { Status = Fail(Code.MessagePropertyConflictWithType, "only FIFO messages carry a message group") };
            }

            if (system.MessageType == MessageType.Delay && system.DeliveryTimestamp is null)
            {
                return new SendResultEntry { Status = Fail(Code.IllegalDeliveryTime, "a delay message needs a delivery timestamp") };
            }

            if (system.MessageType != MessageType.Delay && system.DeliveryTimestamp is not null)
            {
                return new SendResultEntry { Status = Fail(Code.MessagePropertyConflictWithType, "only delay messages carry a delivery timestamp") };
            }

            if (system.QueueId < 0 || system.QueueId >= Options.QueuesPerTopic)
            {
                return new SendResultEntry { Status = Fail(Code.BadRequest, $"queue {system.QueueId} does not exist") };
            }

            var now = Time.GetUtcNow();
            var stored = message.Clone();
            stored.SystemProperties.StoreTimestamp = Timestamp.FromDateTimeOffset(now);
            stored.SystemProperties.StoreHost = Options.BrokerName;
            var offset = topic.NextOffset++;
            stored.SystemProperties.QueueOffset = offset;
            var entry = new StoredMessage(stored, system.DeliveryTimestamp?.ToDateTimeOffset() ?? now);
            var result = new SendResultEntry { Status = Ok(), MessageId = system.MessageId, Offset = offset };
            if (system.MessageType == MessageType.Transaction)
            {
                entry.TransactionId = "TX" + Guid.NewGuid().ToString("N").ToUpperInvariant();
                entry.State = TransactionState.Half;
                _byTransactionId[entry.TransactionId] = entry;
                result.TransactionId = entry.TransactionId;
                ScheduleCheckBack(entry);
            }

            topic.Messages.Add(entry);
            SignalChangedLocked();
            return result;
        }
    }

    public Status EndTransaction(EndTransactionRequest request)
    {
        lock (_gate)
        {
            _endTransactions.Add(request.Clone());
            if (!_byTransactionId.TryGetValue(request.TransactionId, out var entry)
                || entry.Message.SystemProperties.MessageId != request.MessageId
                || entry.Message.Topic.Name != request.Topic?.Name)
            {
                return Fail(Code.InvalidTransactionId, $"transaction '{request.TransactionId}' is unknown");
            }

            if (entry.State != TransactionState.Half)
            {
                return Fail(Code.InvalidTransactionId, $"transaction '{request.TransactionId}' is already {entry.State}");
            }

            switch (request.Resolution)
            {
                case V2Resolution.Commit:
                    entry.State = TransactionState.Committed;
                    entry.VisibleAt = Time.GetUtcNow();
                    break;
                case V2Resolution.Rollback:
                    entry.State = TransactionState.RolledBack;
                    break;
                default:
                    return Fail(Code.BadRequest, "resolution must be COMMIT or ROLLBACK");
            }

            SignalChangedLocked();
            return Ok();
        }
    }

    /// <summary>Long-polling receive of the simple consumer (pop): waits on the fake clock, wakes on sends and commits.</summary>
    public async Task<(Status Status, IReadOnlyList<Message> Messages)> ReceiveAsync(ReceiveMessageRequest request, CancellationToken cancellationToken)
    {
        var invisible = request.InvisibleDuration?.ToTimeSpan();
        if (invisible is null || invisible <= TimeSpan.Zero || invisible > Options.MaxInvisibleDuration)
        {
            return (Fail(Code.IllegalInvisibleTime, "invisible duration is missing or out of range"), []);
        }

        var polling = request.LongPollingTimeout?.ToTimeSpan() ?? TimeSpan.Zero;
        if (polling < TimeSpan.Zero || polling > Options.MaxLongPollingTimeout)
        {
            return (Fail(Code.IllegalPollingTime, "long polling timeout is out of range"), []);
        }

        if (request.BatchSize <= 0 || request.BatchSize > 32)
        {
            return (Fail(Code.BadRequest, "batch size must be 1 to 32"), []);
        }

        var filter = request.FilterExpression;
        if (filter is not null && filter.Type != FilterType.Tag)
        {
            return (Fail(Code.IllegalFilterExpression, "only TAG filters are supported by this proxy"), []);
        }

        var deadline = Time.GetUtcNow() + polling;
        while (true)
        {
            Task changed;
            DateTimeOffset wakeAt;
            lock (_gate)
            {
                var topicName = request.MessageQueue?.Topic?.Name ?? string.Empty;
                if (!_topics.TryGetValue(topicName, out var topic))
                {
                    return (Fail(Code.TopicNotFound, $"topic '{topicName}' does not exist"), []);
                }

                var group = request.Group?.Name ?? string.Empty;
                if (!HasGroupLocked(group))
                {
                    return (Fail(Code.ConsumerGroupNotFound, $"consumer group '{group}' does not exist"), []);
                }

                var now = Time.GetUtcNow();
                var taken = TakeLocked(topic, group, filter?.Expression, request.BatchSize, invisible.Value, now, out var nextVisible);
                if (taken.Count > 0)
                {
                    return (Ok(), taken);
                }

                if (now >= deadline)
                {
                    return (Fail(Code.MessageNotFound, "no new message"), []);
                }

                changed = _changed.Task;
                wakeAt = nextVisible is { } next && next < deadline ? next : deadline;
            }

            // The fake-clock timer is armed before the receiver counts as waiting, so a test that advances
            // the clock once it sees a waiting receiver always fires it.
            using var delayCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var wait = wakeAt - Time.GetUtcNow();
            var delay = wait > TimeSpan.Zero ? Task.Delay(wait, Time, delayCancel.Token) : Task.CompletedTask;
            Interlocked.Increment(ref _waitingReceivers);
            try
            {
                await Task.WhenAny(changed, delay).ConfigureAwait(false);
                await delayCancel.CancelAsync().ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }
            finally
            {
                Interlocked.Decrement(ref _waitingReceivers);
            }
        }
    }

    public Status Ack(Resource group, Resource topic, AckMessageEntry entry)
    {
        lock (_gate)
        {
            var status = FindLeaseLocked(group.Name, topic.Name, entry.MessageId, entry.ReceiptHandle, out var lease);
            if (lease is null)
            {
                return status;
            }

            lease.Acked = true;
            Interlocked.Increment(ref _acksAccepted);
            return Ok();
        }
    }

    public Status ChangeInvisibleDuration(ChangeInvisibleDurationRequest request, out string newHandle)
    {
        newHandle = string.Empty;
        var duration = request.InvisibleDuration?.ToTimeSpan();
        if (duration is null || duration < TimeSpan.Zero || duration > Options.MaxInvisibleDuration)
        {
            return Fail(Code.IllegalInvisibleTime, "invisible duration is missing or out of range");
        }

        lock (_gate)
        {
            var status = FindLeaseLocked(request.Group?.Name ?? string.Empty, request.Topic?.Name ?? string.Empty, request.MessageId, request.ReceiptHandle, out var lease);
            if (lease is null)
            {
                return status;
            }

            lease.InvisibleUntil = Time.GetUtcNow() + duration.Value;
            lease.Handle = NewHandle(request.MessageId, lease.InvisibleUntil);
            newHandle = lease.Handle;
            SignalChangedLocked();
            return Ok();
        }
    }

    public Status ForwardToDeadLetterQueue(ForwardMessageToDeadLetterQueueRequest request)
    {
        lock (_gate)
        {
            var groupName = request.Group?.Name ?? string.Empty;
            var status = FindLeaseLocked(groupName, request.Topic?.Name ?? string.Empty, request.MessageId, request.ReceiptHandle, out var lease, out var stored);
            if (lease is null || stored is null)
            {
                return status;
            }

            lease.DeadLettered = true;
            var dlqName = "%DLQ%" + groupName;
            if (!_topics.TryGetValue(dlqName, out var dlq))
            {
                dlq = new TopicState(dlqName, [MessageType.Normal]);
                _topics[dlqName] = dlq;
            }

            var copy = stored.Message.Clone();
            copy.Topic = new Resource { ResourceNamespace = request.Topic?.ResourceNamespace ?? string.Empty, Name = dlqName };
            copy.SystemProperties.DeadLetterQueue = new DeadLetterQueue { Topic = request.Topic?.Name ?? string.Empty, MessageId = request.MessageId };
            copy.SystemProperties.MessageType = MessageType.Normal;
            copy.SystemProperties.DeliveryTimestamp = null;
            dlq.Messages.Add(new StoredMessage(copy, Time.GetUtcNow()));
            SignalChangedLocked();
            return Ok();
        }
    }

    /// <summary>Tracks an open telemetry stream so that <see cref="DropTelemetryStreams"/> can end it.</summary>
    public void TrackTelemetryStream(CancellationTokenSource stream)
    {
        lock (_gate)
        {
            _telemetryStreams.Add(stream);
        }
    }

    public void UntrackTelemetryStream(CancellationTokenSource stream)
    {
        lock (_gate)
        {
            _telemetryStreams.Remove(stream);
        }
    }

    /// <summary>Ends every open telemetry stream from the server side (as a proxy restart or a network cut does).</summary>
    public void DropTelemetryStreams()
    {
        List<CancellationTokenSource> streams;
        lock (_gate)
        {
            streams = _telemetryStreams.ToList();
        }

        foreach (var stream in streams)
        {
            stream.Cancel();
        }
    }

    public void Register(TelemetryPeer peer)
    {
        lock (_gate)
        {
            _peers.Add(peer);
        }
    }

    public void Unregister(TelemetryPeer peer)
    {
        lock (_gate)
        {
            _peers.Remove(peer);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var timer in _timers)
            {
                timer.Dispose();
            }

            _timers.Clear();
        }
    }

    private List<Message> TakeLocked(TopicState topic, string group, string? tagExpression, int batchSize, TimeSpan invisible, DateTimeOffset now, out DateTimeOffset? nextVisible)
    {
        nextVisible = null;
        var tags = ParseTags(tagExpression);
        var taken = new List<Message>();
        var fifo = _fifoGroups.Contains(group);
        var lockedQueues = new HashSet<int>();
        foreach (var stored in topic.Messages)
        {
            if (stored.State is TransactionState.Half or TransactionState.RolledBack)
            {
                continue;
            }

            var queueId = stored.Message.SystemProperties.QueueId;
            if (fifo && lockedQueues.Contains(queueId))
            {
                continue;
            }

            var system = stored.Message.SystemProperties;
            if (tags is not null && (!system.HasTag || !tags.Contains(system.Tag)))
            {
                continue;
            }

            stored.Leases.TryGetValue(group, out var lease);
            if (lease is { Acked: true } or { DeadLettered: true })
            {
                continue;
            }

            var visibleAt = lease is null ? stored.VisibleAt : (lease.InvisibleUntil > stored.VisibleAt ? lease.InvisibleUntil : stored.VisibleAt);
            if (fifo && (lease is not null || visibleAt <= now))
            {
                // The oldest unsettled message of the queue: nothing after it is delivered to this group until it is settled.
                lockedQueues.Add(queueId);
            }

            if (visibleAt > now)
            {
                nextVisible = nextVisible is { } n && n < visibleAt ? n : visibleAt;
                continue;
            }

            if (taken.Count >= batchSize)
            {
                continue;
            }

            lease ??= stored.Leases[group] = new Lease();
            lease.Attempts++;
            lease.InvisibleUntil = now + invisible;
            lease.Handle = NewHandle(system.MessageId, lease.InvisibleUntil);

            var copy = stored.Message.Clone();
            copy.SystemProperties.ReceiptHandle = lease.Handle;
            copy.SystemProperties.DeliveryAttempt = lease.Attempts;
            copy.SystemProperties.InvisibleDuration = Duration.FromTimeSpan(invisible);
            taken.Add(copy);
        }

        return taken;
    }

    private Status FindLeaseLocked(string group, string topicName, string messageId, string handle, out Lease? lease)
        => FindLeaseLocked(group, topicName, messageId, handle, out lease, out _);

    private Status FindLeaseLocked(string group, string topicName, string messageId, string handle, out Lease? lease, out StoredMessage? stored)
    {
        lease = null;
        stored = null;
        if (!HasGroupLocked(group))
        {
            return Fail(Code.ConsumerGroupNotFound, $"consumer group '{group}' does not exist");
        }

        if (!_topics.TryGetValue(topicName, out var topic))
        {
            return Fail(Code.TopicNotFound, $"topic '{topicName}' does not exist");
        }

        stored = topic.Messages.FirstOrDefault(m => m.Message.SystemProperties.MessageId == messageId);
        if (stored is null || !stored.Leases.TryGetValue(group, out var found) || found.Handle != handle || found.Acked || found.DeadLettered)
        {
            stored = null;
            return Fail(Code.InvalidReceiptHandle, "receipt handle is not valid");
        }

        if (Time.GetUtcNow() >= found.InvisibleUntil)
        {
            stored = null;
            return Fail(Code.InvalidReceiptHandle, "receipt handle has expired");
        }

        lease = found;
        return Ok();
    }

    private void ScheduleCheckBack(StoredMessage entry)
    {
        var delay = Options.TransactionCheckDelay;
        ITimer? timer = null;
        timer = Time.CreateTimer(
            _ =>
            {
                TelemetryPeer? peer;
                RecoverOrphanedTransactionCommand command;
                lock (_gate)
                {
                    if (entry.State != TransactionState.Half)
                    {
                        timer?.Dispose();
                        return;
                    }

                    var topic = entry.Message.Topic.Name;
                    peer = _peers.FirstOrDefault(p => p.Publishes(topic));
                    if (peer is null)
                    {
                        return;
                    }

                    TransactionChecksSent++;
                    command = new RecoverOrphanedTransactionCommand { Message = entry.Message.Clone(), TransactionId = entry.TransactionId! };
                }

                _ = peer.SendAsync(new TelemetryCommand { RecoverOrphanedTransactionCommand = command });
            },
            null,
            delay,
            delay);
        _timers.Add(timer);
    }

    /// <summary>Whether the group exists; with <see cref="ProxyBrokerOptions.AutoCreateConsumerGroups"/> an unknown one is created (as the broker's <c>autoCreateSubscriptionGroup</c>).</summary>
    private bool HasGroupLocked(string group)
    {
        if (_groups.Contains(group))
        {
            return true;
        }

        if (!Options.AutoCreateConsumerGroups || string.IsNullOrEmpty(group))
        {
            return false;
        }

        _groups.Add(group);
        return true;
    }

    private static HashSet<string>? ParseTags(string? expression)
    {
        if (string.IsNullOrWhiteSpace(expression) || expression.Trim() == "*")
        {
            return null;
        }

        return expression.Split("||", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
    }

    private MessageQueue Queue(Resource topic, int id, IReadOnlyList<MessageType> types)
    {
        var broker = new Broker { Name = Options.BrokerName, Id = 0, Endpoints = new Endpoints { Scheme = AddressScheme.Ipv4 } };
        if (Address is not null)
        {
            broker.Endpoints.Addresses.Add(Address);
        }

        return new MessageQueue
        {
            Topic = topic.Clone(),
            Id = id,
            Permission = Permission.ReadWrite,
            Broker = broker,
            AcceptMessageTypes = { types },
        };
    }

    private string NewHandle(string messageId, DateTimeOffset invisibleUntil)
        => string.Create(CultureInfo.InvariantCulture, $"{messageId}_{invisibleUntil.ToUnixTimeMilliseconds()}_{Interlocked.Increment(ref _handleSequence)}");

    private void SignalChangedLocked()
    {
        var previous = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        previous.TrySetResult();
    }

    private static Status Ok() => new() { Code = Code.Ok, Message = "OK" };

    internal static Status Fail(Code code, string message) => new() { Code = code, Message = message };

    private sealed class TopicState(string name, IReadOnlyList<MessageType> types)
    {
        public string Name { get; } = name;

        public IReadOnlyList<MessageType> Types { get; } = types;

        public List<StoredMessage> Messages { get; } = [];

        public long NextOffset { get; set; }
    }

    private sealed class StoredMessage(Message message, DateTimeOffset visibleAt)
    {
        public Message Message { get; } = message;

        public DateTimeOffset VisibleAt { get; set; } = visibleAt;

        public TransactionState State { get; set; } = TransactionState.None;

        public string? TransactionId { get; set; }

        public Dictionary<string, Lease> Leases { get; } = new(StringComparer.Ordinal);
    }

    private sealed class Lease
    {
        public int Attempts { get; set; }

        public DateTimeOffset InvisibleUntil { get; set; }

        public string Handle { get; set; } = string.Empty;

        public bool Acked { get; set; }

        public bool DeadLettered { get; set; }
    }

    private enum TransactionState
    {
        None,
        Half,
        Committed,
        RolledBack,
    }
}
