using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Messages.Port;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Multipart;

/// <summary>OFPMP_PORT_STATS request body (OpenFlow 1.3.5 §A.3.5.6): <c>port_no(4) | pad(4)</c>; OFPP_ANY asks for all.</summary>
public sealed record PortStatsRequest(uint PortNo = OfpPort.Any) : MultipartRequestBody
{
    public override MultipartType MultipartType => MultipartType.PortStats;

    public override int BodyLength => 8;

    public override void WriteBody(ref SpanWriter writer)
    {
        writer.WriteUInt32(PortNo);
        writer.WriteZeros(4);
    }

    /// <summary>OVS ofputil_decode_port_stats_request: a port with no OpenFlow 1.0 equivalent is OFPBAC_BAD_OUT_PORT.</summary>
    public static PortStatsRequest Decode(ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        var request = new PortStatsRequest(body.ReadUInt32());
        body.SkipPadding(4);
        StatsEntries.RequireValidPort(request.PortNo, "port stats request");
        return request;
    }

    public override void Format(StringBuilder output, PortNames names)
    {
        output.Append(" port_no=");
        PortFormat.Append(output, PortNo, names);
    }
}

/// <summary>
/// struct ofp_port_stats (OpenFlow 1.3.5 §A.3.5.6), 112 bytes:
/// <code>
///  port_no(4) | pad(4) | rx_packets | tx_packets | rx_bytes | tx_bytes | rx_dropped | tx_dropped
///  | rx_errors | tx_errors | rx_frame_err | rx_over_err | rx_crc_err | collisions   (twelve 8-byte counters)
///  | duration_sec(4) | duration_nsec(4)
/// </code>
/// A counter of all ones means "not available" and prints as '?'.
/// </summary>
public sealed record PortStats(
    uint PortNo,
    ulong RxPackets,
    ulong TxPackets,
    ulong RxBytes,
    ulong TxBytes,
    ulong RxDropped,
    ulong TxDropped,
    ulong RxErrors,
    ulong TxErrors,
    ulong RxFrameErrors,
    ulong RxOverErrors,
    ulong RxCrcErrors,
    ulong Collisions,
    uint DurationSec,
    uint DurationNsec) : IStatsEntry<PortStats>
{
    public const int Length = 112;

    public int EncodedLength => Length;

    public void Encode(ref SpanWriter writer)
    {
        writer.WriteUInt32(PortNo);
        writer.WriteZeros(4);
        foreach (ulong counter in (ReadOnlySpan<ulong>)[RxPackets, TxPackets, RxBytes, TxBytes, RxDropped, TxDropped, RxErrors, TxErrors, RxFrameErrors, RxOverErrors, RxCrcErrors, Collisions])
        {
            writer.WriteUInt64(counter);
        }

        writer.WriteUInt32(DurationSec);
        writer.WriteUInt32(DurationNsec);
    }

    public static PortStats Decode(ref SpanReader reader)
    {
        StatsEntries.RequireEntry(ref reader, Length, "port stats");
        uint port = reader.ReadUInt32();
        reader.SkipPadding(4);
        var stats = new PortStats(
            port, reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadUInt64(),
            reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadUInt64(),
            reader.ReadUInt32(), reader.ReadUInt32());
        StatsEntries.RequireValidPort(port, "port stats");
        return stats;
    }

    /// <summary>lib/ofp-port.c ofputil_format_port_stats.</summary>
    public void Format(StringBuilder output, PortNames names)
    {
        output.Append("  port ");
        if (PortNo < 10)
        {
            output.Append(' ');
        }

        PortFormat.Append(output, PortNo, names);
        output.Append(": rx ");
        Stat(output, "pkts=", RxPackets, true);
        Stat(output, "bytes=", RxBytes, true);
        Stat(output, "drop=", RxDropped, true);
        Stat(output, "errs=", RxErrors, true);
        Stat(output, "frame=", RxFrameErrors, true);
        Stat(output, "over=", RxOverErrors, true);
        Stat(output, "crc=", RxCrcErrors, false);
        output.Append("           tx ");
        Stat(output, "pkts=", TxPackets, true);
        Stat(output, "bytes=", TxBytes, true);
        Stat(output, "drop=", TxDropped, true);
        Stat(output, "errs=", TxErrors, true);
        Stat(output, "coll=", Collisions, false);
        if (DurationSec != uint.MaxValue)
        {
            output.Append("           duration=");
            ModText.Duration(output, DurationSec, DurationNsec).Append('\n');
        }
    }

    private static void Stat(StringBuilder output, string leader, ulong value, bool more)
    {
        output.Append(leader);
        ModText.Counter(output, value);
        output.Append(more ? ", " : "\n");
    }
}

/// <summary>OFPMP_PORT_STATS reply body: a run of 112-byte <see cref="PortStats"/>.</summary>
public sealed record PortStatsReply(ValueList<PortStats> Ports) : StatsReplyBody<PortStats>
{
    public override MultipartType MultipartType => MultipartType.PortStats;

    protected override ValueList<PortStats> Entries => Ports;

    /// <summary>lib/ofp-print.c ofp_print_ofpst_port_reply: <c> N ports</c>, then one block per port.</summary>
    protected override string CountNoun => "ports";

    public static PortStatsReply Decode(ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        return new PortStatsReply(StatsEntries.Decode<PortStats>(ref body));
    }
}
