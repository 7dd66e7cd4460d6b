using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Dvr.OpenFlow.Wire;

/// <summary>
/// A big-endian cursor over a span sized in advance from the message's computed length. Encoders compute
/// lengths first (GetEncodedLength) and then write once, so nothing is patched afterwards and
/// padding is written as zeros explicitly (a dirty buffer never leaks into the wire).
/// </summary>
public ref struct SpanWriter
{
    private readonly Span<byte> _buffer;
    private int _position;

    public SpanWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly Span<byte> Written => _buffer[.._position];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> Take(int count)
    {
        var slice = _buffer.Slice(_position, count);
        _position += count;
        return slice;
    }

    public void WriteByte(byte value) => Take(1)[0] = value;

    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Take(2), value);

    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Take(4), value);

    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64BigEndian(Take(8), value);

    public void WriteBytes(ReadOnlySpan<byte> value) => value.CopyTo(Take(value.Length));

    public void WriteZeros(int count) => Take(count).Clear();

    /// <summary>Reserves <paramref name="count"/> bytes and returns them for the caller to fill.</summary>
    public Span<byte> Reserve(int count) => Take(count);

    /// <summary>Pads with zeros up to the next multiple of <paramref name="alignment"/> from <paramref name="start"/>.</summary>
    public void PadTo(int start, int alignment)
    {
        int length = _position - start;
        int padded = Align(length, alignment);
        WriteZeros(padded - length);
    }

    /// <summary>Rounds <paramref name="length"/> up to a multiple of <paramref name="alignment"/> (a power of two).</summary>
    public static int Align(int length, int alignment) => (length + alignment - 1) & ~(alignment - 1);
}
