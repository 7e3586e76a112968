using CouponKit.EfCore.Model;
using CouponKit.Messaging;
using CouponKit.Ports;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace CouponKit.EfCore.Stores;

/// <content>
/// The PostgreSQL writer of a claim batch: the coupons (with their claim keys) and outbox rows of the whole batch in two
/// statements (<c>INSERT ... SELECT FROM unnest(...)</c> of array parameters) sent as one Npgsql batch, in the batch's
/// transaction, instead of tracked entities and statements per claim.
/// </content>
internal sealed partial class EfCoreCouponKitStore<TContext>
{
    private ClaimBatchSql? _claimBatchSql;

    /// <summary>Inserts the issued claims' rows; a unique index hit by a concurrent writer throws (the batch runs again claim by claim).</summary>
    private async Task InsertClaimBatchOnPostgresAsync(TContext db, IssueCommand[] claims, List<(int Index, int Sequence)> issued, List<OutboxMessage> events, CancellationToken cancellationToken)
    {
        var connection = NpgsqlConnectionOf(db);
        var sql = ClaimBatchStatements(db);
        var n = issued.Count;
        var keys = new string[n];
        var couponIds = new string[n];
        var templateIds = new string[n];
        var userIds = new string[n];
        var sequences = new int[n];
        var states = new int[n];
        var validFrom = new long[n];
        var validUntil = new long[n];
        var claimedAt = new long[n];
        var channels = new int[n];
        var orderIds = new string?[n];
        var versions = new long[n];
        var draws = new string?[n];
        for (var i = 0; i < n; i++)
        {
            var (index, sequence) = issued[i];
            var coupon = claims[index].Coupon;
            keys[i] = claims[index].ClaimKey;
            couponIds[i] = coupon.CouponId;
            templateIds[i] = coupon.TemplateId;
            userIds[i] = coupon.UserId;
            sequences[i] = sequence;
            states[i] = (int)coupon.State;
            validFrom[i] = coupon.ValidFrom.UtcTicks;
            validUntil[i] = coupon.ValidUntil.UtcTicks;
            claimedAt[i] = coupon.ClaimedAt.UtcTicks;
            channels[i] = (int)coupon.Channel;
            orderIds[i] = coupon.OrderId;
            versions[i] = coupon.Version;
            draws[i] = ToDrawJson(coupon.Draw);
        }

        var batch = new NpgsqlBatch(connection);
        await using (batch.ConfigureAwait(false))
        {
            batch.BatchCommands.Add(Command(
                sql.InsertCoupons,
                Array(couponIds, NpgsqlDbType.Text), Array(templateIds, NpgsqlDbType.Text), Array(userIds, NpgsqlDbType.Text),
                Array(sequences, NpgsqlDbType.Integer), Array(states, NpgsqlDbType.Integer), Array(validFrom, NpgsqlDbType.Bigint),
                Array(validUntil, NpgsqlDbType.Bigint), Array(claimedAt, NpgsqlDbType.Bigint), Array(channels, NpgsqlDbType.Integer),
                Array(orderIds, NpgsqlDbType.Text), Array(versions, NpgsqlDbType.Bigint), Array(draws, NpgsqlDbType.Text),
                Array(keys, NpgsqlDbType.Text)));
            if (events.Count > 0)
            {
                batch.BatchCommands.Add(Command(
                    sql.InsertOutbox,
                    Array(events.Select(m => m.MessageId).ToArray(), NpgsqlDbType.Text),
                    Array(events.Select(m => m.Topic).ToArray(), NpgsqlDbType.Text),
                    Array(events.Select(m => m.Tag).ToArray(), NpgsqlDbType.Text),
                    Array(events.Select(m => m.Key).ToArray(), NpgsqlDbType.Text),
                    Array(events.Select(m => m.Body).ToArray(), NpgsqlDbType.Text),
                    Array(events.Select(m => m.CreatedAt.UtcTicks).ToArray(), NpgsqlDbType.Bigint),
                    Array(events.Select(m => m.DeliverAt?.UtcTicks).ToArray(), NpgsqlDbType.Bigint)));
            }

            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The reads a claim batch decides from, on PostgreSQL in one round trip (one Npgsql batch, its statements run in order,
    /// each with its own snapshot): the users' counts per template (<see cref="ClaimBatchSql.HeldBy"/>), the claim keys already
    /// used, the templates' segment counts and the coupon ids already stored. The coupons of used claim keys (replays, rare)
    /// are read afterwards, through EF Core.
    /// </summary>
    private async Task<ClaimBatchReads> ReadClaimBatchOnPostgresAsync(TContext db, IssueCommand[] claims, CancellationToken cancellationToken)
    {
        var connection = NpgsqlConnectionOf(db);
        var sql = ClaimBatchStatements(db);
        var byTemplate = claims.GroupBy(c => c.Coupon.TemplateId, StringComparer.Ordinal).ToArray();
        var held = new Dictionary<(string TemplateId, string UserId), int>();
        var keyed = new List<string>();
        var segmentsOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var batch = new NpgsqlBatch(connection);
        await using (batch.ConfigureAwait(false))
        {
            foreach (var template in byTemplate)
            {
                batch.BatchCommands.Add(Command(sql.HeldBy, Text(template.Key), Array(template.Select(c => c.Coupon.UserId).Distinct(StringComparer.Ordinal).ToArray(), NpgsqlDbType.Text)));
            }

            batch.BatchCommands.Add(Command(sql.ClaimedBy, Array(claims.Select(c => c.ClaimKey).ToArray(), NpgsqlDbType.Text)));
            batch.BatchCommands.Add(Command(sql.SegmentsOf, Array(byTemplate.Select(t => t.Key).ToArray(), NpgsqlDbType.Text)));
            batch.BatchCommands.Add(Command(sql.StoredCouponIds, Array(claims.Select(c => c.Coupon.CouponId).ToArray(), NpgsqlDbType.Text)));
            var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                foreach (var template in byTemplate)
                {
                    await ReadHeldAsync(reader, template.Key, held, cancellationToken).ConfigureAwait(false);
                    await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                }

                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    keyed.Add(reader.GetString(0));
                }

                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    segmentsOf[reader.GetString(0)] = reader.GetInt32(1);
                }

                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    used.Add(reader.GetString(0));
                }
            }
        }

