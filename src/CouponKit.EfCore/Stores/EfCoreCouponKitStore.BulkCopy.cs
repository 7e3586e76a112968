using System.Text;
using CouponKit.EfCore.Model;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using NpgsqlTypes;

namespace CouponKit.EfCore.Stores;

/// <content>
/// The PostgreSQL writer of a push chunk: binary COPY (Npgsql) of the coupons and their events (one outbox envelope for the
/// chunk, see <c>PackEventsUtf8</c>, its body streamed as UTF-8) into temporary staging tables,
/// then one <c>INSERT ... SELECT ... ON CONFLICT DO NOTHING</c> each into the coupons (with their claim keys) and outbox tables,
/// all in the chunk's transaction. Table and column names come from the EF model, so a prefix or schema applies here too.
/// </content>
internal sealed partial class EfCoreCouponKitStore<TContext>
{
    private const string StageIssued = "ck_bulk_issued";
    private const string StageEvents = "ck_bulk_events";

    private static async Task CopyIssuedAsync(TContext db, IReadOnlyList<IssueCommand> run, List<(int Index, int Sequence)> issued, CancellationToken cancellationToken)
    {
        var connection = NpgsqlConnectionOf(db);

        // Staging tables live in the session's temporary schema and are dropped with the transaction (commit or rollback).
        await ExecuteAsync(
            connection,
            $"""
            CREATE TEMP TABLE IF NOT EXISTS {StageIssued} (coupon_id text, template_id text, user_id text, sequence integer, state integer,
                valid_from bigint, valid_until bigint, claimed_at bigint, channel integer, order_id text, version bigint, draw text, claim_key text) ON COMMIT DROP;
            CREATE TEMP TABLE IF NOT EXISTS {StageEvents} (ord integer, message_id text, topic text, tag text, key text, body text,
                created_at bigint, deliver_at bigint, last_key text) ON COMMIT DROP;
            TRUNCATE {StageIssued}, {StageEvents};
            """,
            cancellationToken).ConfigureAwait(false);

        await CopyCouponsAsync(
            connection,
            $"COPY {StageIssued} (coupon_id, template_id, user_id, sequence, state, valid_from, valid_until, claimed_at, channel, order_id, version, draw, claim_key) FROM STDIN (FORMAT BINARY)",
            run,
            issued,
            cancellationToken).ConfigureAwait(false);

        using var events = PackEventsUtf8(run, issued);
        if (events.Rows > 0)
        {
            var eventImporter = await connection.BeginBinaryImportAsync(
                $"COPY {StageEvents} (ord, message_id, topic, tag, key, body, created_at, deliver_at, last_key) FROM STDIN (FORMAT BINARY)",
                cancellationToken).ConfigureAwait(false);
            await using (eventImporter.ConfigureAwait(false))
            {
                for (var i = 0; i < events.Rows; i++)
                {
                    await eventImporter.StartRowAsync(cancellationToken).ConfigureAwait(false);
                    await eventImporter.WriteAsync(i, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                    await WriteEventRowAsync(eventImporter, events, i, cancellationToken).ConfigureAwait(false);
                }

                await eventImporter.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        var coupons = Columns<CouponRow>(db);
        var insertedCoupons = await ExecuteAsync(
            connection,
            $"""
            INSERT INTO {coupons.Table} ({coupons["CouponId"]}, {coupons["TemplateId"]}, {coupons["UserId"]}, {coupons["Sequence"]}, {coupons["State"]},
                {coupons["ValidFrom"]}, {coupons["ValidUntil"]}, {coupons["ClaimedAt"]}, {coupons["Channel"]}, {coupons["OrderId"]}, {coupons["Version"]}, {coupons["Draw"]},
                {coupons["ClaimKey"]})
            SELECT coupon_id, template_id, user_id, sequence, state, valid_from, valid_until, claimed_at, channel, order_id, version, draw, claim_key FROM {StageIssued}
            ON CONFLICT DO NOTHING
            """,
            cancellationToken).ConfigureAwait(false);

        // A row the reads did not foresee (a concurrent claim of the same user or key): roll back and decide the chunk again.
        if (insertedCoupons != issued.Count)
        {
            throw new StaleReadException("A coupon of the chunk");
        }

        if (events.Rows > 0)
        {
            // A message id stored before is written once, as EnqueueAsync does; ORDER BY keeps the write order in the sequence.
            var outbox = Columns<OutboxRow>(db);
            await ExecuteAsync(
                connection,
                $"""
                INSERT INTO {outbox.Table} ({outbox["MessageId"]}, {outbox["Topic"]}, {outbox["Tag"]}, {outbox["Key"]}, {outbox["Body"]}, {outbox["CreatedAt"]},
                    {outbox["DeliverAt"]}, {outbox["LastKey"]}, {outbox["Status"]}, {outbox["Attempts"]}, {outbox["NextAttemptAt"]}, {outbox["LeasedUntil"]})
                SELECT message_id, topic, tag, key, body, created_at, deliver_at, last_key, {(int)OutboxStatus.Pending}, 0, created_at, {DateTimeOffset.MinValue.UtcTicks}
                FROM {StageEvents} ORDER BY ord
                ON CONFLICT DO NOTHING
                """,
                cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The fast writer of a push chunk: binary COPY straight into the coupons and outbox tables, no staging tables
    /// and no <c>INSERT ... SELECT</c>. It relies on what the chunk's reads saw in this transaction: no claim key of the chunk
    /// is used and no user holds more than counted. A row that a concurrent writer added since (the same claim key, the same
    /// user's coupon) or a message id stored before breaks a unique index, the COPY fails and the whole transaction rolls back;
    /// the chunk is then decided again from fresh reads and written through the staging path, which checks every row.
    /// </summary>
    /// <exception cref="StaleReadException">A unique index refused a row.</exception>
    private static async Task CopyIssuedDirectAsync(TContext db, IReadOnlyList<IssueCommand> run, List<(int Index, int Sequence)> issued, CancellationToken cancellationToken)
    {
        var connection = NpgsqlConnectionOf(db);

        var coupons = Columns<CouponRow>(db);
        var outbox = Columns<OutboxRow>(db);
        try
        {
            await CopyCouponsAsync(
                connection,
                $"""
                COPY {coupons.Table} ({coupons["CouponId"]}, {coupons["TemplateId"]}, {coupons["UserId"]}, {coupons["Sequence"]}, {coupons["State"]}, {coupons["ValidFrom"]},
                    {coupons["ValidUntil"]}, {coupons["ClaimedAt"]}, {coupons["Channel"]}, {coupons["OrderId"]}, {coupons["Version"]}, {coupons["Draw"]}, {coupons["ClaimKey"]}) FROM STDIN (FORMAT BINARY)
                """,
                run,
                issued,
                cancellationToken).ConfigureAwait(false);

            // The outbox's sequence is an identity column: COPY takes the rows in order, so the write order is kept.
            var eventImporter = await connection.BeginBinaryImportAsync(
                $"""
                COPY {outbox.Table} ({outbox["MessageId"]}, {outbox["Topic"]}, {outbox["Tag"]}, {outbox["Key"]}, {outbox["Body"]}, {outbox["CreatedAt"]},
                    {outbox["DeliverAt"]}, {outbox["LastKey"]}, {outbox["Status"]}, {outbox["Attempts"]}, {outbox["NextAttemptAt"]}, {outbox["LeasedUntil"]}) FROM STDIN (FORMAT BINARY)
                """,
                cancellationToken).ConfigureAwait(false);
            await using (eventImporter.ConfigureAwait(false))
            {
                using var events = PackEventsUtf8(run, issued);
                for (var i = 0; i < events.Rows; i++)
                {
                    await eventImporter.StartRowAsync(cancellationToken).ConfigureAwait(false);
                    var createdAt = await WriteEventRowAsync(eventImporter, events, i, cancellationToken).ConfigureAwait(false);
                    await eventImporter.WriteAsync((int)OutboxStatus.Pending, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                    await eventImporter.WriteAsync(0, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                    await eventImporter.WriteAsync(createdAt.UtcTicks, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                    await eventImporter.WriteAsync(DateTimeOffset.MinValue.UtcTicks, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                }

                await eventImporter.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new StaleReadException("A coupon or message of the chunk");
        }
    }

    /// <summary>
    /// Writes the message columns (id, topic, tag, key, body, created, deliver-at, last key) of a chunk's outbox row
    /// <paramref name="row"/> to the current row of a COPY: the envelope with its UTF-8 body as it is, or one message.
    /// </summary>
    /// <returns>The row's creation time.</returns>
    private static async Task<DateTimeOffset> WriteEventRowAsync(NpgsqlBinaryImporter importer, ChunkEvents events, int row, CancellationToken cancellationToken)
    {
        if (events.Envelope is { } envelope)
        {
            await importer.WriteAsync(envelope.MessageId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(OutboxEnvelope.Topic, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(OutboxEnvelope.Tag, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(envelope.Key, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(events.Body, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(envelope.CreatedAt.UtcTicks, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await importer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(envelope.LastKey, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            return envelope.CreatedAt;
        }

        var m = events.Messages[row];
        await importer.WriteAsync(m.MessageId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(m.Topic, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(m.Tag, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(m.Key, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(m.Body, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(m.CreatedAt.UtcTicks, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
        if (m.DeliverAt is { } at)
        {
            await importer.WriteAsync(at.UtcTicks, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await importer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
        }

        await WriteNullableAsync(importer, OutboxEnvelope.LastKeyOf(m), cancellationToken).ConfigureAwait(false);
        return m.CreatedAt;
    }

    /// <summary>
    /// Copies the issued coupons' thirteen columns with <paramref name="copy"/> (a <c>COPY ... FROM STDIN (FORMAT BINARY)</c>
    /// naming them in this order: id, template, user, sequence, state, validity, claim time, channel, order, version, draw, claim
    /// key), encoded by <see cref="PgBinaryCopyRows"/> and sent in blocks. A failure before the end cancels the COPY, so no part
    /// of the chunk is stored; a row the server refuses (a unique index) throws when the COPY ends.
    /// </summary>
    private static async Task CopyCouponsAsync(NpgsqlConnection connection, string copy, IReadOnlyList<IssueCommand> run, List<(int Index, int Sequence)> issued, CancellationToken cancellationToken)
    {
        var stream = await connection.BeginRawBinaryCopyAsync(copy, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                using var rows = new PgBinaryCopyRows(stream);
                foreach (var (index, sequence) in issued)
                {
                    var c = run[index].Coupon;
                    await rows.StartRowAsync(13, cancellationToken).ConfigureAwait(false);
                    rows.Text(c.CouponId);
                    rows.Text(c.TemplateId);
                    rows.Text(c.UserId);
                    rows.Int32(sequence);
                    rows.Int32((int)c.State);
                    rows.Int64(c.ValidFrom.UtcTicks);
                    rows.Int64(c.ValidUntil.UtcTicks);
                    rows.Int64(c.ClaimedAt.UtcTicks);
                    rows.Int32((int)c.Channel);
                    rows.NullableText(c.OrderId);
                    rows.Int64(c.Version);
                    rows.NullableText(ToDrawJson(c.Draw));
                    rows.Text(run[index].ClaimKey);
                }

                await rows.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await stream.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    private static Task WriteNullableAsync(NpgsqlBinaryImporter importer, string? value, CancellationToken cancellationToken) =>
        value is null ? importer.WriteNullAsync(cancellationToken) : importer.WriteAsync(value, NpgsqlDbType.Text, cancellationToken);

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(sql, connection);
        await using (command.ConfigureAwait(false))
        {
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The quoted table and column names of an entity, as the model maps them.</summary>
    private static MappedTable Columns<TRow>(TContext db)
    {
        var entity = db.Model.FindEntityType(typeof(TRow)) ?? throw new InvalidOperationException($"{typeof(TRow).Name} is not in the model; call ApplyCouponKit().");
        var name = entity.GetTableName()!;
        var schema = entity.GetSchema();
        var table = StoreObjectIdentifier.Table(name, schema);
        var columns = entity.GetProperties().ToDictionary(p => p.Name, p => Quote(p.GetColumnName(table)!), StringComparer.Ordinal);
        return new MappedTable(schema is null ? Quote(name) : Quote(schema) + "." + Quote(name), columns);
    }

    private static string Quote(string identifier) => new StringBuilder("\"").Append(identifier.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"').ToString();

    private sealed record MappedTable(string Table, Dictionary<string, string> Columns)
    {
        public string this[string property] => Columns[property];
    }
}
