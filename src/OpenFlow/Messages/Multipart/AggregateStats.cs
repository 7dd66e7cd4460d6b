using System.Globalization;
using System.Text;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Multipart;

/// <summary>OFPMP_AGGREGATE request: the same body as a flow stats request (OpenFlow 1.3.5 §A.3.5.3).</summary>
public sealed record AggregateStatsRequest : FlowStatsRequestBase
{
    public override MultipartType MultipartType => MultipartType.Aggregate;

    public static AggregateStatsRequest Decode(ref SpanReader body, DecodeMode mode)
    {
        var (table, outPort, outGroup, cookie, cookieMask, match) = DecodeFields(ref body, mode);
        return new AggregateStatsRequest { TableId = table, OutPort = outPort, OutGroup = outGroup, Cookie = cookie, CookieMask = cookieMask, Match = match };
    }
}

/// <summary>
/// OFPMP_AGGREGATE reply, struct ofp_aggregate_stats_reply (OpenFlow 1.3.5 §A.3.5.3):
/// <code>
///  +-------------------------------+-------------------------------+---------------+---------------+
///  |         packet_count          |          byte_count           |  flow_count   |    pad(4)     |
///  +-------------------------------+-------------------------------+---------------+---------------+
/// </code>
/// </summary>
public sealed record AggregateStatsReply : MultipartReplyBody
{
    public const int Size = 24;

    public override MultipartType MultipartType => MultipartType.Aggregate;

    public ulong PacketCount { get; init; }

    public ulong ByteCount { get; init; }

    public uint FlowCount { get; init; }

    public override int BodyLength => Size;

    public override void WriteBody(ref SpanWriter writer)
    {
        writer.WriteUInt64(PacketCount);
        writer.WriteUInt64(ByteCount);
        writer.WriteUInt32(FlowCount);
        writer.WriteZeros(4);
    }

    public static AggregateStatsReply Decode(ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        var reply = new AggregateStatsReply { PacketCount = body.ReadUInt64(), ByteCount = body.ReadUInt64(), FlowCount = body.ReadUInt32() };
        body.SkipPadding(4);
        return reply;
    }

    /// <summary>OVS ofputil_aggregate_stats_format: " packet_count=N byte_count=N flow_count=N".</summary>
    public override void Format(StringBuilder output, PortNames names)
    {
        output.Append(" packet_count=").Append(PacketCount.ToString(CultureInfo.InvariantCulture))
            .Append(" byte_count=").Append(ByteCount.ToString(CultureInfo.InvariantCulture))
            .Append(" flow_count=").Append(FlowCount);
    }
}
