using System.Text;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Packet;

/// <summary>
/// OFPT_PACKET_OUT (OpenFlow 1.3.5 §A.3.7):
/// <code>
///  0               4               8               10                      16
///  +---------------+---------------+---------------+-----------------------+
///  |   buffer_id   |    in_port    |  actions_len  |         pad(6)        |
///  +---------------+---------------+---------------+-----------------------+
///  | actions (actions_len bytes) | packet data (only when buffer_id = NO_BUFFER) |
/// </code>
/// </summary>
public sealed record PacketOut : OpenFlowMessage
{
    public const uint NoBuffer = 0xffffffff;

    public const int FixedBodyLength = 16;

    public override OfpType Type => OfpType.PacketOut;

    public uint BufferId { get; init; } = NoBuffer;

    /// <summary>The packet's ingress port for the actions (OFPP_CONTROLLER when it has none).</summary>
    public uint InPort { get; init; } = OfpPort.Controller;

    public ActionList Actions { get; init; } = ActionList.Empty;

    public ByteData Data { get; init; } = ByteData.Empty;

    public override int BodyLength => FixedBodyLength + Actions.EncodedLength + Data.Length;

    public override void WriteBody(ref SpanWriter writer)
    {
        writer.WriteUInt32(BufferId);
        writer.WriteUInt32(InPort);
        writer.WriteUInt16((ushort)Actions.EncodedLength);
        writer.WriteZeros(6);
        Actions.Encode(ref writer);
        writer.WriteBytes(Data.Span);
    }

    public static PacketOut Decode(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        uint bufferId = body.ReadUInt32();
        uint inPort = body.ReadUInt32();
        ushort actionsLength = body.ReadUInt16();
        body.SkipPadding(6);
        if (inPort >= OfpPort.Max && inPort != OfpPort.Local && inPort != OfpPort.Controller && inPort != OfpPort.Any)
        {
            // OVS ofputil_decode_packet_out: only physical ports, LOCAL, CONTROLLER or NONE (ANY).
            throw new OpenFlowException(OfpError.BadPort, $"packet-out in_port 0x{inPort:x8} is not a valid input port");
        }

        var actionsReader = body.ReadSub(actionsLength);
        var actions = ActionCodec.DecodeList(ref actionsReader, mode);
        var data = ByteData.Copy(body.ReadBytes(body.Remaining));
        return new PacketOut { Xid = header.Xid, BufferId = bufferId, InPort = inPort, Actions = actions, Data = data };
    }

    /// <summary>
    /// OVS ofputil_packet_out_format: " in_port=P actions=A data_len=N" then the packet's flow text on the next
    /// line, or " buffer=0x%08x" for a buffered packet.
    /// </summary>
    public override void FormatBody(StringBuilder output, PortNames names, int verbosity)
    {
        output.Append(" in_port=");
        PortFormat.Append(output, InPort == OfpPort.Any ? 0xffffu : InPort, names);
        output.Append(" actions=");
        Actions.Format(output, names);
        if (BufferId == NoBuffer)
        {
            output.Append(" data_len=").Append(Data.Length);
            if (verbosity > 0 && Data.Length > 0)
            {
                output.Append('\n');
                PacketText.Append(output, Data.Span);
                output.Append('\n');
            }

            if (verbosity > 2)
            {
                HexDump.Append(output, Data.Span, ascii: false);
            }
        }
        else
        {
            output.Append(" buffer=0x").Append(BufferId.ToString("x8", System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
