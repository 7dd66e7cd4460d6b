using System.Buffers;
using System.Text;
using Dvr.OpenFlow.Text;
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

    /// <summary>
    /// The header's version byte. Always 0x04, except that a HELLO keeps the version it was received with
    /// (HELLO is version-independent, OpenFlow 1.3.5 §6.3.1).
    /// </summary>
    public virtual byte WireVersion => OfpHeader.Version13;

    /// <summary>The name ovs-ofctl prints first, e.g. "OFPT_FLOW_MOD" or "OFPST_FLOW reply".</summary>
    public virtual string TextName => OfpPrint.TypeName(Type);

    /// <summary>
    /// Appends what ovs-ofctl prints after "(xid=0x..):" (each part starts with its own space or newline).
    /// Messages without a body print nothing, as OVS does.
    /// </summary>
    public virtual void FormatBody(StringBuilder output, PortNames names, int verbosity)
    {
    }

    /// <summary>The whole ovs-ofctl ofp-print text of this message (ends with a newline).</summary>
    public string ToText(PortNames? names = null) => OfpPrint.Format(this, names ?? PortNames.None);

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

        new OfpHeader(WireVersion, Type, (ushort)length, Xid).Write(destination);
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
