using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using CouponKit.Messaging;
using Npgsql;

namespace CouponKit.EfCore.Stores;

/// <summary>
/// Rows in PostgreSQL's binary COPY format, encoded in a pooled buffer and sent to a raw COPY stream
/// (<see cref="NpgsqlConnection.BeginRawBinaryCopyAsync"/>) a block at a time: a push chunk's thousands of coupon rows without a
/// call, an await and a parameter per field. The format (PostgreSQL's "COPY ... (FORMAT BINARY)"): the signature, flags and
/// header extension; each row its field count, then each field its length in bytes (-1 for NULL) and the value in the column
/// type's binary form (integers big-endian, text as UTF-8); then -1.
/// </summary>
internal sealed class PgBinaryCopyRows : IDisposable
{
    /// <summary>Buffered bytes past which <see cref="StartRowAsync"/> sends the block.</summary>
    private const int BlockSize = 64 * 1024;

    private static readonly byte[] Signature = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0];

    private readonly Stream _copy;
    private readonly PooledByteBuffer _buffer = new(BlockSize * 2);

    /// <summary>Initializes a new instance of the <see cref="PgBinaryCopyRows"/> class and writes the header.</summary>
    /// <param name="copy">The raw COPY stream of a <c>COPY ... FROM STDIN (FORMAT BINARY)</c>.</param>
    public PgBinaryCopyRows(Stream copy)
    {
        _copy = copy;
        _buffer.Write(Signature);
        Int32Raw(0); // flags: no OIDs
        Int32Raw(0); // header extension: none
    }

    /// <summary>Starts a row of <paramref name="fields"/> fields, first sending the rows before it if a block is full.</summary>
    /// <param name="fields">The number of fields the row has (the COPY's column count).</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>The send of the full block, if one was due.</returns>
    public ValueTask StartRowAsync(short fields, CancellationToken cancellationToken)
    {
        if (_buffer.WrittenMemory.Length >= BlockSize)
        {
            return SendAsync(cancellationToken);
        }

        Int16Raw(fields);
        return ValueTask.CompletedTask;

        async ValueTask SendAsync(CancellationToken ct)
        {
            await FlushAsync(ct).ConfigureAwait(false);
            Int16Raw(fields);
        }
    }

    /// <summary>Writes a text (or varchar) field as UTF-8.</summary>
    /// <param name="value">The value.</param>
    public void Text(string value)
    {
        var span = _buffer.GetSpan(4 + Encoding.UTF8.GetMaxByteCount(value.Length));
        var length = Encoding.UTF8.GetBytes(value, span[4..]);
        BinaryPrimitives.WriteInt32BigEndian(span, length);
        _buffer.Advance(4 + length);
    }

    /// <summary>Writes a text field, or NULL.</summary>
    /// <param name="value">The value, or <see langword="null"/>.</param>
    public void NullableText(string? value)
    {
        if (value is null)
        {
            Null();
        }
        else
        {
            Text(value);
        }
    }

    /// <summary>Writes an integer (int4) field.</summary>
    /// <param name="value">The value.</param>
    public void Int32(int value)
    {
        var span = _buffer.GetSpan(8);
        BinaryPrimitives.WriteInt32BigEndian(span, 4);
        BinaryPrimitives.WriteInt32BigEndian(span[4..], value);
        _buffer.Advance(8);
    }

    /// <summary>Writes a bigint (int8) field.</summary>
    /// <param name="value">The value.</param>
    public void Int64(long value)
    {
        var span = _buffer.GetSpan(12);
        BinaryPrimitives.WriteInt32BigEndian(span, 8);
        BinaryPrimitives.WriteInt64BigEndian(span[4..], value);
        _buffer.Advance(12);
    }

    /// <summary>Writes a NULL field.</summary>
    public void Null() => Int32Raw(-1);

    /// <summary>Writes the trailer and sends what is left; the COPY ends when its stream is disposed.</summary>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>The send.</returns>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        Int16Raw(-1);
        await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose() => _buffer.Dispose();

    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        await _copy.WriteAsync(_buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        _buffer.Clear();
    }

    private void Int16Raw(short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(_buffer.GetSpan(2), value);
        _buffer.Advance(2);
    }

    private void Int32Raw(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }
}
