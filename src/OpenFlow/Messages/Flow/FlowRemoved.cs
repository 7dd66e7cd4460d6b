using System.Globalization;
using System.Text;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;
using OfpMatch = Dvr.OpenFlow.Match.Match;

namespace Dvr.OpenFlow.Messages.Flow;

/// <summary>enum ofp_flow_removed_reason (OpenFlow 1.3.5 §A.4.2).</summary>
public enum FlowRemovedReason : byte
{
    IdleTimeout = 0,
    HardTimeout = 1,
    Delete = 2,
    GroupDelete = 3,
}

/// <summary>
/// OFPT_FLOW_REMOVED (OpenFlow 1.3.5 §A.4.2), sent for flows added with OFPFF_SEND_FLOW_REM:
/// <code>
///  0                               8               10      11      12
///  +-------------------------------+---------------+-------+-------+
///  |            cookie             |   priority    |reason |table  |
///  +---------------+---------------+-------+-------+-------+-------+
///  | duration_sec  | duration_nsec | idle_to.| hard_to.|            |
///  +---------------+---------------+---------+---------+            |
///  |         packet_count          |          byte_count           |
///  +-------------------------------+-------------------------------+
///  |                struct ofp_match (padded to 8)                  |
/// </code>
/// </summary>
public sealed record FlowRemoved : OpenFlowMessage
{
    public const int FixedBodyLength = 40;

    public override OfpType Type => OfpType.FlowRemoved;

    public ulong Cookie { get; init; }

    public ushort Priority { get; init; }

    public FlowRemovedReason Reason { get; init; }

    public byte TableId { get; init; }

    public uint DurationSeconds { get; init; }

    public uint DurationNanoseconds { get; init; }

    public ushort IdleTimeout { get; init; }

    public ushort HardTimeout { get; init; }

    public ulong PacketCount { get; init; }

    public ulong ByteCount { get; init; }

    public OfpMatch Match { get; init; } = OfpMatch.Any;

    public override int BodyLength => FixedBodyLength + Match.EncodedLength;

    public override void WriteBody(ref SpanWriter writer)
    {
        writer.WriteUInt64(Cookie);
        writer.WriteUInt16(Priority);
        writer.WriteByte((byte)Reason);
        writer.WriteByte(TableId);
        writer.WriteUInt32(DurationSeconds);
        writer.WriteUInt32(DurationNanoseconds);
        writer.WriteUInt16(IdleTimeout);
        writer.WriteUInt16(HardTimeout);
        writer.WriteUInt64(PacketCount);
        writer.WriteUInt64(ByteCount);
        Match.Encode(ref writer);
    }

    public static FlowRemoved Decode(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        var removed = new FlowRemoved
        {
            Xid = header.Xid,
            Cookie = body.ReadUInt64(),
            Priority = body.ReadUInt16(),
            Reason = (FlowRemovedReason)body.ReadByte(),
            TableId = body.ReadByte(),
            DurationSeconds = body.ReadUInt32(),
            DurationNanoseconds = body.ReadUInt32(),
            IdleTimeout = body.ReadUInt16(),
            HardTimeout = body.ReadUInt16(),
            PacketCount = body.ReadUInt64(),
            ByteCount = body.ReadUInt64(),
        };
        return removed with { Match = OfpMatch.Decode(ref body, mode) };
    }

    /// <summary>
    /// OVS ofputil_flow_removed_format: " MATCH reason=R table_id=T[ cookie:0x..] duration1.5s idle5[ hard9]
    /// pkts0 bytes0".
    /// </summary>
    public override void FormatBody(StringBuilder output, PortNames names, int verbosity)
    {
        output.Append(' ');
        MatchTextBridge.Append(output, Match, names, Priority);
        output.Append(" reason=").Append(Reason switch
        {
            FlowRemovedReason.IdleTimeout => "idle",
            FlowRemovedReason.HardTimeout => "hard",
            FlowRemovedReason.Delete => "delete",
            FlowRemovedReason.GroupDelete => "group_delete",
            (FlowRemovedReason)4 => "meter_delete",
            (FlowRemovedReason)5 => "eviction",
            _ => ((int)Reason).ToString(CultureInfo.InvariantCulture),
        });
        if (TableId != 255)
        {
            output.Append(" table_id=").Append(TableId);
        }

        if (Cookie != 0)
        {
            output.Append(" cookie:0x").Append(Cookie.ToString("x", CultureInfo.InvariantCulture));
        }

        output.Append(" duration");
        FlowStatsText.AppendDuration(output, DurationSeconds, DurationNanoseconds);
        output.Append(" idle").Append(IdleTimeout);
        if (HardTimeout != 0)
        {
            output.Append(" hard").Append(HardTimeout);
        }

        output.Append(" pkts").Append(PacketCount).Append(" bytes").Append(ByteCount).Append('\n');
    }
}
