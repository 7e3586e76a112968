using CouponKit.Issuance;
using CouponKit.Messaging;

namespace CouponKit.Ports;

/// <summary>Stores coupon templates with their inventory, and writes the template's events with each change.</summary>
public interface ITemplateStore
{
    /// <summary>Finds a template.</summary>
    /// <param name="templateId">The template id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The template, or <see langword="null"/>.</returns>
    Task<CouponTemplate?> FindAsync(string templateId, CancellationToken cancellationToken);

    /// <summary>Adds a new template with its full inventory remaining, and its events, atomically.</summary>
    /// <param name="created">The template.</param>
    /// <param name="events">The events to write to the outbox with it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    /// <exception cref="InvalidTemplateException">A template with the same id exists.</exception>
    Task AddAsync(CouponTemplate created, IReadOnlyList<OutboxMessage> events, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces a template if its stored version is <paramref name="expectedVersion"/>, adjusts the remaining inventory by the
    /// change of total inventory, and writes the events, atomically.
    /// </summary>
    /// <param name="updated">The new version.</param>
    /// <param name="expectedVersion">The version the change was made from.</param>
    /// <param name="events">The events to write to the outbox with it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    /// <exception cref="ConcurrencyConflictException">The stored version is not the expected one.</exception>
    /// <exception cref="InvalidTemplateException">The new total inventory is below the number already issued.</exception>
    Task UpdateAsync(CouponTemplate updated, long expectedVersion, IReadOnlyList<OutboxMessage> events, CancellationToken cancellationToken);

    /// <summary>Reads a template's inventory.</summary>
    /// <param name="templateId">The template id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The inventory, or <see langword="null"/> when the template is unknown.</returns>
    Task<TemplateStock?> GetStockAsync(string templateId, CancellationToken cancellationToken);
}

/// <summary>A template's inventory.</summary>
/// <param name="Total">The number of coupons that may ever be issued.</param>
/// <param name="Issued">The number issued so far.</param>
public sealed record TemplateStock(int Total, int Issued)
{
    /// <summary>Gets the number that may still be issued.</summary>
    public int Remaining => Total - Issued;
}
