namespace CouponKit.Ports;

/// <summary>
/// Reads the users of a segment (a list the shop keeps, such as <c>vip</c> or <c>inactive-90d</c>) page by page, for push
/// issuance. Paging is by key, not by offset, so a page read again after a crash starts at the same user even when users
/// join or leave the segment meanwhile.
/// </summary>
public interface IUserSegmentSource
{
    /// <summary>
    /// Reads up to <paramref name="max"/> user ids of a segment that come after <paramref name="afterUserId"/>, in ascending
    /// ordinal order (<see cref="StringComparer.Ordinal"/>), without duplicates.
    /// </summary>
    /// <param name="segment">The segment.</param>
    /// <param name="afterUserId">The last user id of the previous page; <see langword="null"/> to start at the first user.</param>
    /// <param name="max">The most user ids to return; at least 1.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// The user ids, each greater than <paramref name="afterUserId"/> and than the one before it. An empty list means the
    /// segment has no more users; an unknown segment has none.
    /// </returns>
    Task<IReadOnlyList<string>> ReadAsync(string segment, string? afterUserId, int max, CancellationToken cancellationToken);
}
