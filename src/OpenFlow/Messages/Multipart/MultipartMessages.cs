using System.Text;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Multipart;

/// <summary>
/// The multipart header shared by OFPT_MULTIPART_REQUEST and OFPT_MULTIPART_REPLY (OpenFlow 1.3.5 §A.3.5):
/// <code>
///  +---------------+---------------+-------------------------------+
///  |     type      |     flags     |            pad(4)             |  body ...
///  +---------------+---------------+-------------------------------+
/// </code>
/// A long reply is split into several messages with the same xid, all but the last flagged REPLY_MORE;
/// <see cref="MultipartAssembler"/> joins them.
/// </summary>
public abstract record MultipartMessage : OpenFlowMessage
{
    public const int HeaderLength = 8;

    public MultipartFlags Flags { get; init; }

    public abstract MultipartType MultipartType { get; }

    public bool HasMore => (Flags & MultipartFlags.More) != 0;

    private protected abstract MultipartBody BodyBase { get; }

    public override int BodyLength => HeaderLength + BodyBase.EncodedLength;

    public override void WriteBody(ref SpanWriter writer)
    {
        writer.WriteUInt16((ushort)MultipartType);
        writer.WriteUInt16((ushort)Flags);
        writer.WriteZeros(4);
        BodyBase.Encode(ref writer);
    }

    /// <summary>OVS ofp_print_stats: " flags=[more]" and unknown flag bits, then the body.</summary>
    public override void FormatBody(StringBuilder output, PortNames names, int verbosity)
    {
        ushort flags = (ushort)Flags;
        if (flags != 0)
        {
            output.Append(" flags=");
            if ((flags & 1) != 0)
            {
                output.Append("[more]");
                flags &= unchecked((ushort)~1);
            }

            if (flags != 0)
            {
                output.Append("[***unknown flags 0x").Append(flags.ToString("x4", System.Globalization.CultureInfo.InvariantCulture)).Append("***]");
            }
        }

        BodyBase.Format(output, names, verbosity);
    }
}

/// <summary>OFPT_MULTIPART_REQUEST (OpenFlow 1.3.5 §A.3.5).</summary>
public sealed record MultipartRequest : MultipartMessage
{
    public override OfpType Type => OfpType.MultipartRequest;

    public required MultipartRequestBody Body { get; init; }

    public override MultipartType MultipartType => Body.MultipartType;

    public override string TextName => MultipartTypeNames.Format(MultipartType) + " request";

    private protected override MultipartBody BodyBase => Body;

    public static MultipartRequest Decode(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        var type = (MultipartType)body.ReadUInt16();
        var flags = (MultipartFlags)body.ReadUInt16();
        body.SkipPadding(4);
        return new MultipartRequest { Xid = header.Xid, Flags = flags, Body = MultipartBodyDecoder.DecodeRequest(type, ref body, mode) };
    }
}

/// <summary>OFPT_MULTIPART_REPLY (OpenFlow 1.3.5 §A.3.5).</summary>
public sealed record MultipartReply : MultipartMessage
{
    public override OfpType Type => OfpType.MultipartReply;

    public required MultipartReplyBody Body { get; init; }

    public override MultipartType MultipartType => Body.MultipartType;

    public override string TextName => MultipartTypeNames.Format(MultipartType) + " reply";

    private protected override MultipartBody BodyBase => Body;

    public static MultipartReply Decode(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        var type = (MultipartType)body.ReadUInt16();
        var flags = (MultipartFlags)body.ReadUInt16();
        body.SkipPadding(4);
        return new MultipartReply { Xid = header.Xid, Flags = flags, Body = MultipartBodyDecoder.DecodeReply(type, ref body, mode) };
    }
}
