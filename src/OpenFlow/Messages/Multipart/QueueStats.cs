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
public sealed record QueueStatsRequest(uint PortNo = OfpPort.Any, uint QueueId = QueueIds.All) : IMultipartBody
{
    public const ushort MultipartType = 5;

    public int BodyLength => 8;

    public void WriteBody(ref SpanWriter writer)
    {
        writer.WriteUInt32(PortNo);
        writer.WriteUInt32(QueueId);
    }

    public static QueueStatsRequest Decode(ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        var request = new QueueStatsRequest(body.ReadUInt32(), body.ReadUInt32());
        if (!PortBits.IsValidPort(request.PortNo))
        {
            throw new OpenFlowException(OfpError.BadOutPort, $"queue stats request for port {request.PortNo}");
        }

        return request;
    }

    public void Format(StringBuilder output, PortNames names)
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
{
    public const int Length = 40;

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
        if (reader.Remaining < Length)
        {
            throw new OpenFlowException(OfpError.BadLen, $"queue stats reply has {reader.Remaining} leftover byte(s) at end");
        }

        var stats = new QueueStats(reader.ReadUInt32(), reader.ReadUInt32(), reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadUInt32(), reader.ReadUInt32());
        if (!PortBits.IsValidPort(stats.PortNo))
        {
            throw new OpenFlowException(OfpError.BadOutPort, $"queue stats for port {stats.PortNo}");
        }

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
public sealed record QueueStatsReply(ValueList<QueueStats> Queues) : IMultipartBody
{
    public const ushort MultipartType = 5;

    public int BodyLength => QueueStats.Length * Queues.Count;

    public void WriteBody(ref SpanWriter writer)
    {
        foreach (var queue in Queues)
        {
            queue.Encode(ref writer);
        }
    }

    public static QueueStatsReply Decode(ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        var queues = ImmutableArray.CreateBuilder<QueueStats>();
        while (!body.IsEmpty)
        {
            queues.Add(QueueStats.Decode(ref body));
        }

        return new QueueStatsReply(new ValueList<QueueStats>(queues.ToImmutable()));
    }

    public void Format(StringBuilder output, PortNames names)
    {
        output.Append(' ').Append(Queues.Count.ToString(CultureInfo.InvariantCulture)).Append(" queues\n");
        foreach (var queue in Queues)
        {
            queue.Format(output, names);
        }
    }
}
