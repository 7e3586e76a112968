using CouponKit.Ports;

namespace CouponKit.InMemory;

/// <summary>User segments in process memory; for tests and samples.</summary>
public sealed class InMemoryUserSegmentSource : IUserSegmentSource
{
    private readonly object _gate = new();
    private readonly Dictionary<string, List<string>> _segments = new(StringComparer.Ordinal);
    private readonly HashSet<string> _sorted = new(StringComparer.Ordinal);

    /// <summary>Adds users to a segment; users already in it are ignored.</summary>
    /// <param name="segment">The segment.</param>
    /// <param name="userIds">The users.</param>
    public void Add(string segment, IEnumerable<string> userIds)
    {
        ArgumentNullException.ThrowIfNull(segment);
        ArgumentNullException.ThrowIfNull(userIds);
        lock (_gate)
        {
            if (!_segments.TryGetValue(segment, out var users))
            {
                _segments[segment] = users = [];
            }

            users.AddRange(userIds);
            _sorted.Remove(segment);
        }
    }

    /// <summary>Removes users from a segment.</summary>
    /// <param name="segment">The segment.</param>
    /// <param name="userIds">The users.</param>
    public void Remove(string segment, IEnumerable<string> userIds)
    {
        ArgumentNullException.ThrowIfNull(segment);
        ArgumentNullException.ThrowIfNull(userIds);
        lock (_gate)
        {
            if (_segments.TryGetValue(segment, out var users))
            {
                var removed = userIds.ToHashSet(StringComparer.Ordinal);
                users.RemoveAll(removed.Contains);
            }
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ReadAsync(string segment, string? afterUserId, int max, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(segment);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_segments.TryGetValue(segment, out var users))
            {
                return Task.FromResult<IReadOnlyList<string>>([]);
            }

            if (_sorted.Add(segment))
            {
                var distinct = users.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
                users.Clear();
                users.AddRange(distinct);
            }

            var start = 0;
            if (afterUserId is not null)
            {
                var index = users.BinarySearch(afterUserId, StringComparer.Ordinal);
                start = index >= 0 ? index + 1 : ~index;
            }

            var page = users.GetRange(start, Math.Min(max, users.Count - start)).ToArray();
            return Task.FromResult<IReadOnlyList<string>>(page);
        }
    }
}
