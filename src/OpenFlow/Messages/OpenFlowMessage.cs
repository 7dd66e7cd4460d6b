using System.Buffers;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages;

/// <summary>
/// Base of every OpenFlow 1.3 message. A message knows its body length before it is written, so the
/// encoder asks the output for exactly one span, writes the header and body once, and advances once.
/// </summary>
public abstract record OpenFlowMessage
{
    /// <summary>Transaction id (OpenFlow 1.3.5 §A.1). Replies carry the request's xid.</summary>
    public uint Xid { get; init; }

    public abstract OfpType Type { get; }

    /// <summary>Bytes after the 8-byte header, computed from the content (never patched afterwards).</summary>
    public abstract int BodyLength { get; }

    /// <summary>Writes exactly <see cref="BodyLength"/> bytes.</summary>
    public abstract void WriteBody(ref SpanWriter writer);

    public int EncodedLength => OfpHeader.Size + BodyLength;

    /// <summary>Encodes header and body into <paramref name="output"/>; returns the bytes written.</summary>
    public int Encode(IBufferWriter<byte> output)
    {
        int length = EncodedLength;
        var span = output.GetSpan(length);
        EncodeTo(span);
        output.Advance(length);
        return length;
    }

    /// <summary>Encodes into a span at least <see cref="EncodedLength"/> long; returns the bytes written.</summary>
    public int EncodeTo(Span<byte> destination)
    {
        int length = EncodedLength;
        if (length > OfpHeader.MaxLength)
        {
            throw new InvalidOperationException($"{Type} of {length} bytes exceeds the 65,535-byte OpenFlow message limit");
        }

        new OfpHeader(OfpHeader.Version13, Type, (ushort)length, Xid).Write(destination);
        var writer = new SpanWriter(destination[OfpHeader.Size..length]);
        WriteBody(ref writer);
        if (writer.Position != length - OfpHeader.Size)
        {
            throw new InvalidOperationException($"{GetType().Name} wrote {writer.Position} body bytes but declared {length - OfpHeader.Size}");
        }

        return length;
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[EncodedLength];
        EncodeTo(bytes);
        return bytes;
    }
}
