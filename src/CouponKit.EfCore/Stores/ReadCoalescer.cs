namespace CouponKit.EfCore.Stores;

/// <summary>
/// Shares reads of one key between concurrent callers without making any of them staler: a caller joins the read of its key
/// that has not started yet, never one already running. While a read runs, the callers that arrive wait for the next one,
/// which starts as soon as the running one ends and answers them all. So every caller's answer comes from a query that started
/// after it asked (as fresh as a read of its own), and a hot key (the template of a flash sale) costs at most one query in
/// flight and one waiting, however many callers ask.
/// </summary>
/// <typeparam name="TValue">What a read returns.</typeparam>
internal sealed class ReadCoalescer<TValue>
{
    private readonly Func<string, Task<TValue>> _read;
    private readonly object _gate = new();
    private readonly Dictionary<string, Slot> _slots = new(StringComparer.Ordinal);

    /// <summary>Initializes a new instance of the <see cref="ReadCoalescer{TValue}"/> class.</summary>
    /// <param name="read">Reads a key (not cancelled by any one caller: it answers several).</param>
    public ReadCoalescer(Func<string, Task<TValue>> read)
    {
        _read = read;
    }

    /// <summary>Reads <paramref name="key"/> with the next read that starts.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Stops this caller's wait; the read goes on for the others.</param>
    /// <returns>The value, or the read's exception.</returns>
    public Task<TValue> ReadAsync(string key, CancellationToken cancellationToken)
    {
        TaskCompletionSource<TValue>? startNow = null;
        Task<TValue> answer;
        lock (_gate)
        {
            if (!_slots.TryGetValue(key, out var slot))
            {
                startNow = new TaskCompletionSource<TValue>(TaskCreationOptions.RunContinuationsAsynchronously);
                _slots[key] = new Slot();
                answer = startNow.Task;
            }
            else
            {
                slot.Next ??= new TaskCompletionSource<TValue>(TaskCreationOptions.RunContinuationsAsynchronously);
                answer = slot.Next.Task;
            }
        }

        if (startNow is not null)
        {
            _ = RunAsync(key, startNow);
        }

        return cancellationToken.CanBeCanceled ? answer.WaitAsync(cancellationToken) : answer;
    }

    /// <summary>Runs the key's reads one after the other while callers wait for a next one; then forgets the key.</summary>
    private async Task RunAsync(string key, TaskCompletionSource<TValue> current)
    {
        while (true)
        {
            try
            {
                current.TrySetResult(await _read(key).ConfigureAwait(false));
            }
#pragma warning disable CA1031 // The read's failure is the answer of every caller that waited for it.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                current.TrySetException(ex);
            }

            lock (_gate)
            {
                var slot = _slots[key];
                if (slot.Next is null)
                {
                    _slots.Remove(key);
                    return;
                }

                current = slot.Next;
                slot.Next = null;
            }
        }
    }

    /// <summary>A key with a read running: the callers waiting for the next read, if any.</summary>
    private sealed class Slot
    {
        public TaskCompletionSource<TValue>? Next { get; set; }
    }
}
