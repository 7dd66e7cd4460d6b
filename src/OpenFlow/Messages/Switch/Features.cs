using System.Globalization;
using System.Text;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Switch;

/// <summary>enum ofp_capabilities (OpenFlow 1.3.5 §A.3.1).</summary>
[Flags]
public enum SwitchCapabilities : uint
{
    None = 0,
    FlowStats = 1 << 0,
    TableStats = 1 << 1,
    PortStats = 1 << 2,
    GroupStats = 1 << 3,
    IpReassembly = 1 << 5,
    QueueStats = 1 << 6,
    PortBlocked = 1 << 8,
}

/// <summary>OFPT_FEATURES_REQUEST (OpenFlow 1.3.5 §A.3.1): header only.</summary>
public sealed record FeaturesRequest : OpenFlowMessage
{
    public override OfpType Type => OfpType.FeaturesRequest;

    public override int BodyLength => 0;

    public override void WriteBody(ref SpanWriter writer)
    {
    }

    public static FeaturesRequest Decode(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        _ = body;
        _ = mode;
        return new FeaturesRequest { Xid = header.Xid };
    }
}

/// <summary>
/// OFPT_FEATURES_REPLY (OpenFlow 1.3.5 §A.3.1), struct ofp_switch_features:
/// <code>
///  0                               8               12      13      14      16
///  +-------------------------------+---------------+-------+-------+-------+
///  |          datapath_id          |   n_buffers   |n_tabl.|aux_id | pad(2)|
///  +---------------+---------------+---------------+-------+-------+-------+
///  | capabilities  |   reserved    |
///  +---------------+---------------+
/// </code>
/// OpenFlow 1.3 moved the port list to the PORT_DESC multipart, so the reply has no ports.
/// </summary>
public sealed record FeaturesReply : OpenFlowMessage
{
    public const int BodySize = 24;

    public override OfpType Type => OfpType.FeaturesReply;

    public ulong DatapathId { get; init; }

    public uint BufferCount { get; init; }

    public byte TableCount { get; init; }

    public byte AuxiliaryId { get; init; }

    public SwitchCapabilities Capabilities { get; init; }

    public uint Reserved { get; init; }

    public override int BodyLength => BodySize;

    public override void WriteBody(ref SpanWriter writer)
    {
        writer.WriteUInt64(DatapathId);
        writer.WriteUInt32(BufferCount);
        writer.WriteByte(TableCount);
        writer.WriteByte(AuxiliaryId);
        writer.WriteZeros(2);
        writer.WriteUInt32((uint)Capabilities);
        writer.WriteUInt32(Reserved);
    }

    public static FeaturesReply Decode(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        var reply = new FeaturesReply
        {
            Xid = header.Xid,
            DatapathId = body.ReadUInt64(),
            BufferCount = body.ReadUInt32(),
            TableCount = body.ReadByte(),
            AuxiliaryId = body.ReadByte(),
        };
        body.SkipPadding(2);
        return reply with { Capabilities = (SwitchCapabilities)body.ReadUInt32(), Reserved = body.ReadUInt32() };
    }

    /// <summary>
    /// OVS ofputil_switch_features_format:
    /// " dpid:%016x\nn_tables:N, n_buffers:N[, auxiliary_id:N]\ncapabilities: NAMES\n".
    /// OVS names capability bits in bit order and drops bits OpenFlow 1.3 does not define.
    /// </summary>
    public override void FormatBody(StringBuilder output, PortNames names, int verbosity)
    {
        output.Append(" dpid:").Append(DatapathId.ToString("x16", CultureInfo.InvariantCulture)).Append('\n');
        output.Append("n_tables:").Append(TableCount).Append(", n_buffers:").Append(BufferCount);
        if (AuxiliaryId != 0)
        {
            output.Append(", auxiliary_id:").Append(AuxiliaryId);
        }

        output.Append('\n').Append("capabilities: ");
        var names13 = new List<string>();
        foreach (var (bit, name) in CapabilityNames)
        {
            if ((Capabilities & bit) != 0)
            {
                names13.Add(name);
            }
        }

        output.Append(names13.Count == 0 ? "0" : string.Join(' ', names13)).Append('\n');
    }

    // In bit order, as OVS prints them.
    private static readonly (SwitchCapabilities Bit, string Name)[] CapabilityNames =
    [
        (SwitchCapabilities.FlowStats, "FLOW_STATS"),
        (SwitchCapabilities.TableStats, "TABLE_STATS"),
        (SwitchCapabilities.PortStats, "PORT_STATS"),
        (SwitchCapabilities.GroupStats, "GROUP_STATS"),
        (SwitchCapabilities.IpReassembly, "IP_REASM"),
        (SwitchCapabilities.QueueStats, "QUEUE_STATS"),
        (SwitchCapabilities.PortBlocked, "PORT_BLOCKED"),
    ];
}
