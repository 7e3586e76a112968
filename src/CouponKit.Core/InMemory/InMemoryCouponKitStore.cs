using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Redemption;

namespace CouponKit.InMemory;

/// <summary>
/// Every store port in process memory, behind one lock so that each operation is atomic, with a transactional outbox:
/// the default of <c>AddCouponKit()</c>, for tests, samples and single-process shops. Nothing survives a restart.
/// </summary>
public sealed partial class InMemoryCouponKitStore : ITemplateStore, ICouponStore, IRedemptionStore, IOutboxStore, IInboxStore, IDeadLetterStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, CouponTemplate> _templates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _issued = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IssuedCoupon> _coupons = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _claims = new(StringComparer.Ordinal);
    private readonly Dictionary<(string UserId, string TemplateId), int> _perUser = new();
    private readonly Dictionary<string, List<string>> _byUser = new(StringComparer.Ordinal);
    private readonly Dictionary<(string TemplateId, string IdentityKey), List<string>> _byIdentity = [];
    private readonly Dictionary<string, List<OperationRecord>> _records = new(StringComparer.Ordinal);
    private readonly List<OutboxRow> _outbox = [];
    private readonly Dictionary<string, OutboxRow> _outboxById = new(StringComparer.Ordinal);
    private readonly HashSet<(string Group, string MessageId)> _inbox = [];
    private readonly List<DeadLetter> _deadLetters = [];
    /// <summary>Gets every outbox entry, oldest first (for tests and diagnostics).</summary>
    public IReadOnlyList<OutboxEntry> OutboxEntries
    {
        get
        {
            lock (_gate)
            {
                return _outbox.Select(r => r.ToEntry()).ToArray();
            }
        }
    }

    /// <summary>Gets every coupon (for tests and diagnostics).</summary>
    public IReadOnlyList<IssuedCoupon> Coupons
    {
        get
        {
            lock (_gate)
            {
                return _coupons.Values.ToArray();
            }
        }
    }

    /// <inheritdoc />
    public Task<CouponTemplate?> FindAsync(string templateId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_templates.GetValueOrDefault(templateId));
        }
    }

    /// <inheritdoc />
    public Task AddAsync(CouponTemplate created, IReadOnlyList<OutboxMessage> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(created);
        ArgumentNullException.ThrowIfNull(events);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_templates.ContainsKey(created.Id))
            {
                throw new InvalidTemplateException(created.Id, "id", "a template with this id already exists.");
            }

            _templates.Add(created.Id, created);
            _issued[created.Id] = 0;
            Enqueue(events);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task UpdateAsync(CouponTemplate updated, long expectedVersion, IReadOnlyList<OutboxMessage> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updated);
        ArgumentNullException.ThrowIfNull(events);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_templates.TryGetValue(updated.Id, out var current))
            {
                throw new TemplateNotFoundException(updated.Id);
            }

            if (current.Version != expectedVersion)
            {
                throw new ConcurrencyConflictException($"Template '{updated.Id}'");
            }

            var issued = _issued[updated.Id];
            if (updated.TotalInventory < issued)
            {
                throw new InvalidTemplateException(updated.Id, "totalInventory", $"the inventory cannot go below the {issued} coupons already issued.");
            }

            _templates[updated.Id] = updated;
            Enqueue(events);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<TemplateStock?> GetStockAsync(string templateId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_templates.TryGetValue(templateId, out var t) ? new TemplateStock(t.TotalInventory, _issued[templateId]) : null);
        }
    }

    /// <inheritdoc />
    public Task<IssueOutcome> IssueAsync(IssueCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        cancellationToken.ThrowIfCancellationRequested();
        var coupon = command.Coupon;
        lock (_gate)
        {
            if (_claims.TryGetValue(command.ClaimKey, out var earlierId))
            {
                var earlier = _coupons[earlierId];
                var same = earlier.UserId == coupon.UserId && earlier.TemplateId == coupon.TemplateId;
                return Task.FromResult(new IssueOutcome(same ? IssueStatus.Replayed : IssueStatus.KeyConflict, same ? earlier : null));
            }

            if (!_templates.TryGetValue(coupon.TemplateId, out var template))
            {
                throw new TemplateNotFoundException(coupon.TemplateId);
            }

            var key = (coupon.UserId, coupon.TemplateId);
            if (AtLimit(command))
            {
                return Task.FromResult(new IssueOutcome(IssueStatus.LimitReached, null));
            }

            if (_issued[coupon.TemplateId] >= template.TotalInventory)
            {
                return Task.FromResult(new IssueOutcome(IssueStatus.SoldOut, null));
            }

            if (_coupons.ContainsKey(coupon.CouponId))
            {
                throw new InvalidOperationException($"Coupon id '{coupon.CouponId}' already exists.");
            }

            if (command.AssignSequence)
            {
                coupon = coupon with { IssueSequence = _issued[coupon.TemplateId] };
            }

            _issued[coupon.TemplateId]++;
            _perUser[key] = _perUser.GetValueOrDefault(key) + 1;
            _coupons.Add(coupon.CouponId, coupon);
            _claims.Add(command.ClaimKey, coupon.CouponId);
            if (!_byUser.TryGetValue(coupon.UserId, out var list))
            {
                _byUser[coupon.UserId] = list = [];
            }

            list.Add(coupon.CouponId);
            if (coupon.IdentityKey is { } identity)
            {
                if (!_byIdentity.TryGetValue((coupon.TemplateId, identity), out var sameIdentity))
                {
                    _byIdentity[(coupon.TemplateId, identity)] = sameIdentity = [];
                }

                sameIdentity.Add(coupon.CouponId);
            }

            Enqueue(command.Events);
            return Task.FromResult(new IssueOutcome(IssueStatus.Issued, coupon));
        }
    }

    /// <summary>
    /// Whether the claim's user (and, when the command says so, its identity key) already holds as many counted coupons of the
    /// template as the limit: every coupon, or only the active ones at the claim's time. Called under the lock.
    /// </summary>
    private bool AtLimit(IssueCommand command)
    {
        var coupon = command.Coupon;
        if (command.LimitCounts == PerUserLimitCounts.EveryClaim && _perUser.GetValueOrDefault((coupon.UserId, coupon.TemplateId)) >= command.PerUserLimit)
        {
            return true;
        }

        if (command.LimitCounts != PerUserLimitCounts.EveryClaim
            && Counted(_byUser.GetValueOrDefault(coupon.UserId), command) >= command.PerUserLimit)
        {
            return true;
        }

        if (!command.LimitsIdentityKey)
        {
            return false;
        }

        var identity = coupon.IdentityKey ?? throw new ArgumentException("A claim limited per identity key needs a coupon with an identity key.", nameof(command));
        return Counted(_byIdentity.GetValueOrDefault((coupon.TemplateId, identity)), command) >= command.PerUserLimit;
    }

    private int Counted(List<string>? couponIds, IssueCommand command)
    {
        if (couponIds is null)
        {
            return 0;
        }

        var count = 0;
        foreach (var id in couponIds)
        {
            var held = _coupons[id];
            if (held.TemplateId == command.Coupon.TemplateId && ClaimLimits.Counts(held, command.LimitCounts, command.Coupon.ClaimedAt))
            {
                count++;
            }
        }

        return count;
    }

    /// <inheritdoc />
    public Task<IssuedCoupon?> FindByClaimKeyAsync(string claimKey, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_claims.TryGetValue(claimKey, out var id) ? _coupons[id] : null);
        }
    }

    /// <inheritdoc />
    Task<IssuedCoupon?> ICouponStore.FindAsync(string couponId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_coupons.GetValueOrDefault(couponId));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<IssuedCoupon>> ListByUserAsync(string userId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<IssuedCoupon> list = _byUser.TryGetValue(userId, out var ids) ? ids.Select(id => _coupons[id]).ToArray() : [];
            return Task.FromResult(list);
        }
    }

    /// <inheritdoc />
    public Task<RedemptionResult> ExecuteAsync(RedemptionCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var records = _records.TryGetValue(command.OrderId, out var list) ? list : [];
            var ids = RedemptionPlanner.CouponIdsOf(command, records);
            var coupons = ids.Where(_coupons.ContainsKey).ToDictionary(id => id, id => _coupons[id], StringComparer.Ordinal);
            var plan = RedemptionPlanner.Plan(command, coupons, records);
            foreach (var update in plan.CouponUpdates)
            {
                if (_coupons[update.CouponId].Version != update.Version - 1)
                {
                    throw new ConcurrencyConflictException($"Coupon '{update.CouponId}'");
                }
            }

            foreach (var update in plan.CouponUpdates)
            {
                _coupons[update.CouponId] = update;
            }

            if (plan.NewRecords.Count > 0)
            {
                if (list is null)
                {
                    _records[command.OrderId] = list = [];
                }

                list.AddRange(plan.NewRecords);
            }

            Enqueue(plan.Messages);
            return Task.FromResult(plan.Result);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<OperationRecord>> ListRecordsAsync(string orderId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<OperationRecord> list = _records.TryGetValue(orderId, out var records) ? records.ToArray() : [];
            return Task.FromResult(list);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<OutboxEntry>> LeaseDueAsync(DateTimeOffset now, int max, TimeSpan lease, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var blocked = new HashSet<string>(StringComparer.Ordinal);
            var envelopes = new List<(string First, string Last)>();
            var result = new List<OutboxEntry>();
            foreach (var row in _outbox)
            {
                if (result.Count >= max)
                {
                    break;
                }

                if (row.Status != OutboxStatus.Pending)
                {
                    continue;
                }

                var key = row.Message.Key;
                var eligible = row.NextAttemptAt <= now && row.LeasedUntil <= now && !blocked.Contains(key)
                    && !envelopes.Exists(e => OutboxEnvelope.CompareKeys(e.First, key) <= 0 && OutboxEnvelope.CompareKeys(key, e.Last) <= 0);
                blocked.Add(key); // later messages of the same aggregate wait for this one
                if (row.LastKey is { } last)
                {
                    envelopes.Add((key, last)); // and later messages of the aggregates in an envelope wait for the envelope
                }

                if (eligible)
                {
                    row.LeasedUntil = now + lease;
                    row.Attempts++;
                    result.Add(row.ToEntry());
                }
            }

            return Task.FromResult<IReadOnlyList<OutboxEntry>>(result);
        }
    }

    /// <inheritdoc />
    public Task MarkPublishedAsync(string messageId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_outboxById.TryGetValue(messageId, out var row))
            {
                row.Status = OutboxStatus.Published;
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task MarkFailedAsync(string messageId, DateTimeOffset? nextAttemptAt, string failure, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_outboxById.TryGetValue(messageId, out var row))
            {
                row.LastError = failure;
                row.LeasedUntil = DateTimeOffset.MinValue;
                if (nextAttemptAt is { } next)
                {
                    row.NextAttemptAt = next;
                }
                else
                {
                    row.Status = OutboxStatus.Dead;
                }
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<bool> TryRecordAsync(string consumerGroup, string messageId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_inbox.Add((consumerGroup, messageId)));
        }
    }

    /// <inheritdoc />
    public Task<bool> ContainsAsync(string consumerGroup, string messageId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_inbox.Contains((consumerGroup, messageId)));
        }
    }

    /// <inheritdoc />
    public Task AddAsync(DeadLetter letter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(letter);
        lock (_gate)
        {
            _deadLetters.Add(letter);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<DeadLetter>> ListAsync(int max, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<DeadLetter>>(_deadLetters.Take(max).ToArray());
        }
    }

    /// <inheritdoc />
    public Task<bool> RemoveAsync(string messageId, string consumerGroup, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_deadLetters.RemoveAll(d => d.Message.MessageId == messageId && d.ConsumerGroup == consumerGroup) > 0);
        }
    }

    private void Enqueue(IReadOnlyList<OutboxMessage> messages)
    {
        foreach (var message in messages)
        {
            if (_outboxById.ContainsKey(message.MessageId))
            {
                continue; // the same fact written twice is one message
            }

            var row = new OutboxRow(message)
            {
                NextAttemptAt = message.CreatedAt,
                LastKey = OutboxEnvelope.LastKeyOf(message),
            };
            _outbox.Add(row);
            _outboxById.Add(message.MessageId, row);
        }
    }

    private sealed class OutboxRow(OutboxMessage message)
    {
        public OutboxMessage Message { get; } = message;

        /// <summary>For an envelope, the largest key it holds (its own key is the smallest).</summary>
        public string? LastKey { get; init; }

        public OutboxStatus Status { get; set; } = OutboxStatus.Pending;

        public int Attempts { get; set; }

        public DateTimeOffset NextAttemptAt { get; set; }

        public DateTimeOffset LeasedUntil { get; set; } = DateTimeOffset.MinValue;

        public string? LastError { get; set; }

        public OutboxEntry ToEntry() => new(Message, Attempts, Status);
    }
}
