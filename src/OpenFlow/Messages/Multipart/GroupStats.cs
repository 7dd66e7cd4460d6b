using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Messages.Group;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Multipart;

/// <summary>
/// OFPMP_GROUP request body (OpenFlow 1.3.5 §A.3.5.9): <c>group_id(4) | pad(4)</c>; OFPG_ALL asks for every group.
/// </summary>
public sealed record GroupStatsRequest(uint GroupId = GroupIds.All) : MultipartRequestBody
{
    public override MultipartType MultipartType => MultipartType.Group;

    public override int BodyLength => 8;

    public override void WriteBody(ref SpanWriter writer)
    {
        writer.WriteUInt32(GroupId);
        writer.WriteZeros(4);
    }

    public static GroupStatsRequest Decode(ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        var request = new GroupStatsRequest(body.ReadUInt32());
        body.SkipPadding(4);
        return request;
    }

    public override void Format(StringBuilder output, PortNames names) => output.Append(" group_id=").Append(GroupIds.Format(GroupId));
}

/// <summary>struct ofp_bucket_counter (OpenFlow 1.3.5 §A.3.5.9): <c>packet_count(8) | byte_count(8)</c>.</summary>
public readonly record struct BucketCounter(ulong PacketCount, ulong ByteCount);

/// <summary>
/// struct ofp_group_stats (OpenFlow 1.3.5 §A.3.5.9), 40 bytes then 16 per bucket:
/// <code>
///  0               2               4                               8
///  +---------------+---------------+-------------------------------+
///  |    length     |    pad(2)     |           group_id            |
///  +---------------+---------------+-------------------------------+
///  |           ref_count           |            pad(4)             |
///  +-------------------------------+-------------------------------+
///  |                         packet_count                          |
///  |                          byte_count                           |
///  +-------------------------------+-------------------------------+
///  |         duration_sec          |         duration_nsec         |
///  +-------------------------------+-------------------------------+
///  |  struct ofp_bucket_counter bucket_stats[] ...                 |
/// </code>
/// </summary>
public sealed record GroupStats(uint GroupId, uint RefCount, ulong PacketCount, ulong ByteCount, uint DurationSec, uint DurationNsec, ValueList<BucketCounter> Buckets)
    : IStatsEntry<GroupStats>
{
    public const int FixedLength = 40;

    public int EncodedLength => FixedLength + (16 * Buckets.Count);

    public void Encode(ref SpanWriter writer)
    {
        writer.WriteUInt16((ushort)EncodedLength);
        writer.WriteZeros(2);
        writer.WriteUInt32(GroupId);
        writer.WriteUInt32(RefCount);
        writer.WriteZeros(4);
        writer.WriteUInt64(PacketCount);
        writer.WriteUInt64(ByteCount);
        writer.WriteUInt32(DurationSec);
        writer.WriteUInt32(DurationNsec);
        foreach (var counter in Buckets)
        {
            writer.WriteUInt64(counter.PacketCount);
            writer.WriteUInt64(counter.ByteCount);
        }
    }

    /// <summary>OVS ofputil_decode_group_stats_reply: a short entry or a length past the end is OFPBRC_BAD_LEN.</summary>
    public static GroupStats Decode(ref SpanReader reader)
    {
        StatsEntries.RequireEntry(ref reader, FixedLength, "group stats");
        int length = reader.ReadUInt16();
        reader.SkipPadding(2);
        uint groupId = reader.ReadUInt32();
        uint refCount = reader.ReadUInt32();
        reader.SkipPadding(4);
        ulong packets = reader.ReadUInt64();
        ulong bytes = reader.ReadUInt64();
        uint seconds = reader.ReadUInt32();
        uint nanoseconds = reader.ReadUInt32();
        if (length < FixedLength || (length - FixedLength) % 16 != 0 || length - FixedLength > reader.Remaining)
        {
            throw new OpenFlowException(OfpError.BadLen, $"group stats entry claims length {length} with {reader.Remaining} byte(s) of bucket counters left");
        }

        var counters = ImmutableArray.CreateBuilder<BucketCounter>((length - FixedLength) / 16);
        for (int i = 0; i < (length - FixedLength) / 16; i++)
        {
            counters.Add(new BucketCounter(reader.ReadUInt64(), reader.ReadUInt64()));
        }

        return new GroupStats(groupId, refCount, packets, bytes, seconds, nanoseconds, new ValueList<BucketCounter>(counters.MoveToImmutable()));
    }

    /// <summary>lib/ofp-group.c ofputil_group_stats_format, one entry (group stats name no ports).</summary>
    public void Format(StringBuilder output, PortNames names) => Format(output);

    /// <summary>lib/ofp-group.c ofputil_group_stats_format, one entry.</summary>
    public void Format(StringBuilder output)
    {
        var invariant = CultureInfo.InvariantCulture;
        output.Append("\n group_id=").Append(GroupId.ToString(invariant)).Append(',');
        if (DurationSec != uint.MaxValue)
        {
            output.Append("duration=");
            ModText.Duration(output, DurationSec, DurationNsec).Append(',');
        }

        output.Append("ref_count=").Append(RefCount.ToString(invariant))
            .Append(",packet_count=").Append(PacketCount.ToString(invariant))
            .Append(",byte_count=").Append(ByteCount.ToString(invariant));
        for (int i = 0; i < Buckets.Count; i++)
        {
            // OVS leaves out buckets whose packet counter is all-ones ("not available").
            if (Buckets[i].PacketCount != ulong.MaxValue)
            {
                output.Append(",bucket").Append(i.ToString(invariant)).Append(":packet_count=").Append(Buckets[i].PacketCount.ToString(invariant))
                    .Append(",byte_count=").Append(Buckets[i].ByteCount.ToString(invariant));
            }
        }
    }
}

/// <summary>OFPMP_GROUP reply body: a run of <see cref="GroupStats"/>.</summary>
public sealed record GroupStatsReply(ValueList<GroupStats> Groups) : StatsReplyBody<GroupStats>
{
    public override MultipartType MultipartType => MultipartType.Group;

    protected override ValueList<GroupStats> Entries => Groups;

    public static GroupStatsReply Decode(ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        return new GroupStatsReply(StatsEntries.Decode<GroupStats>(ref body));
    }
}
