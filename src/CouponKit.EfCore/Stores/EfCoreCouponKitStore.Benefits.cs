using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using CouponKit.Benefits;
using CouponKit.EfCore.Model;
using CouponKit.Issuance;
using CouponKit.Ports;
using Microsoft.EntityFrameworkCore;

namespace CouponKit.EfCore.Stores;

/// <content>
/// The benefits' fields of a coupon row: the lucky draw as one JSON column (<see cref="CouponRow.Draw"/>) and the issue sequence
/// (<see cref="CouponRow.IssueSequence"/>) that a split red envelope's share is chosen by.
/// </content>
internal sealed partial class EfCoreCouponKitStore<TContext>
{
    /// <summary>
    /// Gets a value indicating whether the store assigns issue sequences: yes, in the claim's transaction, for templates whose
    /// inventory is on the template's row (not split over stock segments, see <see cref="EnsureSequenceable"/>).
    /// </summary>
    public bool AssignsIssueSequence => true;

    /// <summary>
    /// Refuses to assign an issue sequence on a template whose inventory is split over stock segments: the segments are decremented
    /// independently, so their counters do not give one gapless order. Split red envelopes need
    /// <see cref="EfCoreCouponKitOptions.StockSegments"/> = 1 when they are added.
    /// </summary>
    private static void EnsureSequenceable(string templateId, int segments)
    {
        if (segments > 0)
        {
            throw new BenefitNotSupportedException(
                templateId,
                BenefitKind.SplitRedEnvelope,
                $"its inventory is split over {segments} stock segments, which give no single issue sequence; add split red envelopes with EfCoreCouponKitOptions.StockSegments = 1.");
        }
    }

    /// <summary>
    /// Reads the sequence of the coupon just taken from the template's row: the number issued before it. It runs in the transaction
    /// that decremented the row, after the decrement, so it sees its own write and no other: the row stays locked (PostgreSQL) or
    /// the database stays reserved (SQLite) until commit, and two claims can never read the same count.
    /// </summary>
    private static async Task<long> ReadIssueSequenceAsync(TContext db, string templateId, CancellationToken cancellationToken)
    {
        var stock = await db.Set<TemplateRow>().AsNoTracking()
            .Where(t => t.Id == templateId)
            .Select(t => new { t.TotalInventory, t.Remaining })
            .FirstAsync(cancellationToken)
            .ConfigureAwait(false);
        return (long)stock.TotalInventory - stock.Remaining - 1;
    }

    private static string? ToDrawJson(BenefitDraw? draw) =>
        draw is null
            ? null
            : JsonSerializer.Serialize(
                new DrawJson(1, draw.Algorithm, draw.Seed.ToString(CultureInfo.InvariantCulture), draw.Value.Amount.ToString(CultureInfo.InvariantCulture), draw.Value.Currency.Code, draw.PrizeIndex),
                DrawJsonContext.Default.DrawJson);

    private static BenefitDraw? FromDrawJson(string? json)
    {
        if (json is null)
        {
            return null;
        }

        var d = JsonSerializer.Deserialize(json, DrawJsonContext.Default.DrawJson) ?? throw new InvalidOperationException("A coupon's draw column holds JSON null.");
        return new BenefitDraw(
            d.Algorithm,
            ulong.Parse(d.Seed, NumberStyles.None, CultureInfo.InvariantCulture),
            Money.Of(decimal.Parse(d.Amount, NumberStyles.Number, CultureInfo.InvariantCulture), d.Currency),
            d.PrizeIndex);
    }
}

/// <summary>
/// The stored form of a <see cref="BenefitDraw"/> (version 1). The seed and the amount are strings so that no JSON reader rounds
/// them (a 64-bit seed does not fit a double).
/// </summary>
/// <param name="V">The format version.</param>
/// <param name="Algorithm">The generator.</param>
/// <param name="Seed">The seed, in decimal.</param>
/// <param name="Amount">The face value drawn, invariant culture.</param>
/// <param name="Currency">The ISO 4217 code of the face value.</param>
/// <param name="PrizeIndex">The prize index of a weighted table, or <see langword="null"/>.</param>
internal sealed record DrawJson(
    [property: JsonPropertyName("v")] int V,
    [property: JsonPropertyName("algorithm")] string Algorithm,
    [property: JsonPropertyName("seed")] string Seed,
    [property: JsonPropertyName("amount")] string Amount,
    [property: JsonPropertyName("currency")] string Currency,
    [property: JsonPropertyName("prize")] int? PrizeIndex);

/// <summary>Source-generated JSON for <see cref="DrawJson"/>.</summary>
[JsonSerializable(typeof(DrawJson))]
internal sealed partial class DrawJsonContext : JsonSerializerContext;
