using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Dvr.OpenFlow.Errors;

namespace Dvr.OpenFlow.Wire;

/// <summary>
/// A bounds-checked big-endian cursor over one message. Every read checks the remaining length and
/// fails with a typed <see cref="OpenFlowException"/> (by default OFPBRC_BAD_LEN), so a decoder built on
/// it can never throw anything else on short or malformed input. It never copies or allocates.
/// </summary>
public ref struct SpanReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public SpanReader(ReadOnlySpan<byte> buffer, OfpError lengthError = default)
    {
        _buffer = buffer;
        _position = 0;
        LengthError = IsUnset(lengthError) ? OfpError.BadLen : lengthError;
    }

    /// <summary>True for default(OfpError), "no error given"; field by field, cheaper than record equality.</summary>
    private static bool IsUnset(OfpError error) => error.Type == 0 && error.Code == 0 && error.Experimenter == 0;

    /// <summary>The error reported when a read runs past the end (BAD_LEN of the enclosing family).</summary>
    public OfpError LengthError { get; }

    public readonly int Position => _position;

    public readonly int Remaining => _buffer.Length - _position;

    public readonly bool IsEmpty => _position >= _buffer.Length;

    /// <summary>The not-yet-read bytes.</summary>
    public readonly ReadOnlySpan<byte> Rest => _buffer[_position..];

    /// <summary>Everything this reader covers, read or not.</summary>
    public readonly ReadOnlySpan<byte> Whole => _buffer;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> Take(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - _position))
        {
            ThrowShort(count);
        }

        var slice = _buffer.Slice(_position, count);
        _position += count;
        return slice;
    }

    private readonly void ThrowShort(int count) => ThrowShort(count, LengthError);

    private readonly void ThrowShort(int count, OfpError lengthError) =>
        throw new OpenFlowException(
            lengthError,
            $"message too short: needed {count} byte(s) at offset {_position}, {_buffer.Length - _position} left");

    public byte ReadByte() => Take(1)[0];

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64BigEndian(Take(8));

    public ReadOnlySpan<byte> ReadBytes(int count) => Take(count);

    /// <summary>Reads <paramref name="count"/> bytes, failing with <paramref name="lengthError"/> when fewer are left.</summary>
    public ReadOnlySpan<byte> ReadBytes(int count, OfpError lengthError)
    {
        if ((uint)count > (uint)(_buffer.Length - _position))
        {
            ThrowShort(count, lengthError);
        }

        var slice = _buffer.Slice(_position, count);
        _position += count;
        return slice;
    }

    public void Skip(int count) => Take(count);

    /// <summary>Reads the next <paramref name="count"/> bytes as a child reader with its own length error.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public SpanReader ReadSub(int count, OfpError lengthError = default) =>
        new(Take(count), IsUnset(lengthError) ? LengthError : lengthError);

    public readonly ushort PeekUInt16(int offset = 0)
    {
        if (offset < 0 || Remaining < offset + 2)
        {
            ThrowShort(offset + 2);
        }

        return BinaryPrimitives.ReadUInt16BigEndian(_buffer[(_position + offset)..]);
    }

    public readonly uint PeekUInt32(int offset = 0)
    {
        if (offset < 0 || Remaining < offset + 4)
        {
            ThrowShort(offset + 4);
        }

        return BinaryPrimitives.ReadUInt32BigEndian(_buffer[(_position + offset)..]);
    }

    /// <summary>Skips zero padding, as the spec's pad[] fields; non-zero padding is tolerated (OVS does too).</summary>
    public void SkipPadding(int count) => Take(count);
}
