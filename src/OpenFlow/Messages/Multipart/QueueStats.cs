using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Messages.Port;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Multipart;

/// <summary>Queue ids (OpenFlow 1.3.5 §A.3.5.8): OFPQ_ALL and OVS's text for a queue.</summary>
public static class QueueIds
{
    public const uint All = 0xffffffff;

    /// <summary>lib/ofp-print.c ofp_print_queue_name: "ALL" or the number.</summary>
    public static string Format(uint queueId) => queueId == All ? "ALL" : queueId.ToString(CultureInfo.InvariantCulture);
}

/// <summary>OFPMP_QUEUE request body (OpenFlow 1.3.5 §A.3.5.8): <c>port_no(4) | queue_id(4)</c>.</summary>
public sealed record QueueStatsRequest(uint PortNo = OfpPort.Any, uint QueueId = QueueIds.All) : MultipartRequestBody
{
    public override MultipartType MultipartType => MultipartType.Queue;

    public override int BodyLength => 8;

    public override void WriteBody(ref SpanWriter writer)
    {
        writer.WriteUInt32(PortNo);
        writer.WriteUInt32(QueueId);
    }

    public static QueueStatsRequest Decode(ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        var request = new QueueStatsRequest(body.ReadUInt32(), body.ReadUInt32());
        StatsEntries.RequireValidPort(request.PortNo, "queue stats request");
        return request;
    }

    public override void Format(StringBuilder output, PortNames names)
    {
        output.Append(" port=");
        PortFormat.Append(output, PortNo, names);
        output.Append(" queue=").Append(QueueIds.Format(QueueId));
    }
}

/// <summary>
/// struct ofp_queue_stats (OpenFlow 1.3.5 §A.3.5.8), 40 bytes:
/// <code>port_no(4) | queue_id(4) | tx_bytes(8) | tx_packets(8) | tx_errors(8) | duration_sec(4) | duration_nsec(4)</code>
/// </summary>
public sealed record QueueStats(uint PortNo, uint QueueId, ulong TxBytes, ulong TxPackets, ulong TxErrors, uint DurationSec, uint DurationNsec)
    : IStatsEntry<QueueStats>
{
    public const int Length = 40;

    public int EncodedLength => Length;

    public void Encode(ref SpanWriter writer)
    {
        writer.WriteUInt32(PortNo);
        writer.WriteUInt32(QueueId);
        writer.WriteUInt64(TxBytes);
        writer.WriteUInt64(TxPackets);
        writer.WriteUInt64(TxErrors);
        writer.WriteUInt32(DurationSec);
        writer.WriteUInt32(DurationNsec);
    }

    public static QueueStats Decode(ref SpanReader reader)
    {
        StatsEntries.RequireEntry(ref reader, Length, "queue stats");
        var stats = new QueueStats(reader.ReadUInt32(), reader.ReadUInt32(), reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadUInt32(), reader.ReadUInt32());
        StatsEntries.RequireValidPort(stats.PortNo, "queue stats");
        return stats;
    }

    /// <summary>lib/ofp-queue.c ofputil_queue_stats_reply_format, one queue.</summary>
    public void Format(StringBuilder output, PortNames names)
    {
        output.Append("  port ");
        PortFormat.Append(output, PortNo, names);
        output.Append(" queue ").Append(QueueIds.Format(QueueId)).Append(": ");
        output.Append("bytes=");
        ModText.Counter(output, TxBytes).Append(", pkts=");
        ModText.Counter(output, TxPackets).Append(", errors=");
        ModText.Counter(output, TxErrors).Append(", duration=");
        if (DurationSec != uint.MaxValue)
        {
            ModText.Duration(output, DurationSec, DurationNsec);
        }
        else
        {
            output.Append('?');
        }

        output.Append('\n');
    }
}

/// <summary>OFPMP_QUEUE reply body: a run of 40-byte <see cref="QueueStats"/>.</summary>
public sealed record QueueStatsReply(ValueList<QueueStats> Queues) : StatsReplyBody<QueueStats>
{
    public override MultipartType MultipartType => MultipartType.Queue;

    protected override ValueList<QueueStats> Entries => Queues;

    /// <summary>lib/ofp-queue.c ofputil_queue_stats_reply_format: <c> N queues</c>, then one line per queue.</summary>
    protected override string CountNoun => "queues";

    public static QueueStatsReply Decode(ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        return new QueueStatsReply(StatsEntries.Decode<QueueStats>(ref body));
    }
}
