using System.Text;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Port;

/// <summary>enum ofp_port_reason (OpenFlow 1.3.5 §A.4.3).</summary>
public enum PortStatusReason : byte
{
    Add = 0,
    Delete = 1,
    Modify = 2,
}

/// <summary>
/// OFPT_PORT_STATUS (OpenFlow 1.3.5 §A.4.3): a port was added, removed or changed.
/// <code>
///  +--------+---------------------------+----------------------------------+
///  | reason |          pad(7)           |  struct ofp_port desc (64 bytes) |
///  +--------+---------------------------+----------------------------------+
/// </code>
/// </summary>
public sealed record PortStatus : OpenFlowMessage
{
    public override OfpType Type => OfpType.PortStatus;

    public PortStatusReason Reason { get; init; }

    public PortDescription Port { get; init; } = new();

    public override int BodyLength => 8 + PortDescription.Size;

    public override void WriteBody(ref SpanWriter writer)
    {
        writer.WriteByte((byte)Reason);
        writer.WriteZeros(7);
        Port.Encode(ref writer);
    }

    public static PortStatus Decode(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        byte reason = body.ReadByte();
        body.SkipPadding(7);
        var port = PortDescription.Decode(ref body);
        if (reason > (byte)PortStatusReason.Modify)
        {
            // OVS ofputil_decode_port_status rejects other reasons the same way.
            throw new OpenFlowException(OfpError.BadValue, $"port status reason {reason} is not add/delete/modify");
        }

        return new PortStatus { Xid = header.Xid, Reason = (PortStatusReason)reason, Port = port };
    }

    /// <summary>OVS ofputil_port_status_format: " ADD:" / " DEL:" / " MOD:" then the port.</summary>
    public override void FormatBody(StringBuilder output, PortNames names, int verbosity)
    {
        output.Append(Reason switch
        {
            PortStatusReason.Add => " ADD:",
            PortStatusReason.Delete => " DEL:",
            _ => " MOD:",
        });
        Port.Format(output, names);
    }
}
