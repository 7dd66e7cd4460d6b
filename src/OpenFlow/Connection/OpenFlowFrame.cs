using System.Buffers;
using System.Buffers.Binary;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Connection;

/// <summary>
/// One received OpenFlow message that leaves the read loop (a reply or an asynchronous message). The read
/// loop parses frames in place; only a frame handed to someone else is copied, once, into this owner.
/// </summary>
public sealed class OpenFlowFrame
{
    public OpenFlowFrame(OfpHeader header, ReadOnlyMemory<byte> bytes)
    {
        Header = header;
        Bytes = bytes;
    }

    public OfpHeader Header { get; }

    public OfpType Type => Header.Type;

    public uint Xid => Header.Xid;

    /// <summary>The whole message, header included.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>The message after the 8-byte header.</summary>
    public ReadOnlySpan<byte> Body => Bytes.Span[OfpHeader.Size..];

    /// <summary>
    /// ofp_multipart_reply flags (OpenFlow 1.3.5 §A.5): type(2) flags(2) pad(4) body. OFPMPF_REPLY_MORE = 1
    /// says another reply with the same xid follows.
    /// </summary>
    public bool IsMultipartReplyMore =>
        Type == OfpType.MultipartReply && Body.Length >= 4 && (BinaryPrimitives.ReadUInt16BigEndian(Body[2..]) & 1) != 0;

    public static OpenFlowFrame Copy(OfpHeader header, in ReadOnlySequence<byte> frame) => new(header, frame.ToArray());

    public override string ToString() => $"{Type} xid={Xid} len={Header.Length}";
}
