using System.Text;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Async;

/// <summary>
/// The asynchronous-message filter of OFPT_GET_ASYNC_REPLY and OFPT_SET_ASYNC (OpenFlow 1.3.5 §A.3.10),
/// 24 bytes; index 0 applies to the master/equal role, index 1 to the slave role, bit n enables reason n:
/// <code>
///  packet_in_mask[2] (4+4) | port_status_mask[2] (4+4) | flow_removed_mask[2] (4+4)
/// </code>
/// </summary>
public readonly record struct AsyncConfig(
    uint PacketInPrimary,
    uint PacketInSecondary,
    uint PortStatusPrimary,
    uint PortStatusSecondary,
    uint FlowRemovedPrimary,
    uint FlowRemovedSecondary)
{
    public const int Length = 24;

    /// <summary>What OVS enables by default (lib/ofp-monitor.c ofputil_async_cfg_default for OpenFlow 1.3).</summary>
    public static AsyncConfig Default => new(0b011, 0, 0b111, 0b111, 0b1111, 0);

    public void Encode(ref SpanWriter writer)
    {
        writer.WriteUInt32(PacketInPrimary);
        writer.WriteUInt32(PacketInSecondary);
        writer.WriteUInt32(PortStatusPrimary);
        writer.WriteUInt32(PortStatusSecondary);
        writer.WriteUInt32(FlowRemovedPrimary);
        writer.WriteUInt32(FlowRemovedSecondary);
    }

    public static AsyncConfig Decode(ref SpanReader body)
    {
        if (body.Remaining != Length)
        {
            throw new OpenFlowException(OfpError.BadLen, $"async config body is {body.Remaining} byte(s), expected {Length}");
        }

        return new AsyncConfig(body.ReadUInt32(), body.ReadUInt32(), body.ReadUInt32(), body.ReadUInt32(), body.ReadUInt32(), body.ReadUInt32());
    }

    /// <summary>
    /// lib/ofp-monitor.c ofputil_format_set_async_config: per role, each message type right-aligned to 16
    /// columns, then the enabled reasons OVS knows for OpenFlow 1.3 or "(off)"; OpenFlow 1.4's ROLE_STATUS,
    /// TABLE_STATUS and REQUESTFORWARD are always off in 1.3.
    /// </summary>
    public void Format(StringBuilder output)
    {
        FormatRole(output, "primary", PacketInPrimary, PortStatusPrimary, FlowRemovedPrimary);
        FormatRole(output, "secondary", PacketInSecondary, PortStatusSecondary, FlowRemovedSecondary);
    }

    private static void FormatRole(StringBuilder output, string role, uint packetIn, uint portStatus, uint flowRemoved)
    {
        output.Append('\n').Append(' ').Append(role).Append(":\n");
        Line(output, "PACKET_IN", packetIn & 0x7, ["no_match", "action", "invalid_ttl"]);
        Line(output, "PORT_STATUS", portStatus & 0x7, ["add", "delete", "modify"]);
        Line(output, "FLOW_REMOVED", flowRemoved & 0x3f, ["idle", "hard", "delete", "group_delete", "meter_delete", "eviction"]);
        Line(output, "ROLE_STATUS", 0, []);
        Line(output, "TABLE_STATUS", 0, []);
        Line(output, "REQUESTFORWARD", 0, []);
    }

    private static void Line(StringBuilder output, string type, uint mask, string[] reasons)
    {
        output.Append(type.PadLeft(16)).Append(':');
        if (mask == 0)
        {
            output.Append(" (off)");
        }

        for (int i = 0; i < reasons.Length; i++)
        {
            if ((mask & (1u << i)) != 0)
            {
                output.Append(' ').Append(reasons[i]);
            }
        }

        output.Append('\n');
    }
}
