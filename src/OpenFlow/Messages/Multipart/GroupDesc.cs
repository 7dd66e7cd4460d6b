using System.Collections.Immutable;
using System.Text;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Messages.Group;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Multipart;

/// <summary>OFPMP_GROUP_DESC request body (OpenFlow 1.3.5 §A.3.5.10): empty; it always asks for every group.</summary>
public sealed record GroupDescRequest : IMultipartBody
{
    public const ushort MultipartType = 7;

    public int BodyLength => 0;

    public void WriteBody(ref SpanWriter writer)
    {
    }

    public static GroupDescRequest Decode(ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        _ = body;
        return new GroupDescRequest();
    }

    public void Format(StringBuilder output, PortNames names) => output.Append(" group_id=ALL");
}

/// <summary>
/// struct ofp_group_desc (OpenFlow 1.3.5 §A.3.5.10):
/// <code>length(2) | type(1) | pad(1) | group_id(4) | struct ofp_bucket buckets[]</code>
/// The type is kept as a byte: a reply is read loosely, and OVS prints an unknown type as "unknown".
/// </summary>
public sealed record GroupDesc(byte Type, uint GroupId, ValueList<Bucket> Buckets)
{
    public const int FixedLength = 8;

    public int EncodedLength => FixedLength + GroupBuckets.EncodedLength(Buckets);

    public void Encode(ref SpanWriter writer)
    {
        writer.WriteUInt16((ushort)EncodedLength);
        writer.WriteByte(Type);
        writer.WriteZeros(1);
        writer.WriteUInt32(GroupId);
        GroupBuckets.Encode(ref writer, Buckets);
    }

    /// <summary>OVS ofputil_decode_ofp11_group_desc_reply: a short entry or a bad length is OFPBRC_BAD_LEN.</summary>
    public static GroupDesc Decode(ref SpanReader reader, DecodeMode mode)
    {
        if (reader.Remaining < FixedLength)
        {
            throw new OpenFlowException(OfpError.BadLen, $"group desc reply has {reader.Remaining} leftover byte(s) at end");
        }

        int length = reader.ReadUInt16();
        byte type = reader.ReadByte();
        reader.SkipPadding(1);
        uint groupId = reader.ReadUInt32();
        if (length < FixedLength || length - FixedLength > reader.Remaining)
        {
            throw new OpenFlowException(OfpError.BadLen, $"group desc entry claims invalid length {length}");
        }

        var buckets = reader.ReadSub(length - FixedLength);
        return new GroupDesc(type, groupId, GroupBuckets.Decode(ref buckets, mode));
    }
}

/// <summary>OFPMP_GROUP_DESC reply body: a run of <see cref="GroupDesc"/>.</summary>
public sealed record GroupDescReply(ValueList<GroupDesc> Groups) : IMultipartBody
{
    public const ushort MultipartType = 7;

    public int BodyLength => Groups.Sum(g => g.EncodedLength);

    public void WriteBody(ref SpanWriter writer)
    {
        foreach (var group in Groups)
        {
            group.Encode(ref writer);
        }
    }

    public static GroupDescReply Decode(ref SpanReader body, DecodeMode mode)
    {
        var groups = ImmutableArray.CreateBuilder<GroupDesc>();
        while (!body.IsEmpty)
        {
            groups.Add(GroupDesc.Decode(ref body, mode));
        }

        return new GroupDescReply(new ValueList<GroupDesc>(groups.ToImmutable()));
    }

    /// <summary>lib/ofp-group.c ofputil_group_desc_format.</summary>
    public void Format(StringBuilder output, PortNames names)
    {
        foreach (var group in Groups)
        {
            output.Append("\n ");
            GroupBuckets.FormatGroup(output, group.GroupId, group.Type, group.Buckets, names);
        }
    }
}