        // Coupons are not deleted, nor their claim keys changed: a later statement finds each key the batch's read saw.
        var claimed = keyed.Count == 0
            ? new Dictionary<string, CouponRow>(StringComparer.Ordinal)
            : await ClaimedByKeysAsync(db, [.. keyed], cancellationToken).ConfigureAwait(false);

        return new ClaimBatchReads(held, claimed, segmentsOf, used);
    }

    /// <summary>Gets the per-user count statement of a claim batch for <paramref name="db"/>'s model ($1 template, $2 users), for tests of its plan.</summary>
    internal string HeldBySql(TContext db) => ClaimBatchStatements(db).HeldBy;

    /// <summary>
    /// Adds to <paramref name="held"/> how many coupons of <paramref name="templateId"/> each of <paramref name="users"/> holds
    /// (those holding any), on PostgreSQL: one count per user in a subquery that the planner runs per user, each an index probe on (template, user). A
    /// single query over all the users (<c>"UserId" = ANY(...)</c>) is planned from the template's statistics, and for a
    /// template they do not know yet (a new one, a flash sale before ANALYZE: estimated at one row) PostgreSQL reads every
    /// coupon of the template in index order and filters the users, a cost that grows with every coupon issued.
    /// </summary>
    private async Task HeldOnPostgresAsync(TContext db, string templateId, string[] users, Dictionary<(string TemplateId, string UserId), int> held, CancellationToken cancellationToken)
    {
        var sql = ClaimBatchStatements(db);
        var command = new NpgsqlCommand(sql.HeldBy, NpgsqlConnectionOf(db));
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(Text(templateId));
            command.Parameters.Add(Array(users, NpgsqlDbType.Text));
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                await ReadHeldAsync(reader, templateId, held, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Reads the rows of one <see cref="ClaimBatchSql.HeldBy"/> result: the users holding coupons of the template, with their count.</summary>
    private static async Task ReadHeldAsync(NpgsqlDataReader reader, string templateId, Dictionary<(string TemplateId, string UserId), int> held, CancellationToken cancellationToken)
    {
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (reader.GetInt32(1) is var count and > 0)
            {
                held[(templateId, reader.GetString(0))] = count;
            }
        }
    }

    /// <summary>The claim batch's statements for the context's model; built once.</summary>
    private ClaimBatchSql ClaimBatchStatements(TContext db) => _claimBatchSql ??= ClaimBatchSql.For(db);

    /// <summary>The context's Npgsql connection (open inside the transaction of the claim batch or push chunk that uses it).</summary>
    private static NpgsqlConnection NpgsqlConnectionOf(TContext db) =>
        db.Database.GetDbConnection() as NpgsqlConnection ?? throw new InvalidOperationException("The Npgsql provider did not give an NpgsqlConnection.");

    private static NpgsqlBatchCommand Command(string text, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(text);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlParameter Text(string value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Text };

    private static NpgsqlParameter Array<T>(T[] values, NpgsqlDbType type) => new() { Value = values, NpgsqlDbType = NpgsqlDbType.Array | type };

    /// <summary>The claim batch's statements, with the table and column names of the context's model (prefix, schema).</summary>
    private sealed class ClaimBatchSql
    {
        private ClaimBatchSql(string heldBy, string claimedBy, string segmentsOf, string storedCouponIds, string insertCoupons, string insertOutbox)
        {
            HeldBy = heldBy;
            ClaimedBy = claimedBy;
            SegmentsOf = segmentsOf;
            StoredCouponIds = storedCouponIds;
            InsertCoupons = insertCoupons;
            InsertOutbox = insertOutbox;
        }

        /// <summary>Gets the per-user counts: $1 the template, $2 the users; each user with the number of coupons of the template it holds.</summary>
        public string HeldBy { get; }

        /// <summary>Gets the used claim keys among $1.</summary>
        public string ClaimedBy { get; }

        /// <summary>Gets the templates among $1 that exist, with their number of stock segments.</summary>
        public string SegmentsOf { get; }

        /// <summary>Gets the coupon ids among $1 already stored.</summary>
        public string StoredCouponIds { get; }

        /// <summary>Gets the coupons' insert: $1..$13 the arrays of the columns, in the order of the column list (the claim key last).</summary>
        public string InsertCoupons { get; }

        /// <summary>
        /// Gets the outbox insert: $1..$7 message ids, topics, tags, keys, bodies, created and delivery times, written in their
        /// order (the sequence keeps it); a message id stored before is written once, as <see cref="EnqueueAsync"/> does.
        /// </summary>
        public string InsertOutbox { get; }

        public static ClaimBatchSql For(DbContext db)
        {
            var helper = db.GetService<ISqlGenerationHelper>();
            (string Table, Func<string, string> Column) Map<TRow>()
            {
                var entity = db.Model.FindEntityType(typeof(TRow)) ?? throw new InvalidOperationException($"{typeof(TRow).Name} is not in the model; call ApplyCouponKit().");
                var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
                return (helper.DelimitIdentifier(table.Name, table.Schema), property => helper.DelimitIdentifier(entity.FindProperty(property)!.GetColumnName(table)!));
            }

            var (coupons, c) = Map<CouponRow>();
            var (outbox, o) = Map<OutboxRow>();
            var (templates, t) = Map<TemplateRow>();
            return new ClaimBatchSql(
                $"""
                SELECT asked.user_id, (SELECT count(*)::int FROM {coupons} AS c WHERE c.{c("TemplateId")} = $1 AND c.{c("UserId")} = asked.user_id)
                FROM unnest($2::text[]) AS asked(user_id)
                """,
                $"SELECT {c("ClaimKey")} FROM {coupons} WHERE {c("ClaimKey")} = ANY($1)",
                $"SELECT {t("Id")}, {t("StockSegments")} FROM {templates} WHERE {t("Id")} = ANY($1)",
                $"SELECT {c("CouponId")} FROM {coupons} WHERE {c("CouponId")} = ANY($1)",
                $"""
                INSERT INTO {coupons} ({c("CouponId")}, {c("TemplateId")}, {c("UserId")}, {c("Sequence")}, {c("State")}, {c("ValidFrom")}, {c("ValidUntil")},
                    {c("ClaimedAt")}, {c("Channel")}, {c("OrderId")}, {c("Version")}, {c("Draw")}, {c("ClaimKey")})
                SELECT * FROM unnest($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                """,
                $"""
                INSERT INTO {outbox} ({o("MessageId")}, {o("Topic")}, {o("Tag")}, {o("Key")}, {o("Body")}, {o("CreatedAt")}, {o("DeliverAt")},
                    {o("Status")}, {o("Attempts")}, {o("NextAttemptAt")}, {o("LeasedUntil")})
                SELECT m, t, g, k, b, c, d, {(int)OutboxStatus.Pending}, 0, c, {DateTimeOffset.MinValue.UtcTicks}
                FROM unnest($1, $2, $3, $4, $5, $6, $7) WITH ORDINALITY AS e(m, t, g, k, b, c, d, ord)
                ORDER BY ord
                ON CONFLICT ({o("MessageId")}) DO NOTHING
                """);
        }
    }
}
