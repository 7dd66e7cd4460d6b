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

    private readonly MultipartType? _multipartType;

    /// <summary>
    /// The body: one of this family's <see cref="MultipartBody"/> records (which know their type) or any other
    /// <see cref="IMultipartBody"/>, for which <see cref="MultipartType"/> must be set too.
    /// </summary>
    public required IMultipartBody Body { get; init; }

    /// <summary>OFPMP type; taken from the body when it is a <see cref="MultipartBody"/>.</summary>
    public MultipartType MultipartType
    {
        get => Body is MultipartBody typed ? typed.MultipartType
            : _multipartType ?? throw new InvalidOperationException($"{Body.GetType().Name} needs an explicit MultipartType");
        init => _multipartType = value;
    }

    public bool HasMore => (Flags & MultipartFlags.More) != 0;

    /// <summary>Equal when xid, flags, type and body are; a redundant explicit type on a typed body does not matter.</summary>
    public virtual bool Equals(MultipartMessage? other) =>
        other is not null && base.Equals(other) && Flags == other.Flags && MultipartType == other.MultipartType && Equals(Body, other.Body);

    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), Flags, MultipartType, Body);

    public override int BodyLength => HeaderLength + Body.BodyLength;

    public override void WriteBody(ref SpanWriter writer)
    {
        writer.WriteUInt16((ushort)MultipartType);
        writer.WriteUInt16((ushort)Flags);
        writer.WriteZeros(4);
        Body.WriteBody(ref writer);
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

        Body.Format(output, names);
    }
}

/// <summary>OFPT_MULTIPART_REQUEST (OpenFlow 1.3.5 §A.3.5).</summary>
public sealed record MultipartRequest : MultipartMessage
{
    public override OfpType Type => OfpType.MultipartRequest;

    public override string TextName => MultipartTypeNames.Format(MultipartType) + " request";

    public static MultipartRequest Decode(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        var type = (MultipartType)body.ReadUInt16();
        var flags = (MultipartFlags)body.ReadUInt16();
        body.SkipPadding(4);
        var decoded = MultipartBodyDecoder.DecodeRequest(type, ref body, mode);
        return decoded is MultipartBody
            ? new MultipartRequest { Xid = header.Xid, Flags = flags, Body = decoded }
            : new MultipartRequest { Xid = header.Xid, Flags = flags, Body = decoded, MultipartType = type };
    }
}

/// <summary>OFPT_MULTIPART_REPLY (OpenFlow 1.3.5 §A.3.5).</summary>
public sealed record MultipartReply : MultipartMessage
{
    public override OfpType Type => OfpType.MultipartReply;

    public override string TextName => MultipartTypeNames.Format(MultipartType) + " reply";

    public static MultipartReply Decode(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        var type = (MultipartType)body.ReadUInt16();
        var flags = (MultipartFlags)body.ReadUInt16();
        body.SkipPadding(4);
        var decoded = MultipartBodyDecoder.DecodeReply(type, ref body, mode);
        return decoded is MultipartBody
            ? new MultipartReply { Xid = header.Xid, Flags = flags, Body = decoded }
            : new MultipartReply { Xid = header.Xid, Flags = flags, Body = decoded, MultipartType = type };
    }
}
